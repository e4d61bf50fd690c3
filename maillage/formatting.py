"""How stored values are shown: amounts and phone numbers, the same on pages, in files and on paper.

Pages reach these through the template filters of ``templatetags/display.py``.
"""

from decimal import Decimal

import phonenumbers

NBSP = "\u00a0"


def euros(cents):
    """1234550 → ``12 345,50 €``: integer cents the French way, with no-break spaces so that an
    amount never splits across lines."""
    cents = int(cents or 0)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", NBSP) + f",{part:02d}{NBSP}€"


def decimal_euros(cents):
    """``1234.50``: for files that software reads. Integer arithmetic, so no float ever rounds a cent."""
    return str(Decimal(int(cents)).scaleb(-2).quantize(Decimal("0.01")))


def _parsed(phone):
    try:
        return phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return None


def phone_display(phone):
    """'+33241242550' → '02 41 24 25 50': by pairs, as people say them (stored in E.164). What was
    stored when it cannot be read as a number."""
    number = _parsed(phone) if phone else None
    if number is None:
        return phone or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel_uri(phone):
    """'+33241242550' → 'tel:+33-2-41-24-25-50', for a link a phone can call."""
    number = _parsed(phone) if phone else None
    if number is None:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)
