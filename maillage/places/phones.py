"""Phone numbers as people type them, read into E.164 (stored) with a plain error when unreadable."""

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.places.importers.normalize import OVERSEAS_REGIONS, clean_phone


def read_phone(text):
    """A number typed as people type it, in E.164: French first, then overseas (0692… in La
    Réunion, 0690… in Guadeloupe), whose national numbers are not valid as mainland ones."""
    for postcode in ("", *(f"{prefix}00" for prefix in OVERSEAS_REGIONS)):
        if phone := clean_phone(text, postcode):
            return phone
    return ""


def cleaned_phone(text):
    """A phone number typed by someone, in E.164; a clear error when it cannot be read."""
    text = text.strip()
    phone = read_phone(text) if text else ""
    if text and not phone:
        raise forms.ValidationError(_("We cannot read this phone number. Type it with its 10 digits."))
    return phone


def is_mobile(phone):
    """Whether an E.164 number can receive an SMS (a landline only gets calls)."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
