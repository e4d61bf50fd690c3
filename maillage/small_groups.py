"""Statistics never show a group smaller than 5 (principle 4, ARCHITECTURE.md).

Any group of fewer than SMALLEST_GROUP people (or uses, or accompaniments) is shown as "fewer than
5". When a single group of a breakdown is hidden, the next smallest is hidden too: otherwise the
total minus the groups shown would give its size.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

SMALLEST_GROUP = 5


@dataclass
class Row:
    label: str
    count: int
    shown: bool = True


def rows_with_small_groups_hidden(triples, labels=None, also_hidden=()):
    """Rows from (key, count, group size), largest first, with small groups hidden — and the keys
    ``also_hidden``, which another table would give away (a month's page, for a year's breakdown)."""
    rows = [
        Row(
            label=str((labels or {}).get(key, key) or _("not said")),
            count=count,
            shown=size >= SMALLEST_GROUP and key not in also_hidden,
        )
        for key, count, size in triples
    ]
    rows.sort(key=lambda row: (-row.count, row.label))
    hidden = [row for row in rows if not row.shown]
    shown = [row for row in rows if row.shown]
    if len(hidden) == 1 and shown:
        min(shown, key=lambda row: row.count).shown = False
    return rows
