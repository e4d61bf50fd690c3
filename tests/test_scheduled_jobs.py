"""Scheduled jobs are dry runs unless told otherwise (maillage/management/wet_run.py): without
--wet-run they say what they would do, and change and send nothing."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command, get_commands, load_command_class

from maillage.accounts.models import AuditEvent
from maillage.management.wet_run import DRY_RUN, WetRunCommand
from maillage.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)


def _scheduled_jobs():
    return sorted(
        name
        for name, app in get_commands().items()
        if app.startswith("maillage") and isinstance(load_command_class(app, name), WetRunCommand)
    )


def test_the_scheduled_jobs_are_the_expected_ones():
    assert _scheduled_jobs() == [
        "help_request_upkeep",
        "pass_upkeep",
        "purge_activity_data",
        "purge_personal_data",
        "remind_stale_places",
    ]


@pytest.mark.parametrize("name", _scheduled_jobs())
def test_a_dry_run_says_so_and_changes_nothing(demo, name):
    before = (Notification.objects.count(), AuditEvent.objects.count())
    output = StringIO()
    call_command(name, stdout=output)
    lines = output.getvalue().splitlines()
    assert lines and all(line.startswith(DRY_RUN) for line in lines) and "--wet-run" in lines[-1]
    assert (Notification.objects.count(), AuditEvent.objects.count()) == before and not mail.outbox
