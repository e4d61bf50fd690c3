"""What every form of the platform does the same way: a list never answers for the person, a label
never says "(optional)" itself, a member's place is the one they use."""

import ast
from pathlib import Path

import pytest
from django import forms

from maillage.places.forms import MemberPlaceField, matching_places
from maillage.places.models import Place
from tests.accounts.factories import OrganizationFactory
from tests.places.factories import new_place

PACKAGE = Path(__file__).resolve().parent.parent / "maillage"


def _calls_with_keyword(predicate):
    return [
        f"{path.relative_to(PACKAGE)}:{keyword.value.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if predicate(keyword)
    ]


def test_no_list_of_records_starts_on_a_choice_nobody_made():
    """``empty_label=None`` made a drop-down list open on its first record: the till took passes at
    the organisation's first place by name, an API key acted as the first member by name."""
    found = _calls_with_keyword(
        lambda keyword: (
            keyword.arg == "empty_label" and isinstance(keyword.value, ast.Constant) and keyword.value.value is None
        )
    )
    assert not found, "give the list an empty first choice (maillage.forms.CHOOSE) or a MemberPlaceField:\n" + (
        "\n".join(found)
    )


def test_no_field_label_says_optional_itself_the_form_template_does():
    """A label "Note (optional)" came out "Note (facultatif) (facultatif)"."""
    found = _calls_with_keyword(
        lambda keyword: (
            keyword.arg == "label"
            and any(
                isinstance(part, ast.Constant) and "optional" in str(part.value).lower()
                for part in ast.walk(keyword.value)
            )
        )
    )
    assert not found, found


class TillForm(forms.Form):
    place = MemberPlaceField(label="Where?")


@pytest.mark.django_db
def test_a_member_place_is_their_only_one_or_the_last_they_used_or_asked():
    organization = OrganizationFactory()
    first, second = new_place(organization, "Bibliothèque"), new_place(organization, "Annexe", commune_name="Avrillé")

    only = TillForm()
    only.fields["place"].offer(Place.objects.filter(pk=first.pk))
    assert isinstance(only.fields["place"].widget, forms.HiddenInput) and only["place"].value() == first.pk

    both = Place.objects.filter(pk__in=[first.pk, second.pk]).order_by("name")
    for last_used, proposed in [(None, None), (second.pk, second.pk), (new_place(None, "Ailleurs").pk, None)]:
        form = TillForm()
        form.fields["place"].offer(both, last_used)
        assert form["place"].value() == proposed
        selected = f'<option value="{proposed}" selected>' if proposed else '<option value="" selected>— Choisir —'
        assert selected in str(form["place"])

    asked = TillForm({})
    asked.fields["place"].offer(both)
    assert asked.errors["place"] == ["Choisissez un lieu."]


@pytest.mark.django_db
def test_a_place_is_found_by_its_name_or_commune_whatever_the_accents():
    organization = OrganizationFactory()
    places = [
        new_place(organization, "Médiathèque Toussaint", commune_name="Angers"),
        new_place(organization, "Médiathèque", commune_name="Cholet"),
        new_place(organization, "Espace France services", commune_name="Segré-en-Anjou Bleu"),
    ]
    assert matching_places("mediatheque toussaint", places) == [places[0]]
    assert matching_places("Médiathèque — Cholet", places) == [places[1]]
    assert matching_places("Médiathèque", places) == [places[1]]  # its exact name, though two contain it
    assert matching_places("segre", places) == [places[2]]
    assert matching_places("mediatheque angers", places) == [places[0]]
    assert matching_places("media touss", places) == [places[0]]  # the beginnings of its words
    assert matching_places("piscine", places) == []


# Every word of the keys of the CSV files we write: French, as the national formats and the people who
# open them in a spreadsheet read them. A new key in English fails here.
CSV_WORDS = {
    "id", "date", "type", "duree", "minutes", "modalite", "lieu", "nom", "commune", "code", "insee", "thematiques",
    "sous", "demarches", "autonomie", "suite", "orientation", "participants", "premier", "accompagnement", "pass",
    "utilises", "seance", "atelier", "remplace", "auteur", "email", "beneficiaire", "prenom", "note", "fichier",
    "source", "ligne", "motif", "indicateur", "groupe", "valeur", "commandes", "distribues", "personnes", "expires",
    "bloques", "heures", "financees", "par", "situation", "age", "prestation", "releve", "programme", "montant",
    "euros", "iban", "bic", "libelle",
}  # fmt: skip  # a vocabulary, read as a block of words


def test_the_keys_of_our_csv_files_are_french():
    from maillage.activities import statistics
    from maillage.passes import reports
    from maillage.passes.documents import csv_files
    from maillage.places.importers import pipeline

    keys = [
        *statistics.RECORD_COLUMNS,
        *statistics.PEOPLE_COLUMNS,
        *reports.CSV_HEADER,
        *reports.CSV_FIGURES.values(),
        *reports.CSV_BREAKDOWNS.values(),
        *csv_files.STATEMENT_CSV_HEADER,
        *csv_files.BANK_CSV_HEADER,
        *pipeline.REJECTIONS_CSV_HEADER,
    ]
    english = [key for key in keys if not set(key.split("_")) <= CSV_WORDS]
    assert not english, english
