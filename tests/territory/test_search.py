"""A person finds their commune by typing its name or its postcode, however they spell it."""

import pytest

from maillage.territory.models import Commune
from maillage.territory.reference import load_reference, read_reference_file

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

ANGERS = "49007"
SAINT_BARTHELEMY_D_ANJOU = "49267"


def insee_codes(query, **kwargs):
    return [commune.insee_code for commune in Commune.objects.search(query, **kwargs)]


def postcodes_of(commune):
    return sorted(postcode.code for postcode in commune.postcodes.all())


# By name --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Angers", "angers", "ANGERS", "  angers  ", "Ang", "ang"])
def test_angers_is_found_whatever_the_case(communes, typed):
    assert insee_codes(typed)[0] == ANGERS


@pytest.mark.parametrize(
    "typed",
    [
        "Saint-Barthélemy-d'Anjou",
        "saint-barthélemy",
        "saint barthelemy d'anjou",
        "saint barthelemy d’anjou",  # typographic apostrophe, as phones type it
        "SAINT BARTHELEMY D ANJOU",
        "Saint--Barthélemy",
    ],
)
def test_accents_hyphens_and_apostrophes_do_not_matter(communes, typed):
    assert insee_codes(typed) == [SAINT_BARTHELEMY_D_ANJOU]


def test_the_name_is_matched_from_its_start_only(communes):
    assert insee_codes("ngers") == []
    assert insee_codes("barthelemy") == []


def test_a_name_prefix_finds_every_commune_that_starts_with_it(communes):
    found = Commune.objects.search("ang")
    assert {commune.name for commune in found} == {"Angers", "Angrie"}


def test_the_territory_first_then_the_most_populated(communes):
    found = list(Commune.objects.search("saint"))
    assert len(found) == 20  # the default limit: 99 communes start with "saint" in the loaded départements
    inside = [commune for commune in found if commune.department_code == "49"]
    assert found[: len(inside)] == inside and 0 < len(inside) < 20
    for group in (inside, found[len(inside) :]):
        populations = [commune.population or 0 for commune in group]
        assert populations == sorted(populations, reverse=True)


def test_the_most_populated_commune_comes_first_in_the_whole_of_france(communes, settings):
    settings.TERRITORY_DEPARTMENTS = []
    found = list(Commune.objects.search("saint"))
    populations = [commune.population or 0 for commune in found]
    assert populations == sorted(populations, reverse=True)
    assert found[0].insee_code == "97411"  # Saint-Denis de La Réunion


def test_the_limit_is_respected(communes):
    assert len(insee_codes("saint", limit=5)) == 5


# By postcode ----------------------------------------------------------------------------------------


def test_the_postcode_49000_finds_angers_first(communes):
    found = insee_codes("49000")
    assert found[0] == ANGERS


def test_angers_is_also_found_by_its_second_postcode(communes):
    assert insee_codes("49100") == [ANGERS]


def test_a_postcode_shared_by_several_communes_returns_all_of_them(communes):
    assert set(insee_codes("49000")) == {ANGERS, "49129"}  # Angers and Écouflant
    saumur_area = Commune.objects.search("49400")
    assert {commune.name for commune in saumur_area} == {
        "Bellevigne-les-Châteaux",
        "Distré",
        "Rou-Marson",
        "Saumur",
        "Souzay-Champigny",
        "Varrains",
        "Verrie",
        "Villebernier",
    }


def test_a_postcode_prefix_finds_many_communes_of_the_departement(communes):
    found = list(Commune.objects.search("49"))
    assert len(found) == 20
    for commune in found:
        assert any(code.startswith("49") for code in postcodes_of(commune))
    assert found[0].insee_code == ANGERS  # the most populated of Maine-et-Loire


def test_a_postcode_typed_with_a_space_is_understood(communes):
    assert insee_codes("49 100") == [ANGERS]


def test_a_commune_with_several_matching_postcodes_is_listed_once(communes):
    marseille = insee_codes("130")  # Marseille has sixteen postcodes starting with 130
    assert len(marseille) == len(set(marseille))
    assert marseille[0] == "13055"


# The label a suggestion puts in the box --------------------------------------------------------------


def test_the_label_angers_49000_resolves_to_exactly_angers(communes):
    assert insee_codes("Angers (49000)") == [ANGERS]


def test_a_label_with_the_other_postcode_of_the_commune_still_resolves(communes):
    assert insee_codes("Angers (49100)") == [ANGERS]


def test_a_label_whose_postcode_does_not_match_finds_nothing(communes):
    assert insee_codes("Angers (13001)") == []


def test_a_label_resolves_to_the_whole_name_not_a_prefix(communes):
    assert insee_codes("Saint-Barthélemy (49124)") == []
    assert insee_codes("Saint-Barthélemy-d'Anjou (49124)") == [SAINT_BARTHELEMY_D_ANJOU]


def test_every_commune_label_resolves_to_that_commune(communes):
    for commune in Commune.objects.in_department("49").prefetch_related("postcodes"):
        assert insee_codes(commune.label) == [commune.insee_code], commune.label


# Nothing to find --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "   ", None, "4", " 4 ", "!!!", "'-'", "zzqxw", "99999", "0"])
def test_empty_one_digit_or_garbage_queries_find_nothing(communes, typed):
    assert insee_codes(typed) == []


# Paris, Lyon and Marseille ----------------------------------------------------------------------------


def test_paris_finds_the_city_first_then_its_arrondissements(communes):
    found = list(Commune.objects.search("Paris"))
    assert found[0].insee_code == "75056"
    assert found[0].name == "Paris"
    arrondissements = found[1:]
    assert arrondissements
    assert all(commune.parent_id == "75056" for commune in arrondissements)


def test_the_paris_arrondissements_belong_to_paris(communes):
    paris = Commune.objects.get(insee_code="75056")
    assert paris.parent is None
    assert Commune.objects.get(insee_code="75101").parent == paris
    assert paris.arrondissements.count() == 20
    assert {commune.insee_code for commune in paris.arrondissements.all()} == {f"751{n:02}" for n in range(1, 21)}


def test_lyon_has_nine_arrondissements(communes):
    lyon = Commune.objects.get(insee_code="69123")
    assert lyon.arrondissements.count() == 9
    assert insee_codes("Lyon")[0] == "69123"


def test_marseille_has_the_postcodes_13001_to_13016(communes):
    marseille = Commune.objects.get(insee_code="13055")
    assert postcodes_of(marseille) == [f"130{n:02}" for n in range(1, 17)]
    assert marseille.arrondissements.count() == 16
    assert marseille.label == "Marseille (13001)"


def test_a_marseille_postcode_finds_the_city_and_its_arrondissement(communes):
    assert insee_codes("13005") == ["13055", "13205"]


# Leading zeros and non-numeric département codes -------------------------------------------------------


@pytest.fixture
def communes_of_ain_and_corsica(db):
    rows = [row for row in read_reference_file() if row["department_code"] in {"01", "2A", "974"}]
    load_reference(rows)


def test_the_leading_zero_of_ain_is_kept(communes_of_ain_and_corsica):
    commune = Commune.objects.get(insee_code="01001")
    assert commune.department_code == "01"
    assert postcodes_of(commune) == ["01400"]
    assert "01001" in insee_codes("01400")
    assert "01001" in insee_codes("L'Abergement")


def test_corsican_codes_keep_their_letter(communes_of_ain_and_corsica):
    ajaccio = Commune.objects.get(insee_code="2A004")
    assert ajaccio.name == "Ajaccio"
    assert ajaccio.department_code == "2A"
    assert Commune.objects.in_department("2A").count() > 100
    assert insee_codes("20000") == ["2A004"]


def test_overseas_departements_have_three_digits(communes_of_ain_and_corsica):
    saint_denis = Commune.objects.get(insee_code="97411")
    assert saint_denis.department_code == "974"
    assert Commune.objects.in_department("97").count() == 0


@pytest.mark.parametrize(
    ("insee_code", "department_code"),
    [("01001", "01"), ("2A004", "2A"), ("2B033", "2B"), ("49007", "49"), ("97411", "974"), ("98818", "988")],
)
def test_the_departement_is_read_from_the_insee_code(insee_code, department_code):
    assert Commune.department_of(insee_code) == department_code


@pytest.mark.django_db
def test_a_commune_saved_one_by_one_is_searchable_by_its_folded_name():
    Commune.objects.create(insee_code="01002", name="L' Abergement-de-Varey", department_code="01")
    assert insee_codes("l'abergement de varey") == ["01002"]
    assert Commune.objects.get(insee_code="01002").search_name == "l abergement de varey"


# A short name that starts many longer ones ------------------------------------------------------------


@pytest.fixture
def communes_starting_with_port(db):
    """Port (Ain, 849 inhabitants) and the 46 communes whose name starts with Port, most bigger."""
    load_reference(row for row in read_reference_file() if row["name"].lower().startswith("port"))


def test_the_commune_named_exactly_as_typed_comes_first(communes_starting_with_port):
    assert Commune.objects.filter(search_name__startswith="port").count() > 21
    found = list(Commune.objects.search("Port"))
    assert found[0].insee_code == "01307"
    populations = [commune.population for commune in found[1:]]
    assert populations == sorted(populations, reverse=True)
