"""Months as the calendar has them, for every period in months: statistics by month, monthly
statements, retention periods ("12 months after…"). Never 30 or 30.44 days: a month back from
31 March is the last day of February, and 12 months are a year."""

import calendar
import datetime

from django.utils import timezone


def shifted(day, months):
    """The first day of the month ``months`` before (negative) or after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def bounds(day):
    """The first moment of ``day``'s month and of the next, in local time."""
    start = day.replace(day=1)
    zone = timezone.get_current_timezone()
    return tuple(
        datetime.datetime.combine(first, datetime.time.min, tzinfo=zone) for first in (start, shifted(start, 1))
    )


def before(moment, months):
    """The same moment ``months`` calendar months earlier (the month's last day when it is shorter)."""
    first = shifted(moment, -months)
    last_day = calendar.monthrange(first.year, first.month)[1]
    return moment.replace(year=first.year, month=first.month, day=min(moment.day, last_day))
