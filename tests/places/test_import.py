import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from maillage.places.importers import pipeline
from maillage.places.importers.pipeline import import_file
from maillage.places.importers.readers import FileRefused
from maillage.places.models import Place, PlaceSource

V1_CSV = """\
id;pivot;nom;commune;code_postal;code_insee;adresse;latitude;longitude;telephone;courriels;horaires;date_maj;services;frais_a_charge;modalites_accompagnement
m1;73282932000074;Médiathèque Toussaint;Angers;49000;49007;49 rue Toussaint;47.4696;-0.5540;02 41 24 25 50;library@angers.fr;Tu-Sa 10:00-18:00;2024-03-01;Aide aux démarches administratives|Maîtrise des outils numériques du quotidien;Gratuit;Accompagnement individuel|Dans un atelier collectif
m2;;Espace numérique de Trélazé;Trélazé;49800;;2 place de la Mairie;;;241000000;;lundi matin;15/01/2024;;;
m3;;;Angers;49000;;1 rue sans nom;;;;;;2024-01-01;;;
m4;;Lieu introuvable;Nulle-Part;99999;;1 rue X;;;;;;2024-01-01;;;
"""  # noqa: E501

V0_JSON = [
    {
        "id": "a-1",
        "nom": "Mediatheque Toussaint",
        "commune": "ANGERS",
        "code_postal": "49000",
        "adresse": "49 rue Toussaint",
        "latitude": 47.46962,
        "longitude": -0.55405,
        "date_maj": "2022-07-15",
        "services": "Prendre en main un ordinateur;Accéder à une connexion internet",
        "publics_accueillis": "Seniors (+ 65 ans);Surdité",
        "conditions_acces": "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
        "labels_nationaux": "CNFS;Fabriques de Territoire",
    }
]


@pytest.fixture
def v1_file(tmp_path):
    path = tmp_path / "angers-v1.csv"
    path.write_text(V1_CSV, encoding="utf-8")
    return path


@pytest.fixture
def v0_file(tmp_path):
    path = tmp_path / "hub-v0.json"
    path.write_text(json.dumps(V0_JSON), encoding="utf-8")
    return path


def test_a_standard_file_is_imported_and_each_rejected_row_says_why(communes, v1_file):
    report = import_file(v1_file)
    assert (report.rows, report.created) == (4, 2)
    reasons = {source_id: reason for _row, source_id, reason in report.rejections}
    assert reasons == {"m3": "no name", "m4": "commune not found and no position (postcode 99999, commune Nulle-Part)"}
    library = Place.objects.get(name="Médiathèque Toussaint")
    assert (library.phone, library.commune_id, library.pivot) == ("+33241242550", "49007", "73282932000074")
    assert library.services == ["Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien"]
    assert library.support_modes == ["Accompagnement individuel", "Dans un atelier collectif"]
    trelaze = Place.objects.get(name="Espace numérique de Trélazé")
    assert trelaze.commune.name == "Trélazé", "INSEE code filled from the postcode and the commune name"
    assert trelaze.phone == "+33241000000"
    assert (trelaze.opening_hours, trelaze.opening_hours_valid) == ("lundi matin", False)


def test_importing_the_same_file_again_changes_nothing(communes, v1_file):
    import_file(v1_file)
    before = list(Place.objects.values().order_by("pk"))
    again = import_file(v1_file)
    assert (again.created, again.updated, again.merged, again.unchanged) == (0, 0, 0, 2)
    assert list(Place.objects.values().order_by("pk")) == before


def test_a_dry_run_reads_everything_and_saves_nothing(communes, v1_file):
    report = import_file(v1_file, dry_run=True)
    assert report.created == 2
    assert not Place.objects.exists() and not PlaceSource.objects.exists()


def test_a_file_applies_whole_or_not_at_all(communes, v1_file, monkeypatch):
    original = pipeline.DuplicateIndex.find
    calls = []

    def failing_on_second_row(self, fields, source):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return original(self, fields, source)

    monkeypatch.setattr(pipeline.DuplicateIndex, "find", failing_on_second_row)
    with pytest.raises(RuntimeError):
        import_file(v1_file)
    assert not Place.objects.exists()


def test_the_same_place_from_two_sources_is_merged_and_both_are_kept_as_provenance(communes, v1_file, v0_file):
    import_file(v1_file)
    report = import_file(v0_file)
    assert report.merged == 1
    library = Place.objects.get(name="Médiathèque Toussaint")
    assert set(library.sources.values_list("source", flat=True)) == {"angers-v1", "hub-v0"}
    assert "Accès internet et matériel informatique" in library.services, "what the second source knows is added"
    assert library.publics == ["Seniors"] and library.specific_support == ["Surdité"]
    assert library.national_programmes == ["Conseillers numériques"] and library.labels == ["Fabriques de Territoire"]
    assert library.phone == "+33241242550", "what the first source said stays"


def test_the_command_reports_a_summary_and_a_csv_of_rejections(communes, v1_file, tmp_path):
    output, report_path = StringIO(), tmp_path / "rejections.csv"
    call_command("import_places", str(v1_file), "--report", str(report_path), stdout=output)
    assert "4 rows, 2 accepted" in output.getvalue()
    assert report_path.read_text(encoding="utf-8").count("\n") == 3  # header and two rejected rows


@pytest.mark.shared
def test_every_places_file_of_shared_data_is_eaten_at_98_percent_at_least(shared_dir, communes, tmp_path):
    from maillage.territory.reference import load_reference, read_reference_file

    load_reference(read_reference_file())  # every commune of France, for places all over it
    data = shared_dir / "data"
    files = [
        *sorted((data / "client-application").glob("*.json")),
        *sorted(path for path in (data / "mednum-cli-inputs").glob("*.json") if not path.name.endswith(".config.json")),
        *sorted((data / "france-services").glob("*.geojson")),
        data / "inclusion-numerique-stack" / "aidants-connect_structures.csv",
        data / "inclusion-numerique-stack" / "20230405-3925-cnfs.csv",
    ]
    output = StringIO()
    call_command("import_places", *map(str, files), "--report", str(tmp_path / "rejections.csv"), stdout=output)
    reports = [line for line in output.getvalue().splitlines() if " rows, " in line and not line.startswith("Total")]
    assert len(reports) == len(files)
    total = output.getvalue().splitlines()[-1]
    rows, accepted = (int(word) for word in total.split() if word.isdigit())
    assert accepted / rows >= 0.98, total


def test_a_new_download_of_the_same_undated_rows_changes_nothing(communes, tmp_path):
    import os

    path = tmp_path / "undated.json"
    path.write_text(json.dumps([{**V0_JSON[0], "date_maj": None}]), encoding="utf-8")
    import_file(path)
    os.utime(path, (1_900_000_000, 1_900_000_000))  # downloaded again, years later
    again = import_file(path)
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_reimport_never_erases_what_an_owner_typed(communes, v1_file, tmp_path):
    import_file(v1_file)
    library = Place.objects.get(name="Médiathèque Toussaint")
    library.phone, library.last_verified_on = "+33299999999", date(2026, 11, 1)
    library.save()
    changed = tmp_path / "angers-v1.csv"
    changed.write_text(V1_CSV.replace("Tu-Sa 10:00-18:00", "Tu-Fr 10:00-18:00"), encoding="utf-8")
    assert import_file(changed, source="angers-v1").updated == 1
    library.refresh_from_db()
    assert library.phone == "+33299999999"


# A file cut short (a download stopped, a disk full) is refused whole, with a message -----------------


def _cut_points_of_last_row(text):
    """Every place where the last row can be cut before its last column: its quoted field included."""
    start = text.rstrip("\n").rindex("\nm")  # the last row begins a line with its id
    last_delimiter = text.rindex(";")
    return range(start + 3, last_delimiter + 1)


QUOTED_ROW = (  # a quoted address holding the delimiter, and quoted hours
    'm5;;Tiers-lieu La Fabrique;Angers;49000;49007;"3 rue du Port; bâtiment B";;;;;'
    '"Mo 14:00-18:00";2024-02-01;;Gratuit;\n'
)


def test_a_csv_cut_anywhere_before_its_last_column_is_refused_whole(communes, tmp_path):
    text = V1_CSV + QUOTED_ROW
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8")
    assert import_file(path).created == 3  # whole, the file is good
    Place.objects.all().delete()
    PlaceSource.objects.all().delete()

    for cut in _cut_points_of_last_row(text):
        path.write_text(text[:cut], encoding="utf-8")
        with pytest.raises(FileRefused, match="Nothing of it was imported"):
            import_file(path)
        assert not Place.objects.exists(), f"cut at {cut}: {text[cut - 20 : cut]!r}"
        assert not PlaceSource.objects.exists()


def test_a_csv_ending_inside_a_quoted_field_is_refused_whole(communes, tmp_path):
    path = tmp_path / "open-quote.csv"
    path.write_text(V1_CSV + 'm5;;Tiers-lieu;Angers;49000;49007;"3 rue du Port; bâtim', encoding="utf-8")
    with pytest.raises(FileRefused, match=r"open-quote.csv, line 6: unreadable CSV .*cut short"):
        import_file(path)
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        json.dumps(V0_JSON * 3)[:-40],  # cut short
        json.dumps(V0_JSON * 3)[:1],
        "<html><body>502 Bad Gateway</body></html>",  # what a proxy gave instead of the file
        "\x00\x01 garbage",
        "",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "A"',
    ],
)
def test_a_json_cut_short_or_not_json_is_refused_whole_with_a_message(communes, tmp_path, content):
    path = tmp_path / "places.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FileRefused, match=r"places.geojson: .*Nothing of it was imported"):
        import_file(path)
    assert not Place.objects.exists()


def test_the_command_refuses_a_broken_file_without_a_traceback_and_imports_the_others(communes, v1_file, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(V0_JSON)[:-10], encoding="utf-8")
    output, errors = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"1 file\(s\) refused whole, nothing of them imported: broken.json"):
        call_command(
            "import_places",
            str(broken),
            str(v1_file),
            "--report",
            str(tmp_path / "r.csv"),
            stdout=output,
            stderr=errors,
        )
    assert "Refused: broken.json: not valid JSON" in errors.getvalue()
    assert "Traceback" not in errors.getvalue() + output.getvalue()
    assert set(PlaceSource.objects.values_list("source", flat=True)) == {"angers-v1"}
