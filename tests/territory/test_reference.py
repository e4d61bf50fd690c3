"""The communes reference ships with the project, so a fresh machine knows every French commune."""

import re
from collections import Counter

import pytest
from django.core.management import call_command

from maillage.territory.models import Commune, PostalCode
from maillage.territory.reference import (
    REFERENCE_FILE,
    build_reference_rows,
    load_reference,
    read_reference_file,
    write_reference_file,
)

FIVE_DIGITS = re.compile(r"^\d{5}$")
INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@pytest.fixture(scope="module")
def reference_rows():
    return list(read_reference_file())


# The shipped file ---------------------------------------------------------------------------------


def test_the_shipped_file_lists_every_french_commune(reference_rows):
    assert len(reference_rows) >= 34_900


def test_every_insee_code_has_five_characters_and_appears_once(reference_rows):
    codes = [row["insee_code"] for row in reference_rows]
    assert all(INSEE_CODE.match(code) for code in codes)
    assert len(codes) == len(set(codes))


def test_every_commune_has_a_name_and_a_departement_matching_its_code(reference_rows):
    for row in reference_rows:
        assert row["name"].strip(), row
        assert row["department_code"] == Commune.department_of(row["insee_code"]), row


def test_nearly_every_commune_has_a_postcode_and_every_postcode_has_five_digits(reference_rows):
    without_postcode = [row["insee_code"] for row in reference_rows if not row["postcodes"]]
    assert len(without_postcode) <= 5, without_postcode
    for row in reference_rows:
        for code in filter(None, row["postcodes"].split("|")):
            assert FIVE_DIGITS.match(code), row


def test_the_file_keeps_the_leading_zeros_corsica_and_overseas(reference_rows):
    by_code = {row["insee_code"]: row for row in reference_rows}
    assert by_code["01001"]["department_code"] == "01"
    assert by_code["01001"]["postcodes"] == "01400"
    assert by_code["2A004"]["name"] == "Ajaccio"
    assert by_code["2A004"]["department_code"] == "2A"
    assert by_code["97411"]["department_code"] == "974"
    departments = Counter(row["department_code"] for row in reference_rows)
    assert {"01", "2A", "2B", "49", "75", "971", "972", "973", "974", "976"} <= set(departments)


def test_arrondissements_point_to_their_city(reference_rows):
    parents = Counter(row["parent"] for row in reference_rows if row["parent"])
    assert parents == {"75056": 20, "69123": 9, "13055": 16}


def test_most_communes_have_coordinates_inside_the_world(reference_rows):
    located = [row for row in reference_rows if row["latitude"] and row["longitude"]]
    assert len(located) >= 0.99 * len(reference_rows)
    for row in located:
        assert -90 <= float(row["latitude"]) <= 90, row
        assert -180 <= float(row["longitude"]) <= 180, row


# Loading it ------------------------------------------------------------------------------------------


def _counts():
    return Commune.objects.count(), PostalCode.objects.count()


def test_loading_the_reference_twice_changes_nothing(communes):
    before = _counts()
    angers_before = Commune.objects.get(insee_code="49007")
    assert before[0] == 633

    rows = [row for row in read_reference_file() if row["department_code"] in {"49", "75", "69", "13", "974"}]
    load_reference(rows)

    assert _counts() == before
    duplicated = Counter(PostalCode.objects.values_list("code", "commune_id"))
    assert max(duplicated.values()) == 1
    angers_after = Commune.objects.get(insee_code="49007")
    assert (angers_after.name, angers_after.population, angers_after.latitude) == (
        angers_before.name,
        angers_before.population,
        angers_before.latitude,
    )


def test_loading_again_repairs_a_commune_edited_by_hand(communes):
    Commune.objects.filter(insee_code="49007").update(name="Angers-la-Noire", search_name="angers la noire")

    load_reference(row for row in read_reference_file() if row["department_code"] == "49")

    angers = Commune.objects.get(insee_code="49007")
    assert angers.name == "Angers"
    assert angers.search_name == "angers"
    assert [commune.insee_code for commune in Commune.objects.search("angers la noire")] == []


@pytest.mark.django_db
def test_the_load_communes_command_loads_only_the_departement_asked(capsys):
    call_command("load_communes", "--department", "49")

    assert set(Commune.objects.values_list("department_code", flat=True)) == {"49"}
    assert Commune.objects.count() == 177
    assert Commune.objects.get(insee_code="49007").postcodes.count() == 2
    assert "177" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_load_communes_command_accepts_several_departements():
    call_command("load_communes", "--department", "49", "--department", "2A")

    assert set(Commune.objects.values_list("department_code", flat=True)) == {"49", "2A"}
    assert Commune.objects.get(insee_code="2A004").name == "Ajaccio"


# Rebuilding it from the public datasets in ../shared ----------------------------------------------------


@pytest.fixture(scope="module")
def rebuilt_rows(shared_dir):
    return list(build_reference_rows(shared_dir / "data"))


@pytest.mark.shared
def test_the_file_rebuilt_from_shared_lists_the_same_communes(rebuilt_rows, reference_rows):
    assert {row["insee_code"] for row in rebuilt_rows} == {row["insee_code"] for row in reference_rows}


@pytest.mark.shared
def test_the_shipped_file_is_byte_identical_to_a_rebuild(rebuilt_rows, tmp_path):
    rebuilt_file = tmp_path / "communes.csv.gz"

    count = write_reference_file(rebuilt_rows, path=rebuilt_file)

    assert count == len(rebuilt_rows)
    assert rebuilt_file.read_bytes() == REFERENCE_FILE.read_bytes()
