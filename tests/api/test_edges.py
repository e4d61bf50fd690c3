"""What the API refuses at its edge, and how: JSON under /api/ always, with the documented shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.accounts.models import ApiToken, Membership
from maillage.helprequests.models import HelpRequest
from tests.accounts.factories import MembershipFactory
from tests.helprequests.factories import api_request
from tests.passes.factories import handed_out_booklet, pass_world

pytestmark = pytest.mark.django_db
URL = "/api/v1/help-requests"


@pytest.fixture
def key(communes):
    member = MembershipFactory()
    return ApiToken.issue(member.organization, member.user, "Logiciel du CCAS")[1]


def post(client, key, data):
    return client.post(URL, data, content_type="application/json", headers={"Authorization": f"Bearer {key}"})


@pytest.mark.parametrize("field", ["first_name", "phone", "email", "message"])
@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_in_any_text_are_refused_before_anything_is_stored(client, key, field, character):
    response = post(client, key, api_request(**{field: f"Mar{character}cel"}))
    assert response.status_code == 422, response.content
    assert (response.json()["reason"], response.json()["field"]) == ("invalid", field)
    assert not HelpRequest.objects.exists()


def test_a_message_keeps_its_lines_and_tabs(client, key):
    response = post(client, key, api_request(message="Ligne un\r\nLigne deux\tfin"))
    assert response.status_code == 201
    assert HelpRequest.objects.get().message == "Ligne un\r\nLigne deux\tfin"


def test_a_nul_in_a_pass_code_is_refused_as_invalid(client):
    world = pass_world()
    handed_out_booklet(world)
    key = ApiToken.issue(world.operator, world.mediator, "Caisse")[1]
    response = client.get("/api/v1/passes/AB%00CD", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422 and response.json()["field"] == "code"
    redeem = client.post(
        "/api/v1/passes/redeem",
        {"code": "AB\x00CD", "service": "individual", "idempotency_key": "scan-000001"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert redeem.status_code == 422 and redeem.json()["field"] == "code"


def test_a_viewers_key_cannot_check_passes(client):
    world = pass_world()
    code = handed_out_booklet(world).passes.get(position=1).code
    viewer = MembershipFactory(organization=world.operator, role=Membership.Role.VIEWER).user
    key = ApiToken.issue(world.operator, viewer, "Tableau de bord")[1]
    response = client.get(f"/api/v1/passes/{code}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403 and response.json()["reason"] == "forbidden"
    assert "cannot check passes" in response.json()["detail"]


@pytest.mark.parametrize(("days_before", "status"), [(0, 201), (364, 201), (365, 201), (366, 422), (4000, 422)])
def test_a_consent_given_more_than_a_year_before_the_request_is_refused(client, key, days_before, status):
    given_at = timezone.localtime() - timedelta(days=days_before)
    response = post(client, key, api_request(consent={"given_at": given_at.isoformat(), "channel": "oral_desk"}))
    assert response.status_code == status, response.content
    if status == 422:
        assert response.json()["field"] == "consent.given_at"
        assert "more than 365 days before the request" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nowhere", 404),
        ("get", "/api/v1/places/abc", 404),
        ("get", "/api/v1/places/999999", 404),
        ("delete", "/api/v1/places", 405),
        ("put", "/api/v1/help-requests", 405),
        ("get", "/api/v1/help-requests", 401),
    ],
)
def test_every_error_under_api_is_json_with_a_detail_and_a_reason(client, communes, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert set(response.json()) >= {"detail", "reason"}
    if status == 405:
        assert "GET" in response["Allow"]


def test_malformed_json_is_refused_as_json(client, key):
    response = client.post(
        URL, "{not json", content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code in {400, 422}
    assert response.json()["reason"] in {"bad_request", "invalid"}


def test_a_crash_under_api_answers_json_not_the_sites_page(client, communes, monkeypatch):
    from maillage.api import places

    def crash(*args, **kwargs):
        raise RuntimeError("the index is broken")

    monkeypatch.setattr(places, "search", crash)
    client.raise_request_exception = False
    response = client.get("/api/v1/places", {"lat": 47.47, "lon": -0.55})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error.", "reason": "server_error"}
