import json
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

LOGIN = reverse("accounts:login")
WRONG_PASSWORD = "mauvais-mot-de-passe-secret"


@pytest.fixture(autouse=True)
def _no_attempt_left_over(clean_axes):
    assert settings.AXES_FAILURE_LIMIT == 5


@pytest.fixture
def viewer_email(demo):
    """A demo account that needs no second factor, so a successful login lands on the dashboard."""
    return demo.user("observateur").email


def log_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def is_locked_out_page(response):
    return response.status_code == 429 and "accounts/locked_out.html" in [t.name for t in response.templates]


def test_five_wrong_passwords_block_the_login(client, viewer_email):
    for _attempt in range(4):
        response = log_in(client, viewer_email, WRONG_PASSWORD)
        assert response.status_code == 200
        assert response.context["form"].errors

    response = log_in(client, viewer_email, WRONG_PASSWORD)

    assert is_locked_out_page(response)
    assert f'href="{reverse("accounts:password_reset")}"' in response.content.decode()
    assert SESSION_KEY not in client.session
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (viewer_email, 5)


def test_right_password_is_refused_while_the_login_is_blocked(client, viewer_email):
    for _attempt in range(5):
        log_in(client, viewer_email, WRONG_PASSWORD)

    response = log_in(client, viewer_email, DEMO_PASSWORD)

    assert is_locked_out_page(response)
    assert SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_writing_the_address_in_capitals_does_not_give_more_attempts(client, viewer_email):
    for variant in [viewer_email, viewer_email.upper(), viewer_email.title(), viewer_email.capitalize()]:
        log_in(client, variant, WRONG_PASSWORD)

    response = log_in(client, viewer_email.swapcase(), WRONG_PASSWORD)
    assert is_locked_out_page(response)
    assert is_locked_out_page(log_in(client, viewer_email, DEMO_PASSWORD))


def test_blocking_one_address_leaves_the_other_accounts_alone(client, demo, viewer_email):
    for _attempt in range(5):
        log_in(client, viewer_email, WRONG_PASSWORD)

    response = log_in(client, demo.user("financeur").email, DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(demo.user("financeur").pk)


def test_blocking_from_one_computer_leaves_the_owner_able_to_log_in_from_another(client, viewer_email):
    for _attempt in range(5):
        log_in(client, viewer_email, WRONG_PASSWORD)

    elsewhere = Client(REMOTE_ADDR="203.0.113.7")
    response = log_in(elsewhere, viewer_email, DEMO_PASSWORD)

    assert response.status_code == 302


def test_a_successful_login_before_the_limit_starts_the_count_again(client, viewer_email):
    for _attempt in range(4):
        log_in(client, viewer_email, WRONG_PASSWORD)
    assert log_in(client, viewer_email, DEMO_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.post(reverse("accounts:logout"))

    for _attempt in range(4):
        response = log_in(client, viewer_email, WRONG_PASSWORD)
        assert response.status_code == 200

    response = log_in(client, viewer_email, DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")


def test_failed_logins_are_journaled_with_the_address_but_never_the_password(client, viewer_email):
    for _attempt in range(6):
        log_in(client, viewer_email, WRONG_PASSWORD)
    log_in(client, "personne@example.org", WRONG_PASSWORD)

    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    attempted = [event.details["attempted_email"] for event in failures]
    assert attempted.count(viewer_email) >= 5
    assert "personne@example.org" in attempted
    assert all(event.actor is None for event in failures)
    for event in AuditEvent.objects.all():
        written = json.dumps(event.details) + event.actor_label + event.target_label
        assert WRONG_PASSWORD not in written


@contextmanager
def clock_at(moment):
    """Django's and axes's clocks at ``moment`` (axes imports ``now`` into its own modules)."""
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("axes.attempts.now", return_value=moment),
        mock.patch("axes.handlers.proxy.now", return_value=moment),
    ):
        yield


def test_the_lockout_ends_a_fixed_time_after_the_failure_that_locked_it(client, viewer_email):
    locked_at = timezone.now()
    with clock_at(locked_at):
        for _attempt in range(5):
            log_in(client, viewer_email, WRONG_PASSWORD)
    cool_off = settings.AXES_COOLOFF_TIME

    # Every try while locked, wrong or right, is refused and does not restart the wait.
    for minutes, password in [(1, WRONG_PASSWORD), (5, DEMO_PASSWORD), (10, WRONG_PASSWORD), (14, DEMO_PASSWORD)]:
        with clock_at(locked_at + timedelta(minutes=minutes)):
            assert is_locked_out_page(log_in(client, viewer_email, password))
    assert AccessAttempt.objects.get().attempt_time == locked_at

    with clock_at(locked_at + cool_off + timedelta(seconds=1)):
        response = log_in(client, viewer_email, DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")
