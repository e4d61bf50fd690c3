import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from maillage.accounts.validators import (
    LA_POSTE_SIREN,
    UNKNOWN_SIRET_PLACEHOLDER,
    normalize_identifier,
    siret_is_valid,
    validate_rna,
    validate_siret,
)

digits = st.text(alphabet="0123456789", min_size=13, max_size=13)


def luhn_check_digit(body):
    """The digit that completes ``body`` into a number passing the Luhn formula (computed independently)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def error_code(validator, value):
    with pytest.raises(ValidationError) as error:
        validator(value)
    return error.value.code


# SIRET ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a company's SIRET, as printed on its invoices
        "35600000000048",  # La Poste's head office: keeps the Luhn key
        "35600000000001",  # a La Poste establishment: its digits add up to a multiple of 5
    ],
)
def test_real_siret_numbers_are_accepted(siret):
    assert siret_is_valid(siret)
    validate_siret(siret)


def test_la_poste_establishment_whose_digits_do_not_add_up_to_a_multiple_of_five_is_refused():
    assert not siret_is_valid("35600000000002")
    assert error_code(validate_siret, "35600000000002") == "siret_checksum"


def test_placeholder_for_an_unknown_siret_is_refused():
    assert UNKNOWN_SIRET_PLACEHOLDER == "00000000000000"
    assert not siret_is_valid(UNKNOWN_SIRET_PLACEHOLDER)
    assert error_code(validate_siret, UNKNOWN_SIRET_PLACEHOLDER) == "siret_checksum"


@pytest.mark.parametrize("typed", ["7328293200007", "732829320000745", "7328293200007A", "", "732 829 320 00074"])
def test_siret_that_is_not_fourteen_digits_gets_a_format_error(typed):
    assert not siret_is_valid(typed)
    assert error_code(validate_siret, typed) == "siret_format"


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("732 829 320 00074", "73282932000074"),
        ("732.829.320.00074", "73282932000074"),
        ("732-829-320-00074", "73282932000074"),
        ("\t73282932000074 \n", "73282932000074"),
        ("w491 000 123", "W491000123"),
        (None, ""),
    ],
)
def test_spaces_dots_and_dashes_people_type_are_removed(typed, normalized):
    assert normalize_identifier(typed) == normalized


def test_siret_typed_with_spaces_is_valid_once_normalized():
    validate_siret(normalize_identifier("732 829 320 00074"))


@given(body=digits)
def test_any_thirteen_digits_completed_with_their_luhn_key_make_a_valid_siret(body):
    siret = body + luhn_check_digit(body)
    assume(siret != UNKNOWN_SIRET_PLACEHOLDER)
    assert siret_is_valid(siret)
    validate_siret(siret)


@given(body=digits, position=st.integers(min_value=0, max_value=13), shift=st.integers(min_value=1, max_value=9))
def test_one_mistyped_digit_makes_a_siret_invalid(body, position, shift):
    siret = body + luhn_check_digit(body)
    assume(siret != UNKNOWN_SIRET_PLACEHOLDER and not siret.startswith(LA_POSTE_SIREN))
    mistyped_digit = str((int(siret[position]) + shift) % 10)
    mistyped = siret[:position] + mistyped_digit + siret[position + 1 :]
    # La Poste's numbers follow another rule, under which some single changes stay valid.
    assume(not mistyped.startswith(LA_POSTE_SIREN))
    assert not siret_is_valid(mistyped)
    assert error_code(validate_siret, mistyped) == "siret_checksum"


# RNA --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rna", ["W491000123", "W491234567", "W2A1002345", "W9M1000001"])
def test_rna_numbers_are_w_followed_by_nine_characters(rna):
    validate_rna(rna)


@pytest.mark.parametrize("typed", ["W49100012", "W4910001234", "X491000123", "491000123", "w491000123", "W491 00012"])
def test_malformed_rna_number_is_refused(typed):
    assert error_code(validate_rna, typed) == "rna_format"


@given(rest=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=9, max_size=9))
def test_any_w_and_nine_digits_or_capitals_is_a_well_formed_rna(rest):
    validate_rna("W" + rest)


def test_rna_typed_in_lower_case_with_spaces_is_valid_once_normalized():
    validate_rna(normalize_identifier("w 491 000 123"))
