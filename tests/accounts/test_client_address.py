"""Behind the documented reverse proxy every request comes from the proxy's address: the client's is
read from X-Forwarded-For through TRUSTED_PROXY_COUNT proxies, one reading for our limits and for
django-axes (maillage.ratelimit.client_address). One person's failures never lock another's desk."""

import ast
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from django.test import Client, RequestFactory
from django.urls import reverse

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.ratelimit import client_address

PACKAGE = Path(__file__).resolve().parents[2] / "maillage"
PROXY = "127.0.0.1"


def request_from(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "client"),
    [
        (0, "203.0.113.9", "198.51.100.7", "203.0.113.9"),  # no proxy: a header anyone can send is not read
        (1, PROXY, "198.51.100.7", "198.51.100.7"),
        (1, PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own "6.6.6.6" is not trusted
        (2, PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),  # a CDN, then nginx
        (1, PROXY, "", PROXY),  # not through the proxy: counted under the address that came
        (2, PROXY, "198.51.100.7", PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_read_through_the_trusted_proxies_only(settings, count, remote, forwarded, client):
    settings.TRUSTED_PROXY_COUNT = count
    request = request_from(remote, forwarded)
    assert client_address(request) == client
    assert get_client_ip_address(request) == client  # django-axes reads the same


def test_a_login_made_without_a_network_request_gives_axes_no_address():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) == "unknown" and get_client_ip_address(request) is None


def test_nothing_else_reads_the_address_of_a_request():
    """REMOTE_ADDR read anywhere else would be the proxy's, everyone's."""
    found = [
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "ratelimit.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR")
    ]
    assert not found, found


@pytest.mark.django_db
@pytest.mark.shared_demo
def test_behind_the_proxy_one_persons_failures_lock_neither_another_login_nor_another_form(settings, demo, clean_axes):
    settings.TRUSTED_PROXY_COUNT = 1
    viewer = demo.user("observateur").email
    stranger = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    login = reverse("accounts:login")
    for _attempt in range(6):
        stranger.post(login, {"username": viewer, "password": "mauvais-mot-de-passe"})
    assert stranger.post(login, {"username": viewer, "password": DEMO_PASSWORD}).status_code == 429
    assert colleague.post(login, {"username": viewer, "password": DEMO_PASSWORD}).status_code == 302

    reset = reverse("accounts:password_reset")
    statuses = [stranger.post(reset, {"email": viewer}).status_code for _attempt in range(6)]
    assert statuses[-1] == 429
    assert colleague.post(reset, {"email": viewer}).status_code == 302
