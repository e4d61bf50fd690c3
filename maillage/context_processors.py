from django.conf import settings
from django.utils.translation import gettext as _

from maillage.formatting import phone_display, tel_uri


def territory_help(request):
    """The help line shown on every page: principle 2, help is visible everywhere."""
    return {
        "help_phone": {
            "display": phone_display(settings.HELP_PHONE_NUMBER),
            "uri": tel_uri(settings.HELP_PHONE_NUMBER),
            "hours": settings.HELP_PHONE_HOURS or _("Monday to Friday, 9 am to 6 pm"),
        },
        "territory_name": settings.TERRITORY_NAME,
    }
