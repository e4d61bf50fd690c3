"""The French catalogue is complete, compiled, and up to date with the source."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "maillage" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(catalogue):
    return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalogue if not entry.obsolete}


def test_every_french_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    assert not [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not [entry.msgid for entry in catalogue.fuzzy_entries()]


def test_the_compiled_catalogue_matches_the_source_catalogue():
    source = polib.pofile(str(CATALOGUE))
    compiled = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    translations = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in source if entry.msgid
    }
    compiled_translations = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural) for entry in compiled if entry.msgid
    }
    assert compiled_translations == translations, "run `make messages` (or tools/compile_messages.py)"


def test_the_catalogue_lists_every_string_of_the_source(tmp_path):
    if not shutil.which("xgettext"):
        pytest.skip("SKIPPED: GNU gettext (xgettext) is not installed; apt-get install gettext")
    copy = tmp_path / "maillage"
    shutil.copytree(ROOT / "maillage", copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--ignore",
            "static/*",
            "--ignore",
            "templates/pages/content/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = entries(fresh) - entries(polib.pofile(str(CATALOGUE)))
    stale = entries(polib.pofile(str(CATALOGUE))) - entries(fresh)
    assert not missing, f"strings not in the catalogue, run `make messages`: {sorted(missing, key=str)}"
    assert not stale, f"strings no longer in the source: {sorted(stale, key=str)}"
