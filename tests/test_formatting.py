"""Amounts and phone numbers read and shown one way everywhere: pages, files, paper (maillage/formatting.py,
maillage/phones.py)."""

import pytest
from django import forms
from django.template import Context, Template

from maillage import formatting, phones


def test_amounts_are_written_the_french_way_with_no_break_spaces_and_their_sign():
    assert formatting.euros(123450) == "1\u00a0234,50\u00a0€"
    assert formatting.euros(-500) == "-5,00\u00a0€"  # a credit note, a reversal
    assert formatting.euros(None) == "0,00\u00a0€"
    assert formatting.decimal_euros(1250) == "12.50" and formatting.decimal_euros(-5) == "-0.05"


def test_a_page_shows_amounts_and_numbers_as_files_and_paper_do():
    page = Template("{% load display %}{{ cents|euros }} {{ phone|phone_display }}").render(
        Context({"cents": 123450, "phone": "+33241242550"})
    )
    assert page == f"{formatting.euros(123450)} {formatting.phone_display('+33241242550')}"
    assert formatting.phone_display("+33241242550") == "02 41 24 25 50"
    assert formatting.tel_uri("+33241242550") == "tel:+33-2-41-24-25-50"
    assert formatting.phone_display("not a number") == "not a number"  # shown as kept, never lost
    assert formatting.phone_display("") == "" and formatting.tel_uri("") == ""


@pytest.mark.parametrize(
    ("typed", "postcode", "expected"),
    [
        ("06 12 34 56 78", "", "+33612345678"),
        ("0612345678", "", "+33612345678"),
        ("+33 6 12 34 56 78", "", "+33612345678"),
        ("0692 12 34 56", "", "+262692123456"),  # La Réunion: not a mainland number
        ("0590 12 34 56", "97110", "+590590123456"),  # Guadeloupe, read in the person's region first
        ("02 41 23 45 67", "49000", "+33241234567"),
        ("12", "", ""),
    ],
)
def test_a_number_is_read_as_people_type_it(typed, postcode, expected):
    assert phones.read_typed(typed, postcode) == expected


def test_a_form_says_plainly_when_a_number_cannot_be_read_and_accepts_nothing_typed():
    assert phones.cleaned("  ") == ""
    with pytest.raises(forms.ValidationError) as refused:
        phones.cleaned("06 12")
    assert refused.value.messages == [str(phones.UNREADABLE)]


def test_only_a_mobile_receives_text_messages():
    assert phones.is_mobile("+33612345678") and not phones.is_mobile("+33241234567")
    assert not phones.is_mobile("garbage")
