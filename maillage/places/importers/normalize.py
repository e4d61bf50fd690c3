"""Turn the messy values of real files into clean schema values, or say why not.

Each function takes what a file holds and returns the clean value (or an empty one) plus,
where useful, a warning: the import keeps going and reports them.
"""

import functools
import math
import re
from datetime import UTC, date, datetime

import opening_hours
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from maillage import phones
from maillage.places.schema import ENUMERATIONS, UNKNOWN_SIRET
from maillage.territory.text import fold

# Where French places can be: mainland and Corsica, then the overseas territories (lat, lon boxes).
FRENCH_BOXES = [
    (41.0, 51.5, -5.8, 10.0),  # mainland and Corsica
    (14.3, 18.2, -63.2, -60.7),  # Martinique, Guadeloupe, Saint-Martin, Saint-Barthélemy
    (2.0, 6.0, -55.0, -51.0),  # Guyane
    (-21.5, -20.8, 55.1, 56.0),  # La Réunion
    (-13.2, -12.5, 44.9, 45.4),  # Mayotte
    (46.7, 47.2, -56.5, -56.0),  # Saint-Pierre-et-Miquelon
    (-23.0, -19.0, 163.0, 169.0),  # Nouvelle-Calédonie
    (-28.0, -7.0, -155.0, -134.0),  # Polynésie française
    (-14.5, -13.0, -178.5, -176.0),  # Wallis-et-Futuna
]


_SPACES = re.compile(r"\s+")


def clean_text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(part) for part in value if part not in (None, ""))
    text = _SPACES.sub(" ", str(value)).strip()
    return "" if text.lower() in {"null", "none", "nan", "n/a", "-", "undefined"} else text


# Identifiers -----------------------------------------------------------------------------------


def clean_pivot(value):
    """A SIRET/SIREN/RNA/RIDET, or '' when unknown (the placeholder 00000000000000 means unknown)."""
    text = clean_text(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    text = re.sub(r"\.0$", "", text)  # a SIRET read as a float by a spreadsheet: 13002603200016.0
    pivot = re.sub(r"[\s.\-]", "", text).upper()
    if not re.fullmatch(r"[A-Z0-9]{9,14}", pivot) or set(pivot) == {"0"} or pivot == UNKNOWN_SIRET:
        return ""
    return pivot


def clean_postcode(value):
    text = clean_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value))
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:  # a leading zero lost by a spreadsheet: 1000 → 01000
        digits = "0" + digits
    return digits if len(digits) == 5 else ""


# Contact --------------------------------------------------------------------------------------


def clean_phone(value, postcode=""):
    """The first valid number in E.164 (+33241…), or '' when none can be read (``phones.read``)."""
    return phones.read(value if isinstance(value, int | float) else clean_text(value), postcode)


_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


def clean_emails(value):
    found = []
    for candidate in re.split(r"[\s;,|]+", clean_text(value)):
        candidate = candidate.strip().strip("<>").removeprefix("mailto:").lower()
        try:
            _email_validator(candidate)
        except ValidationError:
            continue
        if candidate not in found:
            found.append(candidate)
    return found


def clean_websites(value):
    found = []
    for candidate in re.split(r"[\s;|]+|,\s+", clean_text(value)):
        candidate = candidate.strip().rstrip(",")
        if not candidate or "@" in candidate or "." not in candidate:
            continue
        if not re.match(r"https?://", candidate, re.IGNORECASE):
            candidate = "https://" + candidate
        try:
            _url_validator(candidate)
        except ValidationError:
            continue
        if candidate not in found and len(candidate) <= 500:
            found.append(candidate)
    return found


def clean_url(value):
    websites = clean_websites(value)
    return websites[0] if websites else ""


# Position ---------------------------------------------------------------------------------------


def _number(value):
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def in_france(latitude, longitude):
    return any(south <= latitude <= north and west <= longitude <= east for south, north, west, east in FRENCH_BOXES)


def lambert93_to_wgs84(x, y):
    """Lambert-93 (EPSG:2154) metres to WGS84 degrees (IGN's inverse projection, GRS80 ellipsoid)."""
    n, c, xs, ys, e = 0.7256077650532670, 11754255.426096, 700000.0, 12655612.049876, 0.0818191910428158
    longitude_origin = math.radians(3)
    radius = math.hypot(x - xs, y - ys)
    gamma = math.atan((x - xs) / (ys - y))
    longitude = longitude_origin + gamma / n
    isometric = -1 / n * math.log(abs(radius / c))
    latitude = 2 * math.atan(math.exp(isometric)) - math.pi / 2
    for _iteration in range(10):
        latitude = (
            2
            * math.atan(((1 + e * math.sin(latitude)) / (1 - e * math.sin(latitude))) ** (e / 2) * math.exp(isometric))
            - math.pi / 2
        )
    return math.degrees(latitude), math.degrees(longitude)


def clean_position(latitude, longitude):
    """(latitude, longitude, warning): checked in France, swapped or converted from Lambert-93 if needed."""
    lat, lon = _number(latitude), _number(longitude)
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None, None, ""
    if in_france(lat, lon):
        return round(lat, 7), round(lon, 7), ""
    if in_france(lon, lat):
        return round(lon, 7), round(lat, 7), "latitude and longitude were swapped"
    for x, y in ((lon, lat), (lat, lon)):
        if 100_000 < x < 1_300_000 and 6_000_000 < y < 7_200_000:
            converted = lambert93_to_wgs84(x, y)
            if in_france(*converted):
                return round(converted[0], 7), round(converted[1], 7), "Lambert-93 coordinates converted"
    return None, None, "coordinates outside France, ignored"


# Dates and hours ---------------------------------------------------------------------------------

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d/%m/%y")


def clean_date(value):
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10**9:
        seconds = value / 1000 if value > 10**11 else value  # milliseconds since 1970, as some exports do
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    text = clean_text(value)
    if not text:
        return None
    head = text[:10]
    for date_format in DATE_FORMATS:
        try:
            parsed = datetime.strptime(head if "%y" not in date_format else text[:8], date_format).date()
        except ValueError:
            continue
        if date(2000, 1, 1) <= parsed <= date.today():
            return parsed
    return None


def clean_opening_hours(value):
    """(text, valid): OSM opening_hours that parse are kept as they are; others kept and flagged."""
    text = clean_text(value)
    if not text:
        return "", True
    try:
        opening_hours.OpeningHours(text)
    except (opening_hours.ParserError, ValueError, OverflowError):
        return text, False
    return text, True


OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_TIME_RANGE = re.compile(r"(\d{1,2})\s*[h:.]\s*(\d{2})?\s*(?:-|à|a)\s*(\d{1,2})\s*[h:.]\s*(\d{2})?", re.IGNORECASE)


def day_ranges_to_osm(text):
    """'9:00 - 12:00 / 13:30 - 17:00' or '9h-12h et 14h-17h' → '09:00-12:00,13:30-17:00' ('' if none)."""
    ranges = []
    for start_h, start_m, end_h, end_m in _TIME_RANGE.findall(clean_text(text)):
        start, end = (int(start_h), int(start_m or 0)), (int(end_h), int(end_m or 0))
        if start < end <= (24, 0) and start[1] < 60 and end[1] < 60:
            ranges.append(f"{start[0]:02d}:{start[1]:02d}-{end[0]:02d}:{end[1]:02d}")
    return ",".join(ranges)


def week_to_osm(day_texts):
    """{'Mo': '9:00 - 12:00', …} → 'Mo-Fr 09:00-12:00; Sa 10:00-12:00', grouping days with the same hours."""
    rules, days = [], [(day, day_ranges_to_osm(day_texts.get(day, ""))) for day in OSM_DAYS]
    index = 0
    while index < len(days):
        day, hours = days[index]
        end = index
        while end + 1 < len(days) and days[end + 1][1] == hours:
            end += 1
        if hours:
            span = day if end == index else f"{day}-{days[end][0]}" if end > index + 1 else f"{day},{days[end][0]}"
            rules.append(f"{span} {hours}")
        index = end + 1
    return "; ".join(rules)


# Enumerations ---------------------------------------------------------------------------------

# Values of schema v0.1 (and of hybrid files) mapped to v1.0.1, field by field. Matching is on
# folded text (no accents, no case), so "Seniors (+ 65 ans)" and "seniors (+65 ans)" agree.
# Documented in docs/IMPORT.md; a legacy value with no v1 equivalent maps to nothing (None).
LEGACY_VALUES = {
    "services": {
        "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
        "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
        "Accompagner les démarches de santé": "Aide aux démarches administratives",
        "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
        "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
        "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
        "Approfondir ma culture numérique": "Compréhension du monde numérique",
        "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
        "Favoriser mon insertion professionnelle": "Insertion professionnelle via le numérique",
        "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
        "Accéder à une connexion internet": "Accès internet et matériel informatique",
        "Accéder à du matériel": "Accès internet et matériel informatique",
        "S'équiper en matériel informatique": "Acquisition de matériel informatique à prix solidaire",
        "Créer avec le numérique": "Loisirs et créations numériques",
        "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
    },
    "publics_specifiquement_adresses": {
        "Seniors (+ 65 ans)": "Seniors",
        "Familles/enfants": "Familles et/ou enfants",
        "Jeunes (16-26 ans)": "Jeunes",
        "Uniquement femmes": "Femmes",
        "Adultes": None,
    },
    "prise_en_charge_specifique": {
        "Public langues étrangères": "Langues étrangères (autres)",
        "Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales": (
            "Handicaps mentaux"
        ),
        "Handicaps psychiques": "Handicaps mentaux",
        "Handicaps mentaux : déficiences limitant les activités d'une personne": "Handicaps mentaux",
        "Personnes en situation d'illettrisme": "Illettrisme",
    },
    "frais_a_charge": {
        "Gratuit : Je peux accéder gratuitement au lieu et à ses services": "Gratuit",
        "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, convention avec un organisme social...)": "Gratuit sous condition",  # noqa: E501
        "Payant : L'accès au lieu et/ou à ses services est payant": "Payant",
        "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer": "Payant",
        "Adhésion": "Payant",
        "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour accéder au lieu": None,
        "Accepte le Pass numérique": None,
    },
    "dispositif_programmes_nationaux": {
        "CNFS": "Conseillers numériques",
        "Conseiller numérique": "Conseillers numériques",
        "Grandes écoles du numérique": "Grande école du numérique",
        "Point relais CAF": "Point d'accès numérique CAF",
        "Point numérique CAF": "Point d'accès numérique CAF",
        "APTIC": None,
        "Relais pôle emploi": None,
        "French Tech": None,
        "Campus connecté": None,
    },
    "modalites_accompagnement": {
        "Seul : j'ai accès à du matériel et une connexion": "En autonomie",
        "Avec de l'aide : je suis accompagné seul dans l'usage du numérique": "Accompagnement individuel",
        "Dans un atelier : j'apprends collectivement à utiliser le numérique": "Dans un atelier collectif",
        "A ma place : une personne habilitée fait les démarches à ma place": "Accompagnement individuel",
        "Seul": "En autonomie",
        "Avec de l'aide": "Accompagnement individuel",
        "Dans un atelier": "Dans un atelier collectif",
        "A ma place": "Accompagnement individuel",
    },
    "itinerance": {"Itinerant": "Itinérant"},
}


def _labels_of(field):
    """(folded label, v1 value or None), longest first so that 'Gratuit sous condition' wins over 'Gratuit'."""
    labels = {fold(value): value for value in ENUMERATIONS.get(field, ())}
    labels.update({fold(legacy): value for legacy, value in LEGACY_VALUES.get(field, {}).items()})
    return sorted(labels.items(), key=lambda item: -len(item[0]))


_LABELS = {field: _labels_of(field) for field in {*ENUMERATIONS, *LEGACY_VALUES}}


def clean_enumeration(value, field):
    """(v1 values in schema order, leftover text) for any separator: '|', ';', ', ' or a JSON list."""
    if value in (None, "", []):
        return [], ""
    if isinstance(value, list):
        value = " | ".join(clean_text(part) for part in value)
    values, remaining = _enumeration_of_text(clean_text(value), field)
    return list(values), remaining


@functools.lru_cache(maxsize=4096)  # the same few lists of services fill most rows of a file
def _enumeration_of_text(text, field):
    remaining = f" {fold(text)} "
    found = set()
    for label, target in _LABELS.get(field, ()):
        pattern = f" {label} "
        if pattern in remaining:
            remaining = remaining.replace(pattern, " ")
            if target:
                found.add(target)
    ordered = tuple(value for value in ENUMERATIONS.get(field, ()) if value in found)
    return ordered, remaining.strip()
