"""Text folding shared by every search on names: accents, case and punctuation do not matter."""

import re
import unicodedata


def fold(text):
    """'Saint-Étienne ' and 'saint etienne' fold to the same key: 'saint etienne'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = without_accents.lower().replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", lowered).strip()
