"""Fill French translations given as a JSON object {msgid: msgstr} on standard input, then compile.

For developers: `echo '{"Save": "Enregistrer"}' | .venv/bin/python tools/translate.py`.
A plural entry takes a list: {"%(n)s day": ["%(n)s jour", "%(n)s jours"]}.
"""

import json
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "maillage" / "locale" / "fr" / "LC_MESSAGES" / "django.po"

translations = json.load(sys.stdin)
catalogue = polib.pofile(str(CATALOGUE))
for entry in catalogue:
    if entry.msgid in translations:
        translation = translations[entry.msgid]
        if isinstance(translation, list):
            entry.msgstr_plural = dict(enumerate(translation))
        else:
            entry.msgstr = translation
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
catalogue.save()
catalogue.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
print(f"{len(catalogue.untranslated_entries())} untranslated, {len(catalogue.fuzzy_entries())} fuzzy")
