"""Phone numbers: read as people and files write them, stored in E.164, told apart (mobile or not).

The one place that reads a number. The import, the forms and the API all go through ``read``;
showing a number is ``formatting.phone_display``.
"""

import re

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

# Overseas postcodes start with these; their phone region differs from France's.
OVERSEAS_REGIONS = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}
UNREADABLE = _("We cannot read this phone number. Type it with its 10 digits.")


def region_of(postcode):
    """The phone region of a postcode: France, or the overseas territory it belongs to."""
    return OVERSEAS_REGIONS.get(postcode[:3], "FR") if postcode else "FR"


def _text_of(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "0" + str(int(value))  # a number stored as a number lost its leading zero
    return re.sub(r"\s+", " ", str(value or "")).strip()


def read(value, postcode=""):
    """The first valid number of ``value`` in E.164 (+33241…), read in the region of ``postcode``,
    or '' when none can be read."""
    text = _text_of(value)
    if not text:
        return ""
    region = region_of(postcode)
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"[^\d+]", "", text)
    if len(digits) == 9 and digits[0] in "123456789":
        digits = "0" + digits
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return ""
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ""


def read_typed(text, postcode=""):
    """A number typed by someone, in E.164: in the region of their postcode, then mainland France,
    then overseas (0692… in La Réunion, 0690… in Guadeloupe are not valid mainland numbers)."""
    for region_postcode in dict.fromkeys((postcode, "", *(f"{prefix}00" for prefix in OVERSEAS_REGIONS))):
        if phone := read(text, region_postcode):
            return phone
    return ""


def cleaned(text, postcode=""):
    """For a form field: the number typed, in E.164, '' when nothing was typed; a plain error when unreadable."""
    text = (text or "").strip()
    phone = read_typed(text, postcode) if text else ""
    if text and not phone:
        raise forms.ValidationError(UNREADABLE)
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
