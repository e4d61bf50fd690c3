"""Second-factor codes: wrong ones lock, right ones never count; a shared desk is not locked out."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage import ratelimit
from maillage.accounts import views
from tests.accounts.factories import current_code, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]

VERIFY = reverse("accounts:two_factor_verify")
DESK = "203.0.113.50"  # a library's public computers


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


def at_the_desk(user):
    client = Client(REMOTE_ADDR=DESK)
    client.force_login(user)
    return client


def device_of(user):
    return TOTPDevice.objects.get(user=user, confirmed=True)


def test_right_codes_never_count_however_many_people_log_in_at_one_desk(demo):
    for _login in range(15):
        for local_part in ("mediateur", "admin"):
            user = demo.user(local_part)
            device = device_of(user)
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the next 30 seconds' code
            response = at_the_desk(user).post(VERIFY, {"token": current_code(device)})
            assert response.status_code == 302, response.status_code


def test_ten_wrong_codes_lock_the_account_and_not_the_colleague_at_the_same_desk(demo):
    mediator, admin = demo.user("mediateur"), demo.user("admin")
    guesser = at_the_desk(mediator)
    for _attempt in range(views.CODES_PER_ACCOUNT.limit):
        assert guesser.post(VERIFY, {"token": wrong_code(device_of(mediator))}).status_code == 200
    locked = guesser.post(VERIFY, {"token": current_code(device_of(mediator))})
    assert locked.status_code == 429 and "Réessayez dans 15 minutes" in locked.content.decode()

    assert at_the_desk(admin).post(VERIFY, {"token": current_code(device_of(admin))}).status_code == 302


def test_many_wrong_codes_from_one_address_lock_the_address(demo, communes):
    from tests.accounts.factories import MembershipFactory, with_second_factor

    accounts = [with_second_factor(MembershipFactory().user) for _person in range(4)]
    for attempt in range(views.CODES_PER_ADDRESS.limit):
        user = accounts[attempt % len(accounts)]
        at_the_desk(user).post(VERIFY, {"token": wrong_code(device_of(user))})
    someone = demo.user("admin")
    assert at_the_desk(someone).post(VERIFY, {"token": current_code(device_of(someone))}).status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    elsewhere.force_login(someone)
    assert elsewhere.post(VERIFY, {"token": current_code(device_of(someone))}).status_code == 302
