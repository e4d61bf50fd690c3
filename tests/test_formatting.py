"""Amounts and phone numbers read and shown one way everywhere: pages, files, paper (maillage/formatting.py,
maillage/phones.py)."""

import ast
import datetime
import re
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone, translation

from maillage import formatting, phones
from maillage.helprequests import notify
from maillage.passes.documents import pdf as printed

PACKAGE = Path(__file__).resolve().parent.parent / "maillage"
# Django's own |date and |time filters (not |time_of_day): they abbreviate and write 14:00.
DJANGO_DATE_FILTER = re.compile(r"\|\s*(date|time)\b(?!_)")


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
    assert formatting.tel_uri("3631 (service gratuit)") == "tel:3631"  # short numbers still call


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


# Dates, times and names after a preposition: one helper per kind (maillage/formatting.py), the same
# words on pages, in text messages and on paper.

TUESDAY_AFTERNOON = timezone.make_aware(datetime.datetime(2026, 12, 8, 14, 30))
NEW_YEAR_MORNING = timezone.make_aware(datetime.datetime(2027, 1, 1, 9, 0))


def plain(text):
    """No-break spaces keep "14 h 30" on one line; the sentence is compared as it reads."""
    return text.replace(formatting.NBSP, " ")


def test_times_and_dates_are_written_one_way_never_abbreviated():
    with translation.override("fr"):
        assert plain(formatting.time_of_day(TUESDAY_AFTERNOON)) == "14 h 30"
        assert plain(formatting.time_of_day(datetime.time(9, 0))) == "9 h"
        assert formatting.day(TUESDAY_AFTERNOON) == "8 décembre 2026"
        assert formatting.day(NEW_YEAR_MORNING, weekday=True, year=False) == "vendredi 1er janvier"
        assert plain(formatting.moment(TUESDAY_AFTERNOON)) == "mardi 8 décembre à 14 h 30"
        assert plain(formatting.moment(TUESDAY_AFTERNOON, weekday=False, year=True)) == "8 décembre 2026 à 14 h 30"
        assert plain(formatting.time_range(datetime.time(9), datetime.time(17, 30))) == "9 h – 17 h 30"
        assert plain(formatting.time_range(datetime.time(20))) == "20 h – 24 h"
        assert formatting.month(datetime.date(2026, 10, 1)) == "octobre 2026"
    with translation.override("en"):
        assert plain(formatting.time_of_day(TUESDAY_AFTERNOON)) == "2:30 pm"
        assert plain(formatting.moment(TUESDAY_AFTERNOON)) == "Tuesday 8 December at 2:30 pm"
    assert formatting.time_of_day(None) == formatting.day("") == formatting.moment(None) == ""


@pytest.mark.parametrize(
    ("name", "of", "at"),
    [
        ("Angers", "d’Angers", "à Angers"),
        ("Écouflant", "d’Écouflant", "à Écouflant"),
        ("Cholet", "de Cholet", "à Cholet"),
        ("Le Mans", "du Mans", "au Mans"),
        ("Les Ponts-de-Cé", "des Ponts-de-Cé", "aux Ponts-de-Cé"),
        ("La Flèche", "de La Flèche", "à La Flèche"),
        ("octobre 2026", "d’octobre 2026", "à octobre 2026"),
    ],
)
def test_a_name_brings_its_preposition_elided_or_contracted_in_french(name, of, at):
    with translation.override("fr"):
        assert (formatting.after_de(name), formatting.after_a(name)) == (of, at)
    with translation.override("en"):
        assert formatting.after_de(name) == formatting.after_a(name) == name


def test_pages_text_messages_and_paper_use_the_same_words():
    page = Template(
        "{% load display %}{{ when|moment }}|{{ when|time_of_day }}|{{ when|day:'weekday no-year' }}"
        "|{{ when|moment:'year' }}|{{ name|after_de }}|{{ name|near }}"
    )
    with translation.override("fr"):
        rendered = page.render(Context({"when": TUESDAY_AFTERNOON, "name": "Angers"}))
        assert plain(rendered) == (
            "mardi 8 décembre à 14 h 30|14 h 30|mardi 8 décembre|8 décembre 2026 à 14 h 30|d’Angers|près d’Angers"
        )
        appointment = SimpleNamespace(appointment_at=TUESDAY_AFTERNOON, appointment_place=None, appointment_remote=True)
        assert plain(notify._appointment_text(appointment)) == (
            "Maillage : un lieu d’aide vous appellera le mardi 8 décembre à 14 h 30."
        )
    with translation.override("en"):  # paper is French whatever the reader's language
        assert printed.french_date(NEW_YEAR_MORNING) == "1er janvier 2027"
        assert printed.french_month(datetime.date(2026, 8, 1)) == "août 2026"


def in_templates(pattern):
    """Where ``pattern`` occurs in the templates of pages and messages: "path:line: text"."""
    return [
        f"{path.relative_to(PACKAGE)}:{number}: {match.group(0)}"
        for path in sorted(PACKAGE.rglob("templates/**/*"))
        if path.suffix in (".html", ".txt")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in pattern.finditer(line)
    ]


def test_templates_show_dates_and_times_only_through_the_display_filters():
    found = in_templates(DJANGO_DATE_FILTER)
    assert not found, "use |day, |moment, |time_of_day or |month (templatetags/display.py):\n" + "\n".join(found)
    assert DJANGO_DATE_FILTER.search("{{ when|date:'j M Y' }}") and DJANGO_DATE_FILTER.search("{{ when|time }}")
    assert not DJANGO_DATE_FILTER.search("{{ when|time_of_day }} {{ when|day }}")


def test_python_code_formats_dates_for_people_only_through_formatting():
    allowed = {PACKAGE / "formatting.py"}
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in allowed and "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("strftime", "date_format", "time_format")
    ]
    assert not found, "use maillage.formatting (day, moment, time_of_day, month):\n" + "\n".join(found)


# Placeholders a name fills: the French sentence leaves "de"/"à" out, the value brings it (after_de, after_a).
NAMES = "place|name|names|origin|organization|organisation|person|distributor|program|commune|funder|territory|month"
PREPOSITION_BEFORE_A_NAME = re.compile(rf"(?<!\w)(de|à|du|des|au|aux|d['’])\s*%\((?:{NAMES})\)s")


def test_the_french_catalogue_leaves_the_preposition_to_the_name():
    catalogue = polib.pofile(str(PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    found = [
        f"{entry.msgid!r} → {text!r}"
        for entry in catalogue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if PREPOSITION_BEFORE_A_NAME.search(text)
    ]
    assert not found, "write the sentence without the preposition and pass |after_de or |after_a:\n" + "\n".join(found)
    assert PREPOSITION_BEFORE_A_NAME.search("Clés d'API de %(organization)s")
    assert not PREPOSITION_BEFORE_A_NAME.search("Clés d'API %(organization)s, le %(day)s à %(time)s")


# A stored number shown as stored (describe.described() gives numbers already shown or masked).
RAW_PHONE = re.compile(r"\{\{\s*(?!described\.)[\w.]*phone\s*\}\}|tel:\{\{")


def test_templates_show_phone_numbers_only_through_phone_display_and_tel_uri():
    """A registration's number was shown as stored, +33612345678, and linked without its format."""
    found = in_templates(RAW_PHONE)
    assert not found, "use |phone_display and |tel_uri:\n" + "\n".join(found)
    assert RAW_PHONE.search('<a href="tel:{{ registration.phone }}">{{ registration.phone }}</a>')
