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


def typing_distance(first, second):
    """How many keystrokes apart two folded names are: a letter added, missed, wrong or swapped.

    The optimal string alignment distance (Damerau-Levenshtein without repeated edits of one
    substring): "angres" is one swap away from "angers", "cholt" one letter missed from "cholet".
    """
    if first == second:
        return 0
    previous_row, row = None, list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        before_previous_row, previous_row = previous_row, row
        row = [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = letter != other
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before_previous_row[j - 2] + 1)
    return row[-1]
