"""Opening hours in words: "Ouvert maintenant, ferme à 17 h 30", "Fermé, ouvre lundi à 9 h"."""

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import opening_hours
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage import formatting

LOOK_AHEAD_DAYS = 8


@lru_cache(maxsize=4096)
def parse(expression):
    """The parsed hours, or None when there are none or they cannot be read."""
    if not expression:
        return None
    try:
        return opening_hours.OpeningHours(expression)
    except (opening_hours.ParserError, ValueError, OverflowError):
        return None


# Overseas places keep their own clock: a place of La Réunion opens at 9 h, Réunion time.
TIME_ZONES_BY_POSTCODE = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}


def time_zone_of(postcode):
    name = TIME_ZONES_BY_POSTCODE.get((postcode or "")[:3])
    return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()


def _local_naive(moment, postcode=""):
    """The place's wall-clock time, as opening hours are written."""
    if not timezone.is_aware(moment):
        return moment
    return timezone.localtime(moment, time_zone_of(postcode)).replace(tzinfo=None)


def is_open(expression, moment, postcode=""):
    hours = parse(expression)
    return bool(hours) and hours.is_open(_local_naive(moment, postcode))


def is_open_on_weekday(expression, weekday, moment, postcode=""):
    """Open at some point on the next ``weekday`` (0 = Monday) from ``moment``."""
    hours = parse(expression)
    if not hours:
        return False
    start = _local_naive(moment, postcode).replace(hour=0, minute=0, second=0, microsecond=0)
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    return any(
        state == opening_hours.State.OPEN
        for _start, _end, state, _comment in hours.intervals(day, day + timedelta(days=1))
    )


def _day_name(moment, now):
    if moment.date() == now.date():
        return _("today")
    if moment.date() == (now + timedelta(days=1)).date():
        return _("tomorrow")
    return formatting.weekday_name(moment)


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool | None  # None: unknown
    sentence: str


def status(expression, moment=None, postcode=""):
    """Whether the place is open now and until when, or when it opens next, in one sentence."""
    hours = parse(expression)
    if not hours:
        return OpeningStatus(None, _("Opening hours not known: call before you go."))
    now = _local_naive(moment or timezone.now(), postcode)
    next_change = hours.next_change(now)
    if hours.is_open(now):
        if next_change is None or next_change - now > timedelta(days=LOOK_AHEAD_DAYS):
            return OpeningStatus(True, _("Open now."))
        if next_change.date() == now.date():
            return OpeningStatus(
                True, _("Open now, closes at %(time)s.") % {"time": formatting.time_of_day(next_change)}
            )
        return OpeningStatus(
            True,
            _("Open now, closes %(day)s at %(time)s.")
            % {"day": _day_name(next_change, now), "time": formatting.time_of_day(next_change)},
        )
    if next_change is None or next_change - now > timedelta(days=LOOK_AHEAD_DAYS):
        return OpeningStatus(False, _("Closed for the coming days."))
    return OpeningStatus(
        False,
        _("Closed, opens %(day)s at %(time)s.")
        % {"day": _day_name(next_change, now), "time": formatting.time_of_day(next_change)},
    )


def week(expression, moment=None, postcode=""):
    """The coming seven days: [(day label, ['9 h – 12 h', …] or [] when closed)], or None if unknown."""
    hours = parse(expression)
    if not hours:
        return None
    now = _local_naive(moment or timezone.now(), postcode)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        ranges = [
            formatting.time_range(begin, end if end.date() == day.date() else None)
            for begin, end, state, _comment in hours.intervals(day, day + timedelta(days=1))
            if state == opening_hours.State.OPEN
        ]
        days.append((formatting.day(day, weekday=True, year=False), ranges))
    return days
