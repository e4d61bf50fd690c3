"""Public forms and code entry accept a few tries, then ask politely to wait."""

from django.core import mail
from django.urls import reverse

from tests.conftest import verified_session


def test_password_reset_requests_are_limited_per_address(client, demo):
    url = reverse("accounts:password_reset")
    for _attempt in range(5):
        assert client.post(url, {"email": "admin@demo.maillage.test"}).status_code == 302
    response = client.post(url, {"email": "admin@demo.maillage.test"})
    assert response.status_code == 429
    assert b'class="help-line"' in response.content
    assert len(mail.outbox) == 5, "no e-mail is sent once the limit is reached"


def test_second_factor_codes_are_limited_per_account(client, demo):
    mediator = demo.user("mediateur")
    client.force_login(mediator)  # password given, second factor not yet
    url = reverse("accounts:two_factor_verify")
    statuses = [client.post(url, {"token": "000000"}).status_code for _attempt in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_invitation_links_count_accounts_made_not_links_that_fail(client, demo):
    # A signed link cannot be guessed: a wrong one costs nothing and holds nobody up at a shared desk.
    url = reverse("accounts:invitation_accept", kwargs={"token": "not-a-real-token"})
    assert [client.post(url).status_code for _attempt in range(15)] == [410] * 15


def test_reading_a_page_is_never_limited(client, demo):
    verified_session(client, demo.user("observateur"))
    for _attempt in range(30):
        assert client.get(reverse("accounts:password_reset")).status_code == 200
