"""Text folding shared by every search on names: accents, case and punctuation do not matter."""

import re
import unicodedata

# Combining marks of the Latin script's accents, once decomposed (NFKD): é → e + U+0301.
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def fold(text):
    """'Saint-Étienne ' and 'saint etienne' fold to the same key: 'saint etienne'."""
    without_accents = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text or ""))
    lowered = without_accents.lower().replace("œ", "oe").replace("æ", "ae")
    return _NOT_ALPHANUMERIC.sub(" ", lowered).strip()
