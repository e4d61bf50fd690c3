"""The scheduled jobs of docs/DEPLOYMENT.md, run by `make serve` (``manage.py run_scheduler``)
instead of seven cron lines.

Each job has a time of day (or of the hour, or of the week). A job runs once per slot, whatever
the number of schedulers: a run is claimed by inserting (job, slot) into ``ScheduledRun``, whose
unique constraint lets only the first scheduler through (decision 0005). A scheduler that was
stopped catches up the last slot it missed, if it is less than a day old: never a week of runs.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.models import ScheduledRun

CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple
    minute: int
    hour: int | None = None  # None: every hour
    weekday: int | None = None  # None: every day; 0 is Monday

    def last_slot(self, now):
        """The latest scheduled time at or before ``now`` (local time)."""
        local = timezone.localtime(now)
        slot = local.replace(minute=self.minute, second=0, microsecond=0)
        if self.hour is None:
            return slot if slot <= local else slot - timedelta(hours=1)
        slot = slot.replace(hour=self.hour)
        step = timedelta(days=1)
        while slot > local or (self.weekday is not None and slot.weekday() != self.weekday):
            slot -= step
        return slot


JOBS = [
    Job("help_request_upkeep", ("help_request_upkeep", "--wet-run"), minute=0),
    Job("purge_personal_data", ("purge_personal_data", "--wet-run"), minute=30, hour=3),
    Job("purge_activity_data", ("purge_activity_data", "--wet-run"), minute=45, hour=3),
    Job("pass_upkeep", ("pass_upkeep", "--wet-run"), minute=0, hour=4),
    Job("check_ledger", ("check_ledger",), minute=30, hour=4),
    Job("send_workshop_reminders", ("send_workshop_reminders",), minute=0, hour=9),
    Job("remind_stale_places", ("remind_stale_places", "--wet-run"), minute=0, hour=9, weekday=0),
]


def claim(job, slot):
    """The run of ``job`` for ``slot``, or None when another scheduler has it already."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, slot=slot)
    except IntegrityError:
        return None


def run(job, slot):
    """Run ``job`` for ``slot`` if no scheduler did: True when this one ran it."""
    claimed = claim(job, slot)
    if claimed is None:
        return False
    output = io.StringIO()
    try:
        call_command(*job.command, stdout=output, stderr=output)
        succeeded = True
    except (Exception, SystemExit) as error:  # a failing job is recorded and retried at its next slot
        output.write(f"\n{type(error).__name__}: {error}")
        succeeded = False
    ScheduledRun.objects.filter(pk=claimed.pk).update(
        finished_at=timezone.now(), succeeded=succeeded, output=output.getvalue()[-10000:]
    )
    return True


def due(now=None):
    """(job, slot) for every job whose last slot has no run yet and is less than a day old."""
    now = now or timezone.now()
    slots = [(job, job.last_slot(now)) for job in JOBS]
    recent = [(job, slot) for job, slot in slots if now - slot < CATCH_UP]
    done = set(ScheduledRun.objects.filter(slot__gte=now - CATCH_UP).values_list("job", "slot"))
    return [(job, slot) for job, slot in recent if (job.name, slot) not in done]


def run_due(now=None):
    """One pass: run what is due; the names of the jobs this scheduler ran."""
    return [job.name for job, slot in due(now) if run(job, slot)]


def seconds_until_next(now=None):
    """How long to sleep: until the next minute a job may fall on, at most a minute."""
    now = now or timezone.now()
    next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return max(1.0, (next_minute - now).total_seconds())
