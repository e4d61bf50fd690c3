import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN whose SIRETs follow a different check rule.
LA_POSTE_SIREN = "356000000"
UNKNOWN_SIRET_PLACEHOLDER = "00000000000000"


def luhn_is_valid(digits):
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_identifier(value):
    """Remove the spaces, dots and dashes people type inside SIRET and RNA numbers."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def siret_is_valid(siret):
    if not re.fullmatch(r"\d{14}", siret) or siret == UNKNOWN_SIRET_PLACEHOLDER:
        return False
    if luhn_is_valid(siret):
        return True
    # La Poste's digit-sum rule adds valid numbers; its head office (35600000000048) keeps the Luhn key.
    return siret.startswith(LA_POSTE_SIREN) and sum(int(char) for char in siret) % 5 == 0


def validate_siret(value):
    if not re.fullmatch(r"\d{14}", value):
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="siret_format")
    if not siret_is_valid(value):
        raise ValidationError(_("This SIRET number does not exist: please check each digit."), code="siret_checksum")


def validate_rna(value):
    if not re.fullmatch(r"W[0-9A-Z]{9}", value):
        raise ValidationError(
            _("An RNA number starts with W and is followed by 9 digits, for example W491234567."),
            code="rna_format",
        )
