import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _


def territory_help(request):
    """The help line shown on every page: principle 2, help is visible everywhere."""
    number = phonenumbers.parse(settings.HELP_PHONE_NUMBER, "FR")
    return {
        "help_phone": {
            "display": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
            "uri": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
            "hours": settings.HELP_PHONE_HOURS or _("Monday to Friday, 9 am to 6 pm"),
        },
        "territory_name": settings.TERRITORY_NAME,
    }
