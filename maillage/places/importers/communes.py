"""Find the commune of an imported place from what the file gives: INSEE code, postcode, name."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db.models import F

from maillage.territory.distance import distance_km
from maillage.territory.models import Commune, PostalCode
from maillage.territory.text import fold

# Words that differ between La Poste, INSEE and producers' spellings.
_SPELLINGS = [
    (r"\bst\b", "saint"),
    (r"\bste\b", "sainte"),
    (r"\bcedex\b.*$", ""),
    (r"\b\d+\b", ""),
    (r"^(le|la|les|l)\s+", ""),
]
SIMILAR_NAME_RATIO = 0.8
NAMED_COMMUNE_MAX_KM = 30  # a place is in the commune it names, near its own position


def commune_key(name):
    key = fold(name)
    for pattern, replacement in _SPELLINGS:
        key = re.sub(pattern, replacement, key)
    return re.sub(r"\s+", " ", key).strip()


@dataclass(frozen=True)
class KnownCommune:
    insee_code: str
    name: str
    main_postcode: str


class CommuneLocator:
    """The communes reference in memory, so that each imported row costs no query."""

    def __init__(self):
        self.names, self.keys, self.main_postcodes, self.by_postcode, self.by_name = {}, {}, {}, {}, {}
        self.by_key, self.positions = {}, {}
        self.answers = {}  # files repeat the same communes: each (code, postcode, name) is solved once
        communes = Commune.objects.order_by(F("population").desc(nulls_last=True), "insee_code").values_list(
            "insee_code", "name", "department_code", "latitude", "longitude"
        )
        for insee, name, department, latitude, longitude in communes:
            self.positions[insee] = (latitude, longitude)
            self.names[insee] = name
            self.keys[insee] = commune_key(name)
            self.by_name.setdefault((department, self.keys[insee]), []).append(insee)
            self.by_key.setdefault(self.keys[insee], []).append(insee)
        rank = {insee: position for position, insee in enumerate(self.names)}  # the most populated first
        for code, insee in PostalCode.objects.order_by("code").values_list("code", "commune_id"):
            self.by_postcode.setdefault(code, []).append(insee)
            self.main_postcodes.setdefault(insee, code)
        for candidates in self.by_postcode.values():
            candidates.sort(key=rank.__getitem__)

    def _known(self, insee):
        return KnownCommune(insee, self.names[insee], self.main_postcodes.get(insee, ""))

    def locate(self, insee_code="", postcode="", name="", position=None):
        """(commune or None, note): INSEE code first, then postcode and name, then name in the département,
        then — with no postcode at all — the commune of that name nearest to the place's position."""
        question = (insee_code, postcode, name, position)
        if question not in self.answers:
            if len(self.answers) > 50_000:  # bounded: memory must not grow with the file
                self.answers.clear()
            self.answers[question] = self._locate(insee_code, postcode, name, position)
        return self.answers[question]

    def _nearest_named(self, key, position):
        named = [insee for insee in self.by_key.get(key, []) if self.positions[insee][0] is not None]
        if not named or position is None:
            return None
        nearest = min(named, key=lambda insee: distance_km(*position, *self.positions[insee]))
        return nearest if distance_km(*position, *self.positions[nearest]) <= NAMED_COMMUNE_MAX_KM else None

    def _locate(self, insee_code, postcode, name, position):
        if insee_code in self.names:
            return self._known(insee_code), ""
        key = commune_key(name)
        candidates = self.by_postcode.get(postcode, [])
        if len(candidates) == 1:
            return self._known(candidates[0]), ""
        exact = [insee for insee in candidates if self.keys[insee] == key]
        if exact:
            return self._known(exact[0]), ""
        if key:
            scored = [(SequenceMatcher(None, self.keys[insee], key).ratio(), insee) for insee in candidates]
            best = max(scored, default=(0, None))
            if best[0] >= SIMILAR_NAME_RATIO:
                return self._known(best[1]), ""
        department = Commune.department_of(postcode or insee_code or "")
        named = self.by_name.get((department, key), []) if department and key else []
        if len(named) == 1:
            return self._known(named[0]), ""
        if candidates:
            return self._known(candidates[0]), "commune guessed from the postcode (name not recognised)"
        if not postcode and key:
            nearest = self._nearest_named(key, position)
            if nearest:
                return self._known(nearest), ""
        return None, ""
