"""Property: whatever the records, a place's figures show no group of 1 to 4 accompaniments, no
breakdown hides a single group, and a month's page hides at least what the year's table hides."""

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage import months
from maillage.activities import statistics
from maillage.small_groups import SMALLEST_GROUP
from tests.accounts.factories import MembershipFactory
from tests.activities.factories import new_record
from tests.places.factories import helping_place

pytestmark = pytest.mark.django_db

record = st.fixed_dictionaries(
    {
        "months_back": st.integers(0, 2),
        "themes": st.lists(st.sampled_from(["email", "health", "security"]), min_size=1, max_size=2, unique=True),
        "outcome": st.sampled_from(["done", "follow_up", "referred"]),
        "collective": st.booleans(),
        "first_time": st.booleans(),
    }
)


def _few(count):
    return 0 < count < SMALLEST_GROUP


def _check_breakdown(rows, name):
    for row in rows:
        assert not (row.shown and _few(row.count)), (name, row)
    hidden = [row for row in rows if not row.shown]
    assert len(hidden) != 1 or len(rows) == 1, (name, rows)


@settings(max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(records=st.lists(record, min_size=5, max_size=40))
def test_no_figure_of_a_places_activity_is_a_small_group(communes, records):
    with transaction.atomic():  # each example starts from the same database
        _check_activity(records)
        transaction.set_rollback(True)


def _check_activity(records):
    member = MembershipFactory()
    place = helping_place(member.organization)
    today = timezone.localdate()
    for drawn in records:
        day = months.shifted(today.replace(day=1), -drawn["months_back"])
        collective = {"kind": "collective", "participants": 3} if drawn["collective"] else {}
        new_record(
            member.organization,
            member.user,
            place=place,
            setting="place",
            day=day,
            themes=drawn["themes"],
            outcome=drawn["outcome"],
            first_time=drawn["first_time"],
            **collective,
        )

    activity = statistics.place_activity(place, today)
    for line in activity["months"]:
        assert not (line.figures.shown and _few(line.figures.count)), line
    for breakdown in ("themes", "outcomes", "kinds"):
        _check_breakdown(activity[breakdown], breakdown)
    share = activity["first_time"]
    assert not (share.shown and (_few(share.part) or _few(share.whole - share.part))), share

    year_hidden = {name: {row.label for row in activity[name] if not row.shown} for name in ("themes", "outcomes")}
    for line in activity["months"]:
        summary = statistics.month_summary(place, line.start, today)
        if not line.figures.shown:  # the table hides it: its page gives nothing either
            assert not summary["total"].shown and not any(row.shown for row in summary["themes"])
            continue
        for name in ("themes", "outcomes"):
            _check_breakdown(summary[name], f"{line.start} {name}")
            hidden_here = {row.label for row in summary[name] if not row.shown}
            # The year minus this month's shown groups would give what the month hides.
            assert hidden_here <= year_hidden[name] | {row.label for row in activity[name] if not row.count}, name
