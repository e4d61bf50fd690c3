import re
from base64 import b32encode
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts import services
from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import AuditEvent
from tests.accounts.factories import MembershipFactory, UserFactory, current_code, journal_actions, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

DASHBOARD = reverse("accounts:dashboard")
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


def sent_to(view_url, next_url=DASHBOARD):
    return f"{view_url}?{urlencode({'next': next_url})}"


@pytest.fixture
def new_mediator(library):
    """A mediator who has just joined and has no authenticator yet."""
    return MembershipFactory(
        organization=library, user__email="nouvelle.mediatrice@example.org", user__password=DEMO_PASSWORD
    ).user


def pending_device(user):
    return TOTPDevice.objects.get(user=user, confirmed=False)


def continue_link(html):
    """Where the main button of a page leads."""
    return re.search(r'<a class="button" href="([^"]*)"', html).group(1)


# Who is asked -----------------------------------------------------------------------------------


def test_mediator_logged_in_with_the_password_only_is_asked_for_a_code(client, demo, library):
    client.force_login(demo.user("mediateur"))

    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url == sent_to(VERIFY)

    detail = reverse("accounts:organization_detail", kwargs={"organization_id": library.pk})
    assert client.get(detail).url == sent_to(VERIFY, detail)


def test_new_mediator_without_authenticator_is_asked_to_set_one_up(client, new_mediator):
    client.force_login(new_mediator)

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url == sent_to(SETUP)
    assert client.get(VERIFY).url == SETUP


@pytest.mark.parametrize("viewer", ["observateur", "financeur"])
def test_viewer_is_not_asked_for_a_second_factor(client, demo, viewer):
    client.force_login(demo.user(viewer))

    assert client.get(DASHBOARD).status_code == 200


def test_platform_staff_is_asked_for_a_second_factor_even_without_organisation(client, db):
    staff = UserFactory(email="equipe@maillage.test", password=DEMO_PASSWORD, is_staff=True)
    client.force_login(staff)

    assert client.get(DASHBOARD).url == sent_to(SETUP)


def test_pages_about_the_second_factor_stay_reachable_before_it_is_given(client, demo):
    client.force_login(demo.user("mediateur"))

    assert client.get(VERIFY).status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_authenticator_cannot_be_replaced_without_the_current_one(client, demo):
    mediator = demo.user("mediateur")
    client.force_login(mediator)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next={SETUP}"
    assert not TOTPDevice.objects.filter(user=mediator, confirmed=False).exists()


# Setting up an authenticator --------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_and_the_key_to_type(client, new_mediator):
    client.force_login(new_mediator)

    response = client.get(sent_to(SETUP))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    device = pending_device(new_mediator)
    key = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(key[start : start + 4] for start in range(0, len(key), 4)) in html
    assert client.get(SETUP).status_code == 200
    assert pending_device(new_mediator) == device  # the same key until it is confirmed


def test_wrong_code_during_setup_is_refused(client, new_mediator):
    client.force_login(new_mediator)
    client.get(SETUP)
    device = pending_device(new_mediator)

    response = client.post(SETUP, {"token": wrong_code(device), "next": DASHBOARD})

    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert not services.has_two_factor(new_mediator)
    assert "two_factor_enabled" not in journal_actions(actor=new_mediator)
    assert client.get(DASHBOARD).url == sent_to(SETUP)


def test_right_code_turns_on_two_step_verification_and_shows_recovery_codes_once(client, new_mediator):
    client.force_login(new_mediator)
    client.get(sent_to(SETUP))
    device = pending_device(new_mediator)

    response = client.post(SETUP, {"token": current_code(device), "next": DASHBOARD})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert continue_link(html) == DASHBOARD
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=new_mediator).count() == 10
    assert journal_actions(actor=new_mediator)[-1] == "two_factor_enabled"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    assert client.get(DASHBOARD).status_code == 200
    assert not any(code in client.get(reverse("accounts:security")).content.decode() for code in codes)


def test_continue_link_after_setup_opens_the_dashboard_when_no_page_was_asked_for(client, new_mediator):
    client.force_login(new_mediator)
    client.get(SETUP)

    response = client.post(SETUP, {"token": current_code(pending_device(new_mediator)), "next": ""})

    assert response.status_code == 200
    assert continue_link(response.content.decode()) == DASHBOARD


def test_continue_link_after_setup_opens_the_page_first_asked_for(client, new_mediator, library):
    detail = reverse("accounts:organization_detail", kwargs={"organization_id": library.pk})
    client.force_login(new_mediator)
    assert client.get(detail).url == sent_to(SETUP, detail)
    client.get(sent_to(SETUP, detail))

    response = client.post(SETUP, {"token": current_code(pending_device(new_mediator)), "next": detail})

    assert continue_link(response.content.decode()) == detail
    assert client.get(detail).status_code == 200


def test_new_authenticator_replaces_the_old_one(client, demo):
    mediator = demo.user("mediateur")
    old = TOTPDevice.objects.get(user=mediator, confirmed=True)
    client.force_login(mediator)
    assert client.post(VERIFY, {"token": current_code(old), "next": SETUP}).url == SETUP
    client.get(SETUP)
    new = pending_device(mediator)
    new.key = "00" * 20  # a key different from the demo one, so that its codes differ
    new.save()

    client.post(SETUP, {"token": current_code(new)})

    assert list(TOTPDevice.objects.filter(user=mediator)) == [new]
    assert TOTPDevice.objects.get(user=mediator).confirmed


# Giving the second factor -----------------------------------------------------------------------


def test_recovery_code_works_once(client, demo):
    mediator = demo.user("mediateur")
    codes = services.renew_recovery_codes(mediator)
    client.force_login(mediator)

    response = client.post(VERIFY, {"token": codes[0].upper(), "next": DASHBOARD})

    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert StaticToken.objects.filter(device__user=mediator).count() == 9

    client.logout()
    client.force_login(mediator)
    response = client.post(VERIFY, {"token": codes[0], "next": DASHBOARD})

    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert client.get(DASHBOARD).url == sent_to(VERIFY)


def test_wrong_code_is_refused_at_verification(client, demo):
    mediator = demo.user("mediateur")
    client.force_login(mediator)

    response = client.post(VERIFY, {"token": wrong_code(TOTPDevice.objects.get(user=mediator)), "next": DASHBOARD})

    assert response.status_code == 200
    assert "token" in response.context["form"].errors
    assert client.get(DASHBOARD).url == sent_to(VERIFY)


def test_verification_does_not_send_anyone_to_another_site(client, demo):
    mediator = demo.user("mediateur")
    client.force_login(mediator)
    device = TOTPDevice.objects.get(user=mediator)

    response = client.post(VERIFY, {"token": current_code(device), "next": "https://attaquant.example/"})

    assert response.status_code == 302
    assert response.url == DASHBOARD


def test_mediator_logs_in_with_password_then_code(client, demo, clean_axes):
    mediator = demo.user("mediateur")
    login_page = client.get(reverse("accounts:login"))
    assert login_page.status_code == 200

    response = client.post(reverse("accounts:login"), {"username": mediator.email.upper(), "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == DASHBOARD
    assert journal_actions(actor=mediator) == ["login"]

    response = client.get(DASHBOARD)
    assert response.url == sent_to(VERIFY)
    assert client.get(response.url).status_code == 200

    device = TOTPDevice.objects.get(user=mediator, confirmed=True)
    response = client.post(VERIFY, {"token": current_code(device), "next": DASHBOARD})
    assert response.status_code == 302
    assert response.url == DASHBOARD

    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=mediator).count() == 1


def test_a_right_code_typed_again_is_said_already_used_not_wrong(client, demo):
    """At a shared desk, the same code was typed twice: "Ce code n'est pas le bon" sent people hunting."""
    mediator = demo.user("mediateur")
    device = TOTPDevice.objects.get(user=mediator)
    code = current_code(device)
    client.force_login(mediator)
    page = client.get(VERIFY).content.decode()
    assert re.search(r'<input[^>]*name="token"[^>]*autofocus', page)
    assert client.post(VERIFY, {"token": code, "next": DASHBOARD}).status_code == 302

    client.logout()
    client.force_login(mediator)
    again = client.post(VERIFY, {"token": code, "next": DASHBOARD}).content.decode()
    assert "Ce code a déjà servi. Attendez le code suivant" in again
    wrong = client.post(VERIFY, {"token": wrong_code(device), "next": DASHBOARD}).content.decode()
    assert "Ce code n’est pas le bon" in wrong and "déjà servi" not in wrong
