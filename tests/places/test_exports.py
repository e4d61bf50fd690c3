"""Open data: the published places, as the national standard and as data·inclusion, for anyone.

External judges: frictionless with the official Table Schema of standard-mediation-num v1.0.1,
jsonschema with data·inclusion's JSON Schemas (v1.0.8). Both are read from ../shared.
"""

import csv
import io
import json
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import Resource, Schema
from jsonschema import FormatChecker
from jsonschema.validators import Draft202012Validator, validator_for

from maillage.places import exports
from maillage.places.models import Place, PlaceSource
from maillage.places.schema import ENUMERATIONS, FIELDS
from tests.places.factories import new_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

DATA_INCLUSION = ("schemas", "data-inclusion", "v1.0.8", "schemas", "v1")


def make_place(**fields):
    """A listing as an owner leaves it: in Angers, last updated in March, with no position unless given."""
    defaults = {"commune_id": "49007", "latitude": None, "longitude": None, "updated_on": date(2026, 3, 1)}
    return new_place(**{"name": "Médiathèque Toussaint", **defaults, **fields})


@pytest.fixture
def places(communes):
    """Three published places (one full, one bare, one far from tidy), a draft and an archived one."""
    library = make_place(
        pivot="73282932000074",
        latitude=47.4696,
        longitude=-0.554,
        typologie=["BIB MUNI"],
        phone="+33241242550",
        emails=["library@angers.fr", "contact@angers.fr"],
        websites=["https://bm.angers.fr"],
        opening_hours="Tu-Sa 10:00-18:00",
        summary="Des ateliers pour apprendre à se servir d’un ordinateur.",
        description='Ateliers "débutants", le mardi; accès libre,\npuis aide | sur rendez-vous.',
        accessibility_sheet_url="https://acceslibre.beta.gouv.fr/app/49-angers/a/bibliotheque/erp/library/",
        booking_url="https://www.rdv-solidarites.fr/",
        structure_parente="Ville d'Angers",
        mobility=["Fixe"],
        # Out of the schema's order on purpose, with a value the schema does not know.
        services=["Maîtrise des outils numériques du quotidien", "Aide aux démarches administratives", "Inventé"],
        publics=["Seniors", "Jeunes"],
        specific_support=["Surdité", "Illettrisme"],
        fees=["Gratuit"],
        national_programmes=["France Services", "Conseillers numériques", "Aidants Connect", "Certification PIX"],
        labels=["Fabriques de Territoire"],
        other_labels="Label et la bête",
        access_modes=["Téléphoner", "Se présenter", "Prendre un RDV en ligne", "Contacter par mail"],
        support_modes=["Dans un atelier collectif", "Accompagnement individuel", "À distance"],
    )
    PlaceSource.objects.create(place=library, source="angers", source_id="m1", producer="", content_hash="a")
    PlaceSource.objects.create(place=library, source="hub", source_id="h1", producer="Hubik", content_hash="b")
    bare = make_place(
        name="EPN", address="2 place de la Mairie", postcode="49800", commune_name="Trélazé", commune_id=None
    )
    untidy = make_place(
        name="Espace numérique du Lac.",
        pivot="123",
        phone="+3225551234",  # a Belgian number: not a French one the schema accepts
        opening_hours="le lundi matin",
        opening_hours_valid=False,
        latitude=47.47,
        longitude=-0.55,
        fees=["Payant", "Gratuit sous condition"],
        access_modes=["Envoyer un mail avec une fiche de prescription", "Téléphoner"],
        support_modes=["En autonomie"],
        services=["Acquisition de matériel informatique à prix solidaire"],
    )
    make_place(name="Brouillon secret", status=Place.Status.DRAFT, latitude=47.0, longitude=-0.5)
    make_place(name="Lieu fermé", status=Place.Status.ARCHIVED, latitude=47.0, longitude=-0.5)
    return {"library": library, "bare": bare, "untidy": untidy}


def text_of(chunks):
    return "".join(chunks)


def standard_csv(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(text_of(exports.csv_chunks(exports.standard_rows())), encoding="utf-8", newline="")
    return path


def official_table_schema(shared_dir):
    return json.loads((shared_dir / "schemas" / "mednum" / "schema_v1.0.1.json").read_text(encoding="utf-8"))


def data_inclusion_validator(shared_dir, name):
    schema = json.loads(shared_dir.joinpath(*DATA_INCLUSION, f"{name}.json").read_text(encoding="utf-8"))
    # The schemas come from pydantic and declare no $schema: 2020-12 is what pydantic writes.
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    checker = FormatChecker()

    @checker.checks("uri")
    def is_web_address(value):  # jsonschema checks "uri" only with an extra package: say what we mean
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)

    return cls(schema, format_checker=checker)


def referential(shared_dir, name):
    path = shared_dir.joinpath(*DATA_INCLUSION, "extra", f"{name}.json")
    return {item["value"] for item in json.loads(path.read_text(encoding="utf-8"))}


# The national standard ---------------------------------------------------------------------------


@pytest.mark.shared
def test_the_csv_file_is_valid_against_the_official_table_schema(shared_dir, places, tmp_path):
    path = standard_csv(tmp_path)
    schema = Schema.from_descriptor(official_table_schema(shared_dir))
    # frictionless refuses absolute paths as unsafe: the file is named relative to its folder.
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 3


@pytest.mark.shared
def test_the_validation_would_catch_a_broken_row(shared_dir, places, tmp_path):
    """The judge is not blind: the same file with one bad postcode fails."""
    path = standard_csv(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(",49800,", ",498,"), encoding="utf-8")
    schema = Schema.from_descriptor(official_table_schema(shared_dir))
    report = Resource(path=path.name, basepath=str(tmp_path), schema=schema).validate()
    assert not report.valid
    assert [error[1:3] for error in report.flatten(["rowNumber", "fieldName", "type"])] == [
        ["code_postal", "constraint-error"]
    ]


def test_the_csv_file_has_the_schema_columns_and_one_line_per_published_place(places):
    rows = list(csv.DictReader(io.StringIO(text_of(exports.csv_chunks(exports.standard_rows())))))
    assert tuple(rows[0]) == FIELDS
    assert [row["nom"] for row in rows] == ["Médiathèque Toussaint", "EPN", "Espace numérique du Lac."]
    library = rows[0]
    assert library["id"] == str(places["library"].pk)
    assert library["presentation_detail"] == places["library"].description
    assert library["services"] == "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
    assert library["modalites_accompagnement"] == "Accompagnement individuel|Dans un atelier collectif|À distance"
    assert library["typologie"] == "BIB|MUNI"
    assert library["courriels"] == "library@angers.fr|contact@angers.fr"
    assert library["source"] == "Hubik", "the first source that named its producer"
    assert (library["latitude"], library["code_insee"], library["date_maj"]) == ("47.4696", "49007", "2026-03-01")
    bare, untidy = rows[1], rows[2]
    assert (bare["pivot"], bare["latitude"], bare["code_insee"], bare["source"]) == (
        "00000000000000",
        "",
        "",
        "Maillage",
    )
    assert (untidy["pivot"], untidy["telephone"], untidy["horaires"]) == ("00000000000000", "", "")
    assert untidy["frais_a_charge"] == "Gratuit sous condition|Payant"


def test_the_json_file_holds_the_same_rows_with_numbers_as_numbers(places):
    records = json.loads(text_of(exports.json_chunks(exports.standard_rows())))
    assert [record["id"] for record in records] == [str(places[key].pk) for key in ("library", "bare", "untidy")]
    library, bare = records[0], records[1]
    assert list(library) == list(FIELDS)
    assert (library["latitude"], library["longitude"]) == (47.4696, -0.554)
    assert (bare["latitude"], bare["longitude"]) == (None, None)
    assert library["dispositif_programmes_nationaux"] == (
        "Aidants Connect|Certification PIX|Conseillers numériques|France Services"
    )


def test_the_geojson_file_puts_each_located_place_on_the_map(places):
    collection = json.loads(text_of(exports.geojson_chunks(exports.standard_rows())))
    assert collection["type"] == "FeatureCollection"
    features = {feature["properties"]["nom"]: feature for feature in collection["features"]}
    assert set(features) == {"Médiathèque Toussaint", "Espace numérique du Lac."}, "the bare place has no position"
    library = features["Médiathèque Toussaint"]
    assert library["geometry"] == {"type": "Point", "coordinates": [-0.554, 47.4696]}
    assert library["properties"]["id"] == library["id"] == str(places["library"].pk)
    assert list(library["properties"]) == list(FIELDS)


def test_a_place_missing_a_required_column_is_left_out_of_the_standard_and_counted(places):
    make_place(name="Bus numérique", address="")
    left_out = Counter()
    names = [row["nom"] for row in exports.standard_rows(left_out=left_out)]
    assert "Bus numérique" not in names and len(names) == 3
    assert left_out == {"no address": 1}
    assert "Bus numérique" in {structure["nom"] for structure in exports.di_structures()}, "data·inclusion allows it"


def test_the_identifiers_do_not_change_from_one_export_to_the_next(places):
    first = [row["id"] for row in exports.standard_rows()]
    Place.objects.filter(pk=places["bare"].pk).update(name="EPN de Trélazé")
    assert [row["id"] for row in exports.standard_rows()] == first


# data·inclusion -------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("name, items", [("structure", exports.di_structures), ("service", exports.di_services)])
def test_data_inclusion_files_are_valid_against_their_json_schemas(shared_dir, places, name, items):
    validator = data_inclusion_validator(shared_dir, name)
    records = list(items())
    assert len(records) == 3
    problems = [
        f"{record['id']} {'.'.join(map(str, error.absolute_path))}: {error.message}"
        for record in records
        for error in validator.iter_errors(record)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.shared
def test_data_inclusion_schemas_are_self_contained_and_match_their_referentials(shared_dir):
    """No $ref to another file (extra/*.json are documentation): the enums in $defs are the referentials."""
    for name in ("structure", "service"):
        text = shared_dir.joinpath(*DATA_INCLUSION, f"{name}.json").read_text(encoding="utf-8")
        assert all(ref.startswith('"#/$defs/') for ref in text.split('"$ref": ')[1:]), name
    service = json.loads(shared_dir.joinpath(*DATA_INCLUSION, "service.json").read_text(encoding="utf-8"))
    assert set(service["$defs"]["Thematique"]["enum"]) == referential(shared_dir, "thematiques")
    assert set(service["$defs"]["Frais"]["enum"]) == referential(shared_dir, "frais")


@pytest.mark.shared
def test_our_mapping_tables_only_use_values_of_the_data_inclusion_referentials(shared_dir):
    networks = referential(shared_dir, "reseaux-porteurs")
    assert set(exports.DI_NETWORKS_BY_PROGRAMME.values()) <= networks
    assert set(exports.DI_NETWORKS_BY_TYPOLOGY.values()) <= networks
    themes = {theme for values in exports.DI_THEMES_BY_SERVICE.values() for theme in values}
    assert themes <= referential(shared_dir, "thematiques")
    assert set(exports.DI_FEES.values()) <= referential(shared_dir, "frais")
    assert set(exports.DI_TYPE_BY_SUPPORT_MODE.values()) <= referential(shared_dir, "types-de-services")
    assert set(exports.DI_PUBLICS.values()) <= referential(shared_dir, "publics")
    assert {mode for mode, _who, _needs in exports.DI_MOBILISATION.values()} <= referential(
        shared_dir, "modes-mobilisation"
    )
    # And every value of the standard has its line: a new one must be mapped knowingly.
    assert set(exports.DI_THEMES_BY_SERVICE) == set(ENUMERATIONS["services"])
    assert set(exports.DI_FEES) == set(ENUMERATIONS["frais_a_charge"])
    assert set(exports.DI_TYPE_BY_SUPPORT_MODE) == set(ENUMERATIONS["modalites_accompagnement"])
    assert set(exports.DI_PUBLICS) == set(ENUMERATIONS["publics_specifiquement_adresses"])


def test_a_structure_says_which_networks_carry_the_place(places):
    structures = {structure["id"]: structure for structure in exports.di_structures()}
    library = structures[f"maillage--{places['library'].pk}"]
    assert library["reseaux_porteurs"] == [
        "france-service",
        "conseillers-numeriques",
        "aidants-connect",
        "fabrique-de-territoire",
        "communes",  # typologie MUNI; BIB and Certification PIX have no network
    ]
    assert (library["siret"], library["courriel"], library["site_web"]) == (
        "73282932000074",
        "library@angers.fr",
        "https://bm.angers.fr",
    )
    assert library["description"].startswith("Des ateliers pour apprendre") and "\n\n" in library["description"]
    untidy = structures[f"maillage--{places['untidy'].pk}"]
    assert (untidy["nom"], untidy["siret"], untidy["horaires_accueil"]) == ("Espace numérique du Lac", None, None)
    assert untidy["reseaux_porteurs"] is None and untidy["description"] is None


def test_a_service_describes_the_digital_help_of_the_place(places):
    services = {service["structure_id"]: service for service in exports.di_services()}
    library = services[f"maillage--{places['library'].pk}"]
    assert library["id"] == f"maillage--{places['library'].pk}-mediation-numerique"
    assert library["type"] == "accompagnement"
    assert library["thematiques"] == [
        "numerique--acceder-a-des-services-en-ligne",
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
        "numerique--maitriser-les-fondamentaux-du-numerique",
    ]
    assert (library["frais"], library["frais_precisions"]) == ("gratuit", None)
    assert library["publics"] == ["jeunes", "seniors"]
    assert library["publics_precisions"] == "Prise en charge spécifique : surdité, illettrisme."
    assert library["modes_accueil"] == ["a-distance", "en-presentiel"]
    assert library["modes_mobilisation"] == [
        "se-presenter",
        "telephoner",
        "envoyer-un-courriel",
        "utiliser-lien-mobilisation",
    ]
    assert (library["mobilisable_par"], library["lien_mobilisation"]) == (
        ["usagers"],
        "https://www.rdv-solidarites.fr/",
    )
    assert "aide aux démarches administratives" in library["description"]

    bare = services[f"maillage--{places['bare'].pk}"]
    assert (bare["type"], bare["thematiques"], bare["frais"], bare["publics"]) == (None, None, None, ["tous-publics"])
    assert bare["modes_accueil"] == ["en-presentiel"] and bare["modes_mobilisation"] is None

    untidy = services[f"maillage--{places['untidy'].pk}"]
    assert (untidy["type"], untidy["thematiques"]) == ("aide-materielle", ["numerique--acquerir-un-equipement"])
    assert (untidy["frais"], untidy["frais_precisions"]) == (
        "payant",
        "Certains services sont gratuits, d’autres payants.",
    )
    assert untidy["modes_mobilisation"] == ["telephoner"], "no e-mail address to send a prescription to"
    assert untidy["mobilisable_par"] == ["usagers", "professionnels"]


def test_a_place_that_only_helps_from_afar_is_not_said_to_welcome_people(places):
    remote = make_place(name="Aide à distance", support_modes=["À distance"])
    closed_door = make_place(name="Plateforme", access_modes=["Ce lieu n'accueille pas de public"])
    services = {service["structure_id"]: service for service in exports.di_services()}
    assert services[f"maillage--{remote.pk}"]["modes_accueil"] == ["a-distance"]
    assert services[f"maillage--{closed_door.pk}"]["modes_accueil"] is None


# Drafts, the command, the public URLs ----------------------------------------------------------


@pytest.mark.parametrize("export_format", exports.FORMATS)
def test_drafts_and_archived_places_never_appear_in_any_file(places, export_format):
    text = text_of(exports.export_chunks(export_format))
    assert "Médiathèque Toussaint" in text
    assert "Brouillon secret" not in text and "Lieu fermé" not in text


def test_the_command_writes_each_format_to_standard_output_or_a_file(places, tmp_path):
    output = io.StringIO()
    call_command("export_places", "--format", "data-inclusion", stdout=output)
    document = json.loads(output.getvalue())
    assert (len(document["structures"]), len(document["services"])) == (3, 3)
    path = tmp_path / "lieux.geojson"
    call_command("export_places", "--format", "geojson", "-o", str(path), stdout=io.StringIO())
    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == 2


def test_the_command_says_which_places_the_standard_could_not_hold(places):
    make_place(name="Sans code postal", postcode="")
    errors = io.StringIO()
    call_command("export_places", "--format", "csv", stdout=io.StringIO(), stderr=errors)
    assert "1 published place(s) left out of the standard: no postcode" in errors.getvalue()


DOWNLOADS = [
    ("places:places_csv", "text/csv; charset=utf-8", "lieux-mediation-numerique.csv"),
    ("places:places_json", "application/json", "lieux-mediation-numerique.json"),
    ("places:places_geojson", "application/geo+json", "lieux-mediation-numerique.geojson"),
    ("places:data_inclusion_structures", "application/json", "data-inclusion-structures.json"),
    ("places:data_inclusion_services", "application/json", "data-inclusion-services.json"),
]


@pytest.mark.parametrize("name, content_type, filename", DOWNLOADS)
def test_anyone_can_download_the_open_data_files(places, client, name, content_type, filename):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "Médiathèque Toussaint" in body and "Brouillon secret" not in body
    if not name.endswith("csv"):
        json.loads(body)


def test_the_open_data_page_explains_the_licence_and_links_every_file(places, client):
    response = client.get(reverse("places:open_data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "Licence Ouverte 2.0" in page
    assert "3 lieux sont publiés aujourd’hui." in page, "in French by default"
    for name, _content_type, _filename in DOWNLOADS:
        assert f'href="{reverse(name)}"' in page
