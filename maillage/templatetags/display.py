"""How stored values are shown to people."""

import phonenumbers
from django import template

register = template.Library()


@register.filter
def phone_display(e164):
    """'+33241242550' → '02 41 24 25 50': read digit by pair, as people say them (stored in E.164)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def euros(cents):
    """1234550 → '12 345,50 €': integer cents shown the French way (no-break spaces)."""
    whole, rest = divmod(int(cents or 0), 100)
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{grouped},{rest:02d}\u00a0€"
