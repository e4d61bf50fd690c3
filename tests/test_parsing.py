"""Numbers people type or send are read once, by ``maillage.parsing``: "²" is not an id."""

import ast
from pathlib import Path

import pytest

from maillage.parsing import is_ascii_digits, parse_id

ROOT = Path(__file__).resolve().parent.parent
# Digits that str.isdigit() accepts and that a database refuses as an id, and an id too long for any.
NOT_IDS = ["²", "12²", "٣", "¹²³", "①", "1 2", "-1", "+1", "1.0", "", " 7", "9" * 30]


@pytest.mark.parametrize("text", NOT_IDS)
def test_what_is_not_an_id_is_read_as_none(text):
    assert parse_id(text) is None


def test_ids_are_ascii_digits():
    assert parse_id("42") == 42 and parse_id("007") == 7
    assert is_ascii_digits("49100") and not is_ascii_digits("4910²") and not is_ascii_digits(None)


def test_nothing_reads_digits_with_str_isdigit():
    """isdigit, isnumeric and isdecimal accept Unicode digits: ids and codes go through maillage.parsing."""
    offenders = []
    for path in (ROOT / "maillage").rglob("*.py"):
        if path.name == "parsing.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"isdigit", "isnumeric", "isdecimal"}:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
