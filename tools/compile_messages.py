"""Compile every .po catalogue to .mo with polib (no system gettext needed to compile)."""

from pathlib import Path

import polib

for po_path in Path(__file__).resolve().parent.parent.joinpath("maillage").rglob("locale/*/LC_MESSAGES/*.po"):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path}")
