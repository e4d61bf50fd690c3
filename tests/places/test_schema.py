import json
import re

import pytest

from maillage.places.schema import ENUMERATIONS, FIELDS

pytestmark = pytest.mark.shared


def official_schema(shared_dir):
    return json.loads((shared_dir / "schemas" / "mednum" / "schema_v1.0.1.json").read_text(encoding="utf-8"))


def test_our_columns_are_the_official_columns_in_order(shared_dir):
    assert tuple(field["name"] for field in official_schema(shared_dir)["fields"]) == FIELDS


def test_our_enumerations_are_exactly_the_official_ones(shared_dir):
    for field in official_schema(shared_dir)["fields"]:
        pattern = field.get("constraints", {}).get("pattern", "")
        if not pattern.startswith("(?:(?:^|\\|)("):
            continue
        matcher = re.compile(pattern)
        ours = ENUMERATIONS[field["name"]]
        assert all(matcher.fullmatch(value) for value in ours), field["name"]
        assert matcher.fullmatch("|".join(ours)), field["name"]
        assert not matcher.fullmatch("Une valeur inventée"), field["name"]
        # Every official value is ours: the alternatives of the pattern, one by one.
        alternatives = pattern[len("(?:(?:^|\\|)(") : pattern.rindex("))")]
        count = len(re.findall(r"(?<!\\)\|", alternatives)) + 1
        assert len(ours) == count, field["name"]
