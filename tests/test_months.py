"""A month is the calendar's, for statistics, statements and retention alike (maillage/months.py)."""

import datetime

from django.utils import timezone

from maillage import months


def test_months_shift_across_years():
    assert months.shifted(datetime.date(2026, 1, 15), -1) == datetime.date(2025, 12, 1)
    assert months.shifted(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 1)
    assert months.shifted(datetime.date(2026, 3, 1), -24) == datetime.date(2024, 3, 1)


def test_a_months_bounds_are_local_midnights():
    start, end = months.bounds(datetime.date(2026, 10, 31))
    assert (start.date(), end.date()) == (datetime.date(2026, 10, 1), datetime.date(2026, 11, 1))
    assert start.tzinfo == timezone.get_current_timezone() and start.time() == datetime.time.min


def test_months_back_are_calendar_months_never_a_count_of_days():
    moment = datetime.datetime(2027, 3, 31, 10, 0, tzinfo=datetime.UTC)
    assert months.before(moment, 1) == datetime.datetime(2027, 2, 28, 10, 0, tzinfo=datetime.UTC)
    assert months.before(moment, 12) == moment.replace(year=2026)  # twelve months are a year
    assert months.before(moment, 24) == moment.replace(year=2025)  # not 720 days
    leap = datetime.datetime(2028, 2, 29, tzinfo=datetime.UTC)
    assert months.before(leap, 12) == datetime.datetime(2027, 2, 28, tzinfo=datetime.UTC)
