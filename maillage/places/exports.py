"""Open data: the published places as standard-mediation-num v1.0.1 and as data·inclusion v1.

Everything streams: places are read in primary-key order with ``.iterator()`` and each writer
yields text chunks, so memory stays flat whatever the number of places. The same rows feed the
CSV, JSON and GeoJSON files; tests/places/test_exports.py validates them against the official
Table Schema (frictionless) and the data·inclusion JSON Schemas (jsonschema).
"""

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch

from maillage.places.models import Place, PlaceSource
from maillage.places.schema import ENUMERATIONS, FIELDS, MULTI_VALUE_SEPARATOR, UNKNOWN_SIRET
from maillage.spreadsheets import Echo

CHUNK_SIZE = 1000
PRODUCER = "Maillage"  # the schema's "source" column when no source named its producer

# The schema's patterns, for the values we must leave empty rather than publish invalid.
PIVOT_PATTERN = re.compile(r"[a-zA-Z0-9]{9,14}")
PHONE_PATTERN = re.compile(r"(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}")
POSTCODE_PATTERN = re.compile(r"\d{5}")
SIRET_PATTERN = re.compile(r"\d{14}")

# Enumerated columns of the schema and the Place field that holds each (see importers/pipeline.py).
ENUMERATION_COLUMNS = {
    "itinerance": "mobility",
    "services": "services",
    "publics_specifiquement_adresses": "publics",
    "prise_en_charge_specifique": "specific_support",
    "frais_a_charge": "fees",
    "dispositif_programmes_nationaux": "national_programmes",
    "formations_labels": "labels",
    "modalites_acces": "access_modes",
    "modalites_accompagnement": "support_modes",
}


def published_places():
    """The places everyone may see, in a stable order, with their sources' producers."""
    sources = PlaceSource.objects.order_by("pk").only("pk", "place_id", "producer")
    return Place.objects.published().order_by("pk").prefetch_related(Prefetch("sources", queryset=sources))


def _iterate(places):
    return (published_places() if places is None else places).iterator(chunk_size=CHUNK_SIZE)


def _joined(values):
    return MULTI_VALUE_SEPARATOR.join(values)


def _in_schema_order(values, column):
    """The official values among ``values``, in the order of the schema's enumeration."""
    present = set(values)
    return [value for value in ENUMERATIONS[column] if value in present]


def _typologies(place):
    # Some sources separate several codes with spaces ("EPN MUNI"): codes never contain one.
    codes = []
    for value in place.typologie:
        for code in re.split(r"[\s,;|]+", value):
            if code and code not in codes:
                codes.append(code)
    return codes


def _producer(place):
    """The first contributing source that named who collected the data, else us."""
    return next((source.producer for source in place.sources.all() if source.producer), PRODUCER)


# standard-mediation-num v1.0.1 ----------------------------------------------------------------


def missing_for_standard(place):
    """Why ``place`` cannot be a valid row of the standard (a required column is empty), or ''."""
    if not place.name.strip():
        return "no name"
    if not place.commune_name.strip():
        return "no commune"
    if not POSTCODE_PATTERN.fullmatch(place.postcode):
        return "no postcode"
    if not place.address.strip():
        return "no address"
    return ""


def standard_row(place):
    """One row of standard-mediation-num v1.0.1, keyed by the schema's columns in their order."""
    row = {
        "id": str(place.pk),
        "pivot": place.pivot if PIVOT_PATTERN.fullmatch(place.pivot) else UNKNOWN_SIRET,
        "nom": place.name,
        "commune": place.commune_name,
        "code_postal": place.postcode,
        "code_insee": place.commune_id or "",
        "adresse": place.address,
        "complement_adresse": place.address_complement,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "typologie": _joined(_typologies(place)),
        "telephone": place.phone if PHONE_PATTERN.fullmatch(place.phone) else "",
        "courriels": _joined(place.emails),
        "site_web": _joined(place.websites),
        "horaires": place.opening_hours if place.opening_hours_valid else "",
        "presentation_resume": place.summary,
        "presentation_detail": place.description,
        "source": _producer(place),
        "structure_parente": place.structure_parente,
        "date_maj": place.updated_on.isoformat(),
        "autres_formations_labels": place.other_labels,
        "fiche_acces_libre": place.accessibility_sheet_url,
        "prise_rdv": place.booking_url,
    }
    for column, field in ENUMERATION_COLUMNS.items():
        row[column] = _joined(_in_schema_order(getattr(place, field), column))
    return {column: row[column] for column in FIELDS}


def standard_rows(places=None, left_out=None):
    """Rows of the published places; a place missing a required column is left out.

    ``left_out``, a Counter, counts the places left out by reason.
    """
    for place in _iterate(places):
        reason = missing_for_standard(place)
        if reason:
            if left_out is not None:
                left_out[reason] += 1
            continue
        yield standard_row(place)


def csv_chunks(rows):
    """CSV, UTF-8, comma-separated, header = the schema's columns (None is written empty)."""
    writer = csv.writer(Echo())
    yield writer.writerow(FIELDS)
    for row in rows:
        yield writer.writerow(row[column] for column in FIELDS)


def json_array_chunks(items):
    """A JSON array, one item per line."""
    yield "["
    separator = "\n"
    for item in items:
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def json_chunks(rows):
    """A JSON array of the rows; numbers stay numbers, a missing position is null."""
    return json_array_chunks(rows)


def geojson_chunks(rows):
    """A GeoJSON FeatureCollection: one Point per place with a position, the row as properties."""
    features = (
        {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": row,
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    )
    yield '{"type": "FeatureCollection", "features": '
    yield from json_array_chunks(features)
    yield "}\n"


# data·inclusion v1 (schema 1.0.8) -------------------------------------------------------------
#
# The mapping tables, in one place. Values on the left are the standard's (our Place fields), on
# the right data·inclusion's referentials (schemas/v1/extra/*.json). They follow data·inclusion's
# own pipeline for the "mediation-numerique" source where it has one, so that our files say what
# data·inclusion would derive from the same places. Texts are French: data·inclusion is.

DI_SOURCE = "maillage"
DI_SERVICE_NAME = "Médiation numérique"

# dispositif_programmes_nationaux and formations_labels -> reseaux_porteurs. No equivalent for
# Bibliothèques numérique de référence, Certification PIX, Point d'accès numérique CAF (the point
# is hosted by a partner, not carried by the CAF), Promeneurs du net, and the regional labels.
DI_NETWORKS_BY_PROGRAMME = {
    "Aidants Connect": "aidants-connect",
    "Conseillers numériques": "conseillers-numeriques",
    "Emmaüs Connect": "emmaus",
    "France Services": "france-service",
    "Grande école du numérique": "grandes-ecoles-du-numerique",
    "La Croix Rouge": "croix-rouge",
    "Relais numérique (Emmaüs Connect)": "emmaus",
    "Fabriques de Territoire": "fabrique-de-territoire",
}

# typologie (data·inclusion v0 structure types, which the standard reuses) -> reseaux_porteurs,
# only where the type names the network that carries the place.
DI_NETWORKS_BY_TYPOLOGY = {
    "AFPA": "afpa",
    "CAF": "caf",
    "CAP_EMPLOI": "cap-emploi-reseau-cheops",
    "CC": "communes",
    "CCAS": "ccas-cias",
    "CCONS": "chambres-consulaires",
    "CD": "departements",
    "CDAS": "departements",
    "CIAS": "ccas-cias",
    "CIDFF": "cidff",
    "CPAM": "cpam",
    "CSAPA": "csapa",
    "DEPT": "departements",
    "E2C": "ecoles-de-la-deuxieme-chance",
    "EPCI": "communes",
    "EPN": "espaces-publics-numeriques",
    "FT": "france-travail",
    "LA_POSTE": "la-poste",
    "MDE": "maisons-de-l-emploi",
    "MDEF": "maisons-de-l-emploi",
    "MDPH": "mdph",
    "MDS": "maisons-des-solidarites",
    "MJC": "mjc",
    "ML": "mission-locale",
    "MSA": "mutualite-sociale-agricole",
    "MSAP": "msap",
    "MUNI": "communes",
    "PAD": "points-justice",
    "PE": "france-travail",
    "PIJ_BIJ": "reseau-information-jeunesse",
    "PIMMS": "pimms-mediation",
    "PREF": "regions",
    "REG": "regions",
    "RESSOURCERIE": "ressourceries",
    "RFS": "france-service",
    "RS_FJT": "residences-fjt",
}

# services -> thematiques: the "numerique--…" theme of each service, and the theme of another
# family where the service plainly belongs to it too (as data·inclusion maps this standard).
DI_THEMES_BY_SERVICE = {
    "Aide aux démarches administratives": (
        "numerique--acceder-a-des-services-en-ligne",
        "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
    ),
    "Maîtrise des outils numériques du quotidien": (
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "numerique--acceder-a-des-services-en-ligne",
    ),
    "Insertion professionnelle via le numérique": (
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
    ),
    "Utilisation sécurisée du numérique": ("numerique--maitriser-les-fondamentaux-du-numerique",),
    "Parentalité et éducation avec le numérique": (
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "famille--soutien-a-la-parentalite-et-a-leducation",
    ),
    "Loisirs et créations numériques": (
        "numerique--maitriser-les-fondamentaux-du-numerique",
        "remobilisation--activites-sportives-et-culturelles",
    ),
    "Compréhension du monde numérique": ("numerique--maitriser-les-fondamentaux-du-numerique",),
    "Accès internet et matériel informatique": (
        "numerique--acceder-a-une-connexion-internet",
        "numerique--acquerir-un-equipement",
    ),
    "Acquisition de matériel informatique à prix solidaire": ("numerique--acquerir-un-equipement",),
}

# frais_a_charge -> frais (data·inclusion v1 knows only gratuit and payant).
DI_FEES = {"Gratuit": "gratuit", "Gratuit sous condition": "gratuit", "Payant": "payant"}

# modalites_accompagnement -> type (one service per place: the first that applies, in this order).
DI_TYPE_BY_SUPPORT_MODE = {
    "Accompagnement individuel": "accompagnement",
    "À distance": "accompagnement",
    "Dans un atelier collectif": "atelier",
    "En autonomie": "aide-materielle",
}
IN_PERSON_SUPPORT_MODES = {"En autonomie", "Accompagnement individuel", "Dans un atelier collectif"}

# publics_specifiquement_adresses -> publics ("tous-publics" when none: the standard's default).
DI_PUBLICS = {
    "Jeunes": "jeunes",
    "Étudiants": "etudiants",
    "Familles et/ou enfants": "familles",
    "Seniors": "seniors",
    "Femmes": "femmes",
}

# modalites_acces -> (modes_mobilisation, mobilisable_par, the Place field the mode needs).
DI_MOBILISATION = {
    "Se présenter": ("se-presenter", "usagers", None),
    "Téléphoner": ("telephoner", "usagers", "phone"),
    "Contacter par mail": ("envoyer-un-courriel", "usagers", "emails"),
    "Prendre un RDV en ligne": ("utiliser-lien-mobilisation", "usagers", "booking_url"),
    "Envoyer un mail avec une fiche de prescription": ("envoyer-un-courriel", "professionnels", "emails"),
}
NO_PUBLIC = "Ce lieu n'accueille pas de public"


def _unique(values):
    return list(dict.fromkeys(value for value in values if value))


def _or_none(value):
    return value if value not in ("", [], None) else None


def _shortened(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _sentence(label, values):
    return f"{label} : {', '.join(value[0].lower() + value[1:] for value in values)}."


def di_structure_id(place):
    return f"{DI_SOURCE}--{place.pk}"


def _di_name(place):
    """3 to 150 characters, not ending with a full stop (data·inclusion's rule for names)."""
    name = _shortened(place.name.strip().rstrip(". "), 150)
    if len(name) < 3:
        name = f"{name} ({place.commune_name})" if place.commune_name else f"Lieu {name}".strip()
    return name


def _di_description(place):
    summary, detail = place.summary.strip(), place.description.strip()
    text = detail if summary and detail.startswith(summary) else "\n\n".join(_unique([summary, detail]))
    return _shortened(text, 10_000) if len(text) >= 5 else None


def _di_location(place):
    """The address and contact fields that structures and services share."""
    return {
        "commune": _or_none(place.commune_name),
        "code_postal": place.postcode if POSTCODE_PATTERN.fullmatch(place.postcode) else None,
        "code_insee": place.commune_id or None,
        "adresse": _or_none(place.address),
        "complement_adresse": _or_none(place.address_complement),
        "latitude": place.latitude,
        "longitude": place.longitude,
        "telephone": _or_none(place.phone),
        "courriel": place.emails[0] if place.emails else None,
        "horaires_accueil": place.opening_hours if place.opening_hours_valid and place.opening_hours else None,
    }


def di_structure(place):
    networks = [DI_NETWORKS_BY_PROGRAMME.get(value) for value in [*place.national_programmes, *place.labels]]
    networks += [DI_NETWORKS_BY_TYPOLOGY.get(code) for code in _typologies(place)]
    if "maisons-des-solidarites" in networks:
        networks.append("departements")  # as the referential asks for these departmental services
    pivot = place.pivot if SIRET_PATTERN.fullmatch(place.pivot) and place.pivot != UNKNOWN_SIRET else None
    return {
        "source": DI_SOURCE,
        "id": di_structure_id(place),
        "nom": _di_name(place),
        "date_maj": place.updated_on.isoformat(),
        "description": _di_description(place),
        "lien_source": None,  # no public page per place yet
        "siret": pivot,
        **_di_location(place),
        "site_web": place.websites[0] if place.websites else None,
        "accessibilite_lieu": _or_none(place.accessibility_sheet_url),
        "reseaux_porteurs": _or_none(_unique(networks)),
    }


def _di_fees(place):
    """(frais, frais_precisions)."""
    fees = _in_schema_order(place.fees, "frais_a_charge")
    values = _unique(DI_FEES[fee] for fee in fees)
    if not values:
        return None, None
    if values == ["gratuit"]:
        return "gratuit", ("Gratuit sous condition." if fees == ["Gratuit sous condition"] else None)
    if values == ["payant"]:
        return "payant", None
    return "payant", "Certains services sont gratuits, d’autres payants."


def _di_mobilisation(place):
    """(modes_mobilisation, mobilisable_par): a mode only when the place gives what it needs."""
    modes, who = [], []
    for access_mode in _in_schema_order(place.access_modes, "modalites_acces"):
        if access_mode not in DI_MOBILISATION:
            continue
        mode, person, needs = DI_MOBILISATION[access_mode]
        who.append(person)
        if needs is None or getattr(place, needs):
            modes.append(mode)
    return _or_none(_unique(modes)), _or_none(_unique(who))


def _di_service_description(place, themes_of_services):
    parts = [f"{place.name.strip()} vous aide à utiliser les outils numériques."]
    if themes_of_services:
        parts.append(_sentence("Services proposés", themes_of_services))
    support_modes = _in_schema_order(place.support_modes, "modalites_accompagnement")
    if support_modes:
        parts.append(_sentence("Accompagnement", support_modes))
    if place.summary.strip():
        parts.append(place.summary.strip())
    return _shortened(" ".join(parts), 10_000)


def di_service(place):
    """The digital-mediation offer of a place, as one data·inclusion service."""
    services = _in_schema_order(place.services, "services")
    support_modes = _in_schema_order(place.support_modes, "modalites_accompagnement")
    fees, fees_details = _di_fees(place)
    modes, who = _di_mobilisation(place)
    publics = _unique(DI_PUBLICS[value] for value in _in_schema_order(place.publics, "publics_specifiquement_adresses"))
    specific_support = _in_schema_order(place.specific_support, "prise_en_charge_specifique")
    welcomes_public = NO_PUBLIC not in place.access_modes
    reception = []
    if "À distance" in support_modes:
        reception.append("a-distance")
    if welcomes_public and (not support_modes or IN_PERSON_SUPPORT_MODES & set(support_modes)):
        reception.append("en-presentiel")
    return {
        "source": DI_SOURCE,
        "structure_id": di_structure_id(place),
        "id": f"{DI_SOURCE}--{place.pk}-mediation-numerique",
        "nom": DI_SERVICE_NAME,
        "description": _di_service_description(place, services),
        "date_maj": place.updated_on.isoformat(),
        "lien_source": None,
        "type": next(
            (DI_TYPE_BY_SUPPORT_MODE[mode] for mode in DI_TYPE_BY_SUPPORT_MODE if mode in support_modes), None
        ),
        "thematiques": _or_none(_unique(theme for service in services for theme in DI_THEMES_BY_SERVICE[service])),
        "frais": fees,
        "frais_precisions": fees_details,
        "publics": publics or ["tous-publics"],
        "publics_precisions": _sentence("Prise en charge spécifique", specific_support) if specific_support else None,
        **_di_location(place),
        "modes_accueil": _or_none(reception),
        "modes_mobilisation": modes,
        "mobilisable_par": who,
        "lien_mobilisation": _or_none(place.booking_url),
        "zone_eligibilite": None,
    }


def di_structures(places=None):
    return (di_structure(place) for place in _iterate(places))


def di_services(places=None):
    return (di_service(place) for place in _iterate(places))


def data_inclusion_chunks(places=None):
    """{"structures": [...], "services": [...]} as one JSON document."""
    yield '{"structures": '
    yield from json_array_chunks(di_structures(places))
    yield ', "services": '
    yield from json_array_chunks(di_services(places))
    yield "}\n"


FORMATS = ("csv", "json", "geojson", "data-inclusion")


def export_chunks(export_format, left_out=None):
    """The text chunks of one of FORMATS; ``left_out`` counts places the standard cannot hold."""
    if export_format == "data-inclusion":
        return data_inclusion_chunks()
    writer = {"csv": csv_chunks, "json": json_chunks, "geojson": geojson_chunks}[export_format]
    return writer(standard_rows(left_out=left_out))


# The files of /donnees/ (Licence Ouverte 2.0): where, what, how named, how written -----------------


@dataclass(frozen=True)
class OpenDataFile:
    path: str  # under /donnees/
    content_type: str
    filename: str
    chunks: Callable  # () → the file's pieces, streamed


OPEN_DATA_FILES = {
    "places_csv": OpenDataFile(
        "lieux.csv", "text/csv; charset=utf-8", "lieux-mediation-numerique.csv", lambda: csv_chunks(standard_rows())
    ),
    "places_json": OpenDataFile(
        "lieux.json", "application/json", "lieux-mediation-numerique.json", lambda: json_chunks(standard_rows())
    ),
    "places_geojson": OpenDataFile(
        "lieux.geojson",
        "application/geo+json",
        "lieux-mediation-numerique.geojson",
        lambda: geojson_chunks(standard_rows()),
    ),
    "data_inclusion_structures": OpenDataFile(
        "data-inclusion/structures.json",
        "application/json",
        "data-inclusion-structures.json",
        lambda: json_array_chunks(di_structures()),
    ),
    "data_inclusion_services": OpenDataFile(
        "data-inclusion/services.json",
        "application/json",
        "data-inclusion-services.json",
        lambda: json_array_chunks(di_services()),
    ),
}
