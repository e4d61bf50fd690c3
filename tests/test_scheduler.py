"""The scheduled jobs of `make serve`: each at its time, once per slot, whatever the schedulers."""

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from maillage import scheduler
from maillage.models import ScheduledRun
from tests.races import race

PARIS = ZoneInfo("Europe/Paris")
MONDAY_1015 = datetime(2026, 12, 7, 10, 15, tzinfo=PARIS)


def test_each_job_has_its_last_slot_by_the_hour_the_day_or_the_week():
    hourly, daily, weekly = (
        scheduler.Job("h", ("check",), minute=0),
        scheduler.Job("d", ("check",), minute=30, hour=3),
        scheduler.Job("w", ("check",), minute=0, hour=9, weekday=0),
    )
    assert hourly.last_slot(MONDAY_1015) == datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)
    assert daily.last_slot(MONDAY_1015) == datetime(2026, 12, 7, 3, 30, tzinfo=PARIS)
    assert daily.last_slot(MONDAY_1015.replace(hour=2)) == datetime(2026, 12, 6, 3, 30, tzinfo=PARIS)
    assert weekly.last_slot(MONDAY_1015) == datetime(2026, 12, 7, 9, 0, tzinfo=PARIS)
    assert weekly.last_slot(MONDAY_1015.replace(hour=8)) == datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)


def test_the_jobs_are_those_of_the_deployment_guide():
    names = {job.name for job in scheduler.JOBS}
    text = (Path(scheduler.__file__).resolve().parent.parent / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    assert names == {name for name in names if f"manage.py {name}" in text} and len(names) == 7


@pytest.fixture
def one_job(monkeypatch):
    job = scheduler.Job("check_ledger", ("check_ledger",), minute=0)
    monkeypatch.setattr(scheduler, "JOBS", [job])
    return job


@pytest.mark.django_db
def test_a_job_runs_once_per_slot_and_catches_up_one_missed_slot(one_job):
    assert scheduler.run_due(MONDAY_1015) == ["check_ledger"]
    assert scheduler.run_due(MONDAY_1015 + timedelta(minutes=20)) == []
    assert scheduler.run_due(MONDAY_1015 + timedelta(hours=1)) == ["check_ledger"]
    # Stopped for three days: the last slot only, not 72 runs.
    assert scheduler.run_due(MONDAY_1015 + timedelta(days=3)) == ["check_ledger"]
    assert ScheduledRun.objects.count() == 3
    run = ScheduledRun.objects.first()
    assert run.succeeded and run.finished_at and "ledger" in run.output.lower()


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_scheduler_goes_on(monkeypatch):
    failing = scheduler.Job("nope", ("no_such_command",), minute=0)
    monkeypatch.setattr(scheduler, "JOBS", [failing, scheduler.Job("check_ledger", ("check_ledger",), minute=0)])
    assert scheduler.run_due(MONDAY_1015) == ["nope", "check_ledger"]
    failed = ScheduledRun.objects.get(job="nope")
    assert failed.succeeded is False and "Unknown command" in failed.output


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_run_a_job_once(one_job):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    slot = one_job.last_slot(MONDAY_1015)
    ran = []
    assert (
        race(lambda: ran.append(scheduler.run(one_job, slot)), lambda: ran.append(scheduler.run(one_job, slot))) == []
    )
    assert sorted(ran) == [False, True]
    assert ScheduledRun.objects.filter(job=one_job.name, slot=slot).count() == 1


@pytest.mark.django_db
def test_the_scheduler_command_runs_what_is_due_once(one_job):
    output = StringIO()
    call_command("run_scheduler", "--once", stdout=output)
    call_command("run_scheduler", "--once", stdout=output)
    assert output.getvalue().count("ran check_ledger") == 1
