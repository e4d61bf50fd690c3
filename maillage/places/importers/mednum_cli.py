"""Interpreter of the ANCT mednum-cli mapping configs (<source>.config.json beside each raw file).

A config maps the schema's fields to a producer's columns: scalar fields by {"colonne": X} (or
"joindre", "dissocier", "valeur"), opening hours by "osm", "jours" or "semaine" (French free text),
and enumerated fields by rules {"colonnes", "termes", "sauf", "cible"}: a rule adds its cible when
any listed column contains any term (case-insensitive), unless that column contains a "sauf".
Deviations from the ANCT tool, for the evident intent: "sauf" is case-insensitive too, a row is
never dropped for its services (optional in v1), and cibles written in v0.1 labels are mapped to v1
by normalize.clean_enumeration. docs/IMPORT.md lists them.
"""

import re
import unicodedata

from maillage.places.importers.normalize import OSM_DAYS, clean_opening_hours, day_ranges_to_osm, week_to_osm

SCALAR_FIELDS = (
    "id",
    "nom",
    "pivot",
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "code_insee",
    "latitude",
    "longitude",
    "telephone",
    "courriels",
    "courriel",
    "site_web",
    "presentation_resume",
    "presentation_detail",
    "source",
    "structure_parente",
    "date_maj",
    "fiche_acces_libre",
    "prise_rdv",
    "semaine_ouverture",
)
RULE_FIELDS = (
    "services",
    "typologie",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "itinerance",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
)
NO_DEFAULT_RULES = {"modalites_acces", "modalites_accompagnement"}
NOT_OPEN_TO_PUBLIC = "Ce lieu n'accueille pas de public"


def flatten(record, prefix=""):
    flat = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def js_string(value):
    """What JavaScript's toString gives, as the tool reads every cell: None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def js_float(value):
    """parseFloat after the first comma became a dot: the longest numeric prefix ("41.93414,8" → 41.93414)."""
    text = js_string(value)
    if text is None:
        return None
    match = re.match(r"\s*[-+]?\d+(?:\.\d+)?", text.replace(",", ".", 1))
    return float(match.group()) if match else None


def _column(row, column):
    if isinstance(column, list):
        return next((value for value in (_column(row, item) for item in column) if value), None)
    if not column:
        return None
    return js_string(row.get(column))


def read_scalar(row, spec):
    if "colonne" in spec:
        return _column(row, spec["colonne"])
    if "joindre" in spec:
        join = spec["joindre"]
        parts = [js_string(row.get(column)) for column in join.get("colonnes", [])]
        joined = join.get("séparateur", " ").join(part for part in parts if part and part != "0")
        return joined or (read_scalar(row, spec["ou"]) if "ou" in spec else None)
    if "dissocier" in spec:
        split = spec["dissocier"]
        cleaned = re.sub(r"[^\d.\s,-]", "", _column(row, split.get("colonne")) or "")
        parts = [part for part in cleaned.split(split.get("séparateur", ",")) if part.strip()]
        index = split.get("partie", 0)
        return parts[index].strip() if index < len(parts) else None
    if "valeur" in spec:
        return spec["valeur"]
    return None


# Opening hours ----------------------------------------------------------------------------------

FRENCH_DAYS = {
    "lundi": "Mo",
    "mardi": "Tu",
    "mercredi": "We",
    "jeudi": "Th",
    "vendredi": "Fr",
    "samedi": "Sa",
    "dimanche": "Su",
}
_DAY = r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
_DAY_EXPRESSION = re.compile(rf"(?:du\s+)?{_DAY}(?:\s*(?:au|a|-)\s*{_DAY})?")
_CONNECTOR = re.compile(r"^[\s,/&]*(et|,|/|&|les?|\s)*[\s,/&]*$")
_TIME_RANGE = re.compile(r"\d{1,2}\s*[h:]\s*\d{0,2}\s*(?:-|a|/)\s*\d{1,2}\s*[h:]\s*\d{0,2}")


def _days_of(match):
    first, last = FRENCH_DAYS[match.group(1)], FRENCH_DAYS[match.group(2)] if match.group(2) else None
    if not last:
        return [first]
    start, end = OSM_DAYS.index(first), OSM_DAYS.index(last)
    return list(OSM_DAYS[start : end + 1]) if start <= end else [first, last]


def _without_accents(text):
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def french_week_to_osm(text):
    """'9h-12h et 14h-17h du lundi au vendredi', 'Les mardi et jeudi de 15h00 à 19h00' → OSM, or ''."""
    folded = re.sub(r"(\d)\s+h\b", r"\1h", _without_accents(text).lower())
    days = list(_DAY_EXPRESSION.finditer(folded))
    times = list(_TIME_RANGE.finditer(folded))
    if not days or not times:
        return ""
    groups = []  # [(start, end, [days])]: days joined by "et", "," share the hours that follow
    for match in days:
        if groups and _CONNECTOR.match(folded[groups[-1][1] : match.start()]):
            groups[-1] = (groups[-1][0], match.end(), groups[-1][2] + _days_of(match))
        else:
            groups.append((match.start(), match.end(), _days_of(match)))
    hours = {}
    for time in times:
        before = [group for group in groups if group[1] <= time.start()]
        group = before[-1] if before else groups[0]  # hours written before the days: "9h-12h du lundi…"
        for day in group[2]:
            hours.setdefault(day, []).append(time.group())
    return week_to_osm({day: " / ".join(ranges) for day, ranges in hours.items()})


def _fix_osm(text):
    text = re.sub(r"(\d{1,2})h(\d{2})", r"\1:\2", text.replace(", ", ","))
    return re.sub(r"\b(\d):(\d{2})\b", r"0\1:\2", text)


def read_hours(row, spec):
    if "osm" in spec:
        value = _fix_osm(_column(row, spec["osm"]) or "")
        if value and clean_opening_hours(value)[1]:
            week = _column(row, spec.get("semaine_ouverture") or "")
            if week:
                value = f"{'week 2-52/2' if week == 'Semaine paire' else 'week 1-53/2'} {value}"
            return value
        return french_week_to_osm(value) or value
    if "jours" in spec:
        texts = {}
        for day in spec["jours"]:
            value = _column(row, day.get("colonne"))
            if value:
                texts[day["osm"]] = value
        return week_to_osm({day: day_ranges_to_osm(value) and value for day, value in texts.items()})
    if "semaine" in spec:
        value = _column(row, spec["semaine"]) or ""
        return french_week_to_osm(value) or value
    return None


# Enumerated fields ------------------------------------------------------------------------------


def apply_rules(row, rules, field):
    found = []
    for rule in rules:
        target = rule.get("cible")
        if not target:
            continue
        columns = rule.get("colonnes")
        if not columns:
            if field not in NO_DEFAULT_RULES and (field != "itinerance" or "termes" not in rule):
                found.append(target)
            continue
        terms = [term.lower() for term in rule.get("termes", [])]
        exceptions = [exception.lower() for exception in rule.get("sauf", [])]
        for column in columns:
            value = (js_string(row.get(column)) or "").lower()
            if not value:
                continue
            matches = any(term in value for term in terms) if terms else True
            if matches and not any(exception in value for exception in exceptions):
                found.append(target)
                break
    return list(dict.fromkeys(found))


# The mapping ------------------------------------------------------------------------------------

_POSTCODE = re.compile(r"\b(\d{5})\b")


def _address_parts(address):
    """(postcode, commune) read from an address such as '8 rue X - 33000 Bordeaux' or '…, 51200, Épernay, Marne'."""
    match = _POSTCODE.search(address or "")
    if not match:
        return None, None
    after = address[match.end() :].lstrip(" ,")
    commune = re.split(r",|\n| - ", after)[0].strip()
    return match.group(1), commune or None


def mapping_from_config(config):
    def mapping(record):
        row = flatten(record)
        raw = {}
        for field in SCALAR_FIELDS:
            if isinstance(config.get(field), dict):
                raw[field] = read_scalar(row, config[field])
        if raw.get("courriel") and not raw.get("courriels"):
            raw["courriels"] = raw.pop("courriel")  # the legacy key some configs still use
        for coordinate in ("latitude", "longitude"):
            raw[coordinate] = js_float(raw.get(coordinate))
        if not raw.get("code_postal") or not raw.get("commune"):
            postcode, commune = _address_parts(raw.get("adresse"))
            raw["code_postal"] = raw.get("code_postal") or postcode
            raw["commune"] = raw.get("commune") or commune
        if isinstance(config.get("horaires"), dict):
            raw["horaires"] = read_hours(
                row,
                {
                    **config["horaires"],
                    **(
                        {"semaine_ouverture": config["semaine_ouverture"].get("colonne")}
                        if isinstance(config.get("semaine_ouverture"), dict)
                        else {}
                    ),
                },
            )
        for field in RULE_FIELDS:
            if isinstance(config.get(field), list):
                raw[field] = apply_rules(row, config[field], field)
        if NOT_OPEN_TO_PUBLIC in (raw.get("modalites_acces") or []):
            raw["__active"] = False  # kept, archived: it is not a place people can go to
        return raw

    return mapping
