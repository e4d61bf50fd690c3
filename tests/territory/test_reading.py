"""A commune typed with a slip is asked about, never silently taken elsewhere in France.

These tests load every commune of France once for the module (about 2 s): a slip of a commune of
Maine-et-Loire is often the exact name of a commune elsewhere ("Angres", Pas-de-Calais).
"""

import string

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.territory.models import Commune
from maillage.territory.reading import Question, closeness, read
from maillage.territory.reference import load_reference, read_reference_file
from maillage.territory.text import fold

pytestmark = pytest.mark.django_db

ANGERS, ANGRES, CHOLET = "49007", "62032", "49099"


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference(read_reference_file())
        yield sorted(Commune.objects.in_territory().values_list("name", flat=True))
        transaction.set_rollback(True)


def codes(reading):
    return [commune.insee_code for commune in reading.choices]


def test_angres_is_asked_about_angers_first(france):
    reading = read("Angres")

    assert reading.commune is None
    assert reading.question == Question.DID_YOU_MEAN
    assert codes(reading)[:2] == [ANGERS, ANGRES]


def test_an_exact_name_of_the_territory_is_taken_at_once(france):
    assert read("angers").commune.insee_code == ANGERS
    assert read("CHOLET").commune.insee_code == CHOLET


def test_a_name_that_is_not_exact_is_asked_about_even_with_one_answer(france):
    reading = read("Cholett")

    assert reading.question == Question.DID_YOU_MEAN
    assert codes(reading)[0] == CHOLET


def test_a_commune_elsewhere_with_nothing_close_in_the_territory_is_confirmed_first(france):
    reading = read("Lille")

    assert reading.question == Question.OUTSIDE
    assert codes(reading) == ["59350"]
    assert read("Lille", choice="59350").commune.insee_code == "59350"


def test_the_territory_first_then_namesakes_elsewhere_by_distance_to_the_territory(france):
    reading = read("Montreuil")

    assert reading.question == Question.DID_YOU_MEAN
    assert [(commune.name, commune.department_code) for commune in reading.choices] == [
        ("Montreuil-Juigné", "49"),  # names that start with what was typed, the most populated first
        ("Montreuil-Bellay", "49"),
        ("Montreuil-sur-Maine", "49"),
        ("Montreuil-sur-Loir", "49"),
        ("Montreuil", "85"),  # Vendée, next to Maine-et-Loire
        ("Montreuil", "28"),  # Eure-et-Loir
        ("Montreuil", "93"),  # Seine-Saint-Denis, the most populated but farther
        ("Montreuil", "62"),
    ]


def test_namesakes_only_elsewhere_are_asked_about_together(france):
    reading = read("Saint-Aubin")

    assert reading.question == Question.AMBIGUOUS
    assert len(reading.choices) == 10  # of 27: the nearest the territory
    assert not any(commune.in_territory for commune in reading.choices)


def test_a_slip_equally_close_to_two_communes_lists_both(france):
    names = {fold(name) for name in france}
    # Two names of the territory that differ by two letters: a text halfway is one slip from each.
    first, second = next(
        (first, second)
        for first in sorted(names)
        for second in sorted(names)
        if first < second and len(first) == len(second) and sum(a != b for a, b in zip(first, second, strict=True)) == 2
    )
    differing = next(i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b)
    typed = first[:differing] + second[differing] + first[differing + 1 :]
    assert closeness(typed, first) == closeness(typed, second) == 1

    reading = read(typed)

    assert sorted(commune.search_name for commune in reading.choices[:2]) == [first, second]


def test_a_postcode_of_the_territory_is_taken_and_one_elsewhere_is_confirmed(france):
    assert read("49300").commune.insee_code == CHOLET
    reading = read("62143")
    assert reading.question == Question.OUTSIDE
    assert codes(reading) == [ANGRES]


# Every one-letter slip of every commune of the territory ------------------------------------------------

LETTERS = string.ascii_lowercase


@st.composite
def slips(draw, names):
    name = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["missed", "added", "wrong", "swapped"]))
    position = draw(st.integers(min_value=0, max_value=len(name) - 1))
    letter = draw(st.sampled_from(LETTERS))
    if kind == "missed":
        typed = name[:position] + name[position + 1 :]
    elif kind == "added":
        typed = name[:position] + letter + name[position:]
    elif kind == "wrong":
        typed = name[:position] + letter + name[position + 1 :]
    else:
        position = min(position, len(name) - 2)
        typed = name[:position] + name[position + 1] + name[position] + name[position + 2 :]
    return name, typed


def test_one_letter_slips_of_the_territory_offer_the_intended_commune_first(france):
    territory_keys = {fold(name) for name in france}

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(slips(france))
    def check(slip):
        intended, typed = slip
        key = fold(typed)
        if not key or (key in territory_keys and key != fold(intended)):
            return  # the slip is another commune of the territory's exact name: that one is meant
        reading = read(typed)
        if reading.commune is not None:
            assert fold(reading.commune.name) == fold(intended)
            return
        assert reading.choices, typed
        best = reading.choices[0]
        assert best.in_territory, (typed, best)
        intended_choices = [commune for commune in reading.choices if commune.search_name == fold(intended)]
        assert intended_choices, (typed, intended, codes(reading))
        assert closeness(key, intended_choices[0].search_name) == closeness(key, best.search_name), (
            typed,
            intended,
            best.name,
        )

    with transaction.atomic():
        check()
