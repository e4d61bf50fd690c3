"""From one producer's record to the schema's fields (raw values; normalize.py cleans them).

Each mapping returns a dict keyed by standard-mediation-num v1 field names. Which mapping reads a
file is decided from the file itself (detect_mapping): a mednum-cli config beside it, GeoJSON of
France Services, the Aidants Connect or Conseillers numériques CSV, or the standard (v1, v0.1 and
their hybrids).
"""

import json
from pathlib import Path

from maillage.places.importers import mednum_cli
from maillage.places.importers.normalize import week_to_osm

# Standard files of both generations: v1 name ← the names seen in v1, v0.1 and hybrid files.
STANDARD_ALIASES = {
    "id": ("id", "ID"),
    "pivot": ("pivot", "SIRET", "siret", "ridet"),
    "nom": ("nom", "Nom"),
    "commune": ("commune", "Commune"),
    "code_postal": ("code_postal", "Code postal"),
    "code_insee": ("code_insee", "Code INSEE"),
    "adresse": ("adresse", "Adresse"),
    "complement_adresse": ("complement_adresse",),
    "latitude": ("latitude", "__latitude"),
    "longitude": ("longitude", "__longitude"),
    "typologie": ("typologie",),
    "telephone": ("telephone", "téléphone"),
    "courriels": ("courriels", "courriel"),
    "site_web": ("site_web",),
    "horaires": ("horaires",),
    "presentation_resume": ("presentation_resume",),
    "presentation_detail": ("presentation_detail", "description"),
    "source": ("source",),
    "itinerance": ("itinerance",),
    "structure_parente": ("structure_parente",),
    "date_maj": ("date_maj",),
    "services": ("services",),
    "publics_specifiquement_adresses": ("publics_specifiquement_adresses", "publics_accueillis", "public_accueillis"),
    "prise_en_charge_specifique": ("prise_en_charge_specifique", "publics_accueillis", "public_accueillis"),
    "frais_a_charge": ("frais_a_charge", "conditions_acces", "conditions_access"),
    "dispositif_programmes_nationaux": ("dispositif_programmes_nationaux", "labels_nationaux"),
    "formations_labels": ("formations_labels", "labels_nationaux"),
    "autres_formations_labels": ("autres_formations_labels", "labels_autres"),
    "modalites_acces": ("modalites_acces",),
    "modalites_accompagnement": ("modalites_accompagnement",),
    "fiche_acces_libre": ("fiche_acces_libre", "accessibilite"),
    "prise_rdv": ("prise_rdv",),
}
# v0.1 columns that feed several v1 fields, read together with the v1 column when both are present.
MULTI_ALIAS_FIELDS = {
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "frais_a_charge",
}


def _empty(value):
    return value is None or value == "" or value == []


def map_standard(record):
    mapped = {}
    for field, aliases in STANDARD_ALIASES.items():
        values = [record[alias] for alias in aliases if not _empty(record.get(alias))]
        if not values:
            continue
        if field in MULTI_ALIAS_FIELDS and len(values) > 1:
            mapped[field] = [part for value in values for part in (value if isinstance(value, list) else [value])]
        else:
            mapped[field] = values[0]
    return mapped


FRANCE_SERVICES_DAYS = {
    "Mo": "h_lundi",
    "Tu": "h_mardi",
    "We": "h_mercredi",
    "Th": "h_jeudi",
    "Fr": "h_vendredi",
    "Sa": "h_samedi",
}


def map_france_services(record):
    return {
        "id": record.get("MATRICULE"),
        "nom": f"France Services {record.get('lib_france_services', '')}".strip(),
        "adresse": record.get("ADRESSE"),
        "complement_adresse": record.get("COMPLEMENT.D.ADRESSE"),
        "code_postal": record.get("code_postal"),
        "code_insee": record.get("insee_com"),
        "commune": record.get("lib_com"),
        "latitude": record.get("LATITUDE") or record.get("__latitude"),
        "longitude": record.get("LONGITUDE") or record.get("__longitude"),
        "telephone": record.get("TELEPHONE"),
        "courriels": record.get("CONTACT.MAIL"),
        "horaires": week_to_osm({day: record.get(column, "") for day, column in FRANCE_SERVICES_DAYS.items()}),
        "itinerance": "Itinérant" if str(record.get("ITINERANCE", "")).strip().lower() == "oui" else "Fixe",
        "services": "Aide aux démarches administratives",
        "dispositif_programmes_nationaux": "France Services",
        "modalites_accompagnement": "Accompagnement individuel",
        "frais_a_charge": "Gratuit",
        "source": "France Services (ANCT)",
        "date_maj": "2021-04-01",
    }


def map_aidants_connect(record):
    programmes = ["Aidants Connect"]
    if str(record.get("France Services Label", "")).lower() == "true":
        programmes.append("France Services")
    return {
        "id": record.get("ID") or record.get("UUID"),
        "nom": record.get("Name"),
        "pivot": record.get("Siret"),
        "adresse": record.get("Address"),
        "code_postal": record.get("Zip Code"),
        "code_insee": record.get("City Insee Code"),
        "commune": record.get("City"),
        "services": "Aide aux démarches administratives",
        "dispositif_programmes_nationaux": programmes,
        "modalites_accompagnement": "Accompagnement individuel",
        "source": "Aidants Connect",
        "__active": str(record.get("Is Active", "true")).lower() == "true",
    }


def map_conseillers_numeriques(record):
    return {
        "id": record.get("SIRET") or f"{record.get('Raison sociale')}-{record.get('Code commune INSEE')}",
        "nom": record.get("Raison sociale"),
        "pivot": record.get("SIRET"),
        "adresse": record.get("Adresse"),
        "code_postal": record.get("Code postal"),
        "code_insee": record.get("Code commune INSEE"),
        "commune": record.get("Commune INSEE"),
        "dispositif_programmes_nationaux": "Conseillers numériques",
        "source": "Conseillers numériques (ANCT)",
        "date_maj": record.get("Date de validation en comité de sélection"),
    }


def _first_record(path, read_records):
    return next(iter(read_records(path)), {})


def detect_mapping(path, read_records):
    """(mapping function, default source name) for a file, decided from its content."""
    path = Path(path)
    config = path.with_name(f"{path.stem}.config.json")
    if config.exists():
        return mednum_cli.mapping_from_config(json.loads(config.read_text(encoding="utf-8"))), path.stem
    first = _first_record(path, read_records)
    if "lib_france_services" in first:
        return map_france_services, "france-services"
    if "Is Active" in first and "City Insee Code" in first:
        return map_aidants_connect, "aidants-connect"
    if "Raison sociale" in first and "Nombre de conseillers validés par le COSELEC" in first:
        return map_conseillers_numeriques, "conseillers-numeriques"
    return map_standard, path.stem
