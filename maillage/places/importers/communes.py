"""Find the commune of an imported place from what the file gives: INSEE code, postcode, name."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from maillage.territory.models import Commune, PostalCode
from maillage.territory.text import fold

# Words that differ between La Poste, INSEE and producers' spellings.
_SPELLINGS = [(r"\bst\b", "saint"), (r"\bste\b", "sainte"), (r"\bcedex\b.*$", ""), (r"\b\d+\b", ""),
              (r"^(le|la|les|l)\s+", "")]  # fmt: skip
SIMILAR_NAME_RATIO = 0.8


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
        self.answers = {}  # files repeat the same communes: each (code, postcode, name) is solved once
        communes = Commune.objects.order_by("-population", "insee_code").values_list(
            "insee_code", "name", "department_code"
        )
        for insee, name, department in communes:
            self.names[insee] = name
            self.keys[insee] = commune_key(name)
            self.by_name.setdefault((department, self.keys[insee]), []).append(insee)
        rank = {insee: position for position, insee in enumerate(self.names)}  # the most populated first
        for code, insee in PostalCode.objects.order_by("code").values_list("code", "commune_id"):
            self.by_postcode.setdefault(code, []).append(insee)
            self.main_postcodes.setdefault(insee, code)
        for candidates in self.by_postcode.values():
            candidates.sort(key=rank.__getitem__)

    def _known(self, insee):
        return KnownCommune(insee, self.names[insee], self.main_postcodes.get(insee, ""))

    def locate(self, insee_code="", postcode="", name=""):
        """(commune or None, note): INSEE code first, then postcode and name, then name in the département."""
        question = (insee_code, postcode, name)
        if question not in self.answers:
            if len(self.answers) > 50_000:  # bounded: memory must not grow with the file
                self.answers.clear()
            self.answers[question] = self._locate(insee_code, postcode, name)
        return self.answers[question]

    def _locate(self, insee_code, postcode, name):
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
        return None, ""
