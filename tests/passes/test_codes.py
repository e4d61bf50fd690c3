import re
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maillage.passes import codes


def test_a_code_has_70_random_bits_a_check_symbol_and_reads_in_three_groups_of_five():
    code = codes.new_code()
    assert len(code) == 15 and set(code) <= set(codes.ALPHABET)
    assert codes.RANDOM_SYMBOLS * 5 >= 60
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}", codes.display(code))
    assert codes.normalize(codes.display(code)) == code


def test_reading_forgives_case_spaces_dashes_and_look_alike_letters():
    code = codes.new_code()
    typed = " " + codes.display(code).lower().replace("-", " ") + " "
    assert codes.normalize(typed) == code
    with_zero = code.replace("0", "O").replace("1", "I")
    assert codes.normalize(with_zero) == code
    assert codes.normalize(codes.qr_payload(code)) == code


@given(
    st.text(alphabet=codes.ALPHABET, min_size=codes.RANDOM_SYMBOLS, max_size=codes.RANDOM_SYMBOLS),
    st.integers(0, codes.LENGTH - 1),
    st.integers(1, 31),
)
def test_every_single_wrong_symbol_is_caught(random_part, position, shift):
    code = random_part + codes.check_symbol(random_part)
    wrong = codes.ALPHABET[(codes.ALPHABET.index(code[position]) + shift) % 32]
    with pytest.raises(codes.CodeTypo):
        codes.normalize(code[:position] + wrong + code[position + 1 :])


@given(
    st.text(alphabet=codes.ALPHABET, min_size=codes.RANDOM_SYMBOLS, max_size=codes.RANDOM_SYMBOLS),
    st.integers(0, codes.LENGTH - 2),
)
def test_every_swap_of_two_neighbours_is_caught_check_symbol_included(random_part, position):
    code = random_part + codes.check_symbol(random_part)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        with pytest.raises(codes.CodeTypo):
            codes.normalize(swapped)


@pytest.mark.parametrize("typed", ["", "ABC", "U" * 15, "7K2MQ-X9RH4-TB3W", "!" * 15])
def test_what_cannot_be_a_code_is_told_apart_from_a_typo(typed):
    with pytest.raises(codes.NotACode):
        codes.normalize(typed)


def test_codes_come_from_the_secrets_module(monkeypatch):
    drawn = []
    monkeypatch.setattr(secrets, "choice", lambda alphabet: drawn.append(alphabet) or alphabet[0])
    assert codes.new_code()[:14] == "0" * 14 and len(drawn) == 14
