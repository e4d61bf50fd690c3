"""A person types a commune or a postcode; without JavaScript, an ambiguous answer offers a list."""

import re

import pytest
from django import forms

from maillage.territory.forms import CommuneField
from maillage.territory.models import Commune
from maillage.territory.reference import load_reference, read_reference_file

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

MARSEILLE_1_PREFIX = {"13201", "13210", "13211", "13212", "13213", "13214", "13215", "13216"}


class PlaceForm(forms.Form):
    commune = CommuneField()


class OptionalPlaceForm(forms.Form):
    commune = CommuneField(required=False)


def error_code(form):
    return form.errors.as_data()["commune"][0].code


def options_in(html):
    return re.findall(r'<input type="radio" name="commune_choice" value="([^"]+)"', html)


@pytest.fixture
def whole_of_france(settings):
    settings.TERRITORY_DEPARTMENTS, settings.TERRITORY_COMMUNES = [], []


def typed_value_in(html):
    return re.search(r'<input type="text" name="commune" value="([^"]*)"', html)[1]


# A commune found at once --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "insee_code"),
    [
        ("Angers", "49007"),
        ("angers", "49007"),
        ("Saint Barthelemy d'Anjou", "49267"),
        ("49100", "49007"),  # a postcode only Angers uses
        ("49300", "49099"),  # Cholet
        ("Angers (49000)", "49007"),  # the label a suggestion puts in the box
        ("Écouflant (49000)", "49129"),
    ],
)
def test_a_commune_typed_without_ambiguity_is_recognised(communes, typed, insee_code):
    form = PlaceForm(data={"commune": typed})

    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["commune"], Commune)
    assert form.cleaned_data["commune"].insee_code == insee_code


def test_typing_lyon_means_the_city_not_one_of_its_arrondissements(communes, whole_of_france):
    form = PlaceForm(data={"commune": "Lyon"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "69123"


def test_a_recognised_commune_shows_no_list_to_choose_from(communes):
    form = PlaceForm(data={"commune": "Angers"})
    form.is_valid()

    assert 'type="radio"' not in str(form)


# Outside the territory: never without saying so ------------------------------------------------------------


def test_a_commune_outside_the_territory_is_asked_about_not_taken(communes):
    form = PlaceForm(data={"commune": "Lyon"})

    assert not form.is_valid()
    assert error_code(form) == "outside"
    html = str(form)
    assert "n’est pas dans le territoire servi ici (Maine-et-Loire)" in html
    assert options_in(html) == ["69123"]
    assert "Lyon (69001) — Rhône <strong>(hors du territoire)</strong>" in html


def test_choosing_the_commune_outside_the_territory_keeps_it(communes):
    form = PlaceForm(data={"commune": "Lyon", "commune_choice": "69123"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "69123"


def test_a_postcode_outside_the_territory_is_asked_about_too(communes):
    form = PlaceForm(data={"commune": "97400"})

    assert not form.is_valid()
    assert error_code(form) == "outside"
    assert options_in(str(form)) == ["97411"]


def test_the_territory_may_be_single_communes(communes, settings):
    settings.TERRITORY_DEPARTMENTS, settings.TERRITORY_COMMUNES = [], ["69123"]

    assert PlaceForm(data={"commune": "Lyon"}).is_valid()
    assert error_code(PlaceForm(data={"commune": "Cholet"})) == "outside"


# Nothing found ---------------------------------------------------------------------------------------------


def test_an_unknown_commune_is_refused_and_what_was_typed_is_kept(communes):
    form = PlaceForm(data={"commune": "Angerville-sur-Mer"})

    assert not form.is_valid()
    assert error_code(form) == "not_found"
    html = str(form)
    assert typed_value_in(html) == "Angerville-sur-Mer"
    assert "<select" not in html
    assert 'aria-invalid="true"' in html


def test_what_was_typed_is_escaped_when_shown_again(communes):
    form = PlaceForm(data={"commune": 'Saint "<b>" Nulle-Part'})

    assert not form.is_valid()
    assert error_code(form) == "not_found"
    assert typed_value_in(str(form)) == "Saint &quot;&lt;b&gt;&quot; Nulle-Part"


def test_an_empty_answer_to_a_required_commune_is_refused(communes):
    form = PlaceForm(data={"commune": "  "})

    assert not form.is_valid()
    assert error_code(form) == "required"


def test_a_missing_answer_to_a_required_commune_is_refused(communes):
    form = PlaceForm(data={})

    assert not form.is_valid()
    assert error_code(form) == "required"


def test_an_optional_commune_may_be_left_empty(communes):
    form = OptionalPlaceForm(data={"commune": ""})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] is None


# Several communes match: choose in a list ---------------------------------------------------------------------


def test_marseille_1_matches_several_arrondissements_and_offers_them_in_a_list(communes):
    form = PlaceForm(data={"commune": "Marseille 1"})

    assert not form.is_valid()
    assert error_code(form) == "did_you_mean"
    html = str(form)
    assert typed_value_in(html) == "Marseille 1"
    assert '<legend class="field__label field__label--secondary">' in html
    assert '<input type="radio" name="commune_choice" value="13201" id="id_commune_choice_' in html
    assert sorted(options_in(html)) == sorted(MARSEILLE_1_PREFIX)
    assert "Marseille 1er Arrondissement (13001) — Bouches-du-Rhône" in html


def test_a_postcode_shared_by_two_communes_asks_which_one(communes):
    form = PlaceForm(data={"commune": "49000"})

    assert not form.is_valid()
    assert error_code(form) == "ambiguous"
    assert options_in(str(form)) == ["49007", "49129"]  # Angers, the most populated, first


def test_choosing_in_the_list_gives_that_commune(communes):
    form = PlaceForm(data={"commune": "Marseille 1", "commune_choice": "13213"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "13213"
    assert form.cleaned_data["commune"].name == "Marseille 13e Arrondissement"


def test_choosing_ecouflant_for_the_postcode_49000(communes):
    form = PlaceForm(data={"commune": "49000", "commune_choice": "49129"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].name == "Écouflant"


def test_a_choice_that_does_not_match_what_was_typed_is_ignored(communes):
    form = PlaceForm(data={"commune": "Marseille 1", "commune_choice": "49007"})

    assert not form.is_valid()
    assert error_code(form) == "did_you_mean"
    assert sorted(options_in(str(form))) == sorted(MARSEILLE_1_PREFIX)


def test_a_choice_that_matches_nothing_is_ignored(communes):
    form = PlaceForm(data={"commune": "Marseille 1", "commune_choice": "99999"})

    assert not form.is_valid()
    assert error_code(form) == "did_you_mean"


def test_a_choice_alone_without_text_is_not_enough(communes):
    form = PlaceForm(data={"commune_choice": "49007"})

    assert not form.is_valid()
    assert error_code(form) == "required"


def test_a_choice_kept_from_a_previous_answer_is_ignored_when_the_text_changes(communes):
    form = PlaceForm(data={"commune": "Cholet", "commune_choice": "13213"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].name == "Cholet"


@pytest.fixture
def two_saint_denis(communes):
    """Saint-Denis de La Réunion (97411) and Saint-Denis of Seine-Saint-Denis (93066)."""
    load_reference(row for row in read_reference_file() if row["insee_code"] == "93066")


def test_two_communes_with_the_same_name_are_both_offered(two_saint_denis, whole_of_france):
    form = PlaceForm(data={"commune": "Saint-Denis"})

    assert not form.is_valid()
    assert error_code(form) == "ambiguous"
    html = str(form)
    assert sorted(options_in(html)) == ["93066", "97411"]
    assert "Saint-Denis (93200)" in html
    assert "Saint-Denis (97400)" in html


def test_the_postcode_tells_two_namesakes_apart(two_saint_denis):
    """A label with its postcode is what a suggestion puts in the box: chosen, even outside the territory."""
    form = PlaceForm(data={"commune": "Saint-Denis (97400)"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "97411"


def test_each_namesake_can_be_chosen_in_the_list(two_saint_denis):
    for insee_code in ("93066", "97411"):
        form = PlaceForm(data={"commune": "saint denis", "commune_choice": insee_code})

        assert form.is_valid(), form.errors
        assert form.cleaned_data["commune"].insee_code == insee_code


# Showing a commune already known -------------------------------------------------------------------------


def test_a_commune_given_as_initial_value_shows_its_label(communes):
    angers = Commune.objects.get(insee_code="49007")

    html = str(PlaceForm(initial={"commune": angers}))

    assert typed_value_in(html) == "Angers (49000)"
    assert 'type="radio"' not in html


def test_a_commune_given_by_its_insee_code_shows_its_label(communes):
    html = str(PlaceForm(initial={"commune": "49099"}))

    assert typed_value_in(html) == "Cholet (49300)"


def test_an_unknown_insee_code_as_initial_value_shows_an_empty_box(communes):
    html = str(PlaceForm(initial={"commune": "00000"}))

    assert typed_value_in(html) == ""


def test_the_box_points_to_the_suggestions_for_javascript(communes):
    html = str(PlaceForm())

    assert 'data-commune-suggestions="/territoire/communes/"' in html
    assert 'autocomplete="address-level2"' in html


def test_a_small_commune_whose_name_starts_many_bigger_ones_is_recognised(db, whole_of_france):
    """Port (Ain) is the exact name typed, even though 46 communes start with Port-, most bigger."""
    load_reference(row for row in read_reference_file() if row["name"].lower().startswith("port"))

    form = PlaceForm(data={"commune": "Port"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].insee_code == "01307"
