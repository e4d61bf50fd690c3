"""Partners record help requests with their API key, and follow those of their organisation."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.accounts.models import ApiToken, Organization
from maillage.helprequests import services
from maillage.helprequests.models import HelpRequest, Status
from tests.helprequests.factories import api_request, new_request
from tests.places.factories import paperwork_place_of

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

URL = "/api/v1/help-requests"


@pytest.fixture
def key(demo, ccas):
    return ApiToken.issue(ccas, demo.user("ccas"), "Logiciel du CCAS")[1]


def post(client, key, data):
    return client.post(URL, data, content_type="application/json", headers={"Authorization": f"Bearer {key}"})


def test_a_partner_records_a_request_once_whatever_the_retries(client, key, ccas, demo):
    first = post(client, key, api_request())
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "new" and "/besoin-d-aide/suivi/" in body["follow_url"]
    again = post(client, key, api_request(phone="07 00 00 00 00"))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    help_request = HelpRequest.objects.get()
    assert (help_request.phone, help_request.referrer_organization, help_request.consent_recorded_by) == (
        "+33612345678",
        ccas,
        demo.user("ccas"),
    )


def test_a_partner_sends_to_a_chosen_place(client, key, demo):
    place = paperwork_place_of(Organization.objects.get(name="Médiathèque Toussaint"))
    response = post(client, key, api_request(place_id=place.pk))
    assert response.status_code == 201 and response.json()["status"] == "referred"


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"need": "astrologie"}, 422, "need"),
        ({"commune_insee": "99999"}, 422, "Unknown commune"),
        ({"phone": "12"}, 422, "phone"),
        ({"phone": "", "contact_preference": "sms"}, 422, "Type a phone number"),
        ({"place_id": 999999}, 422, "cannot receive"),
        ({"consent": None}, 422, "consent"),
        ({"contact_preference": "email", "email": "pas une adresse"}, 422, "e-mail address cannot be read"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(client, key, changes, status, words):
    response = post(client, key, api_request(**changes))
    assert response.status_code == status and words in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_no_key_a_wrong_key_a_revoked_key_or_a_viewer_key_records_nothing(client, key, demo, ccas):
    assert client.post(URL, api_request(), content_type="application/json").status_code == 401
    assert post(client, "mlg_not-a-key", api_request()).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    assert post(client, key, api_request()).status_code == 401
    library = Organization.objects.get(name="Médiathèque Toussaint")
    viewer_key = ApiToken.issue(library, demo.user("observateur"), "Tableau de bord")[1]
    assert post(client, viewer_key, api_request()).status_code == 403
    assert not HelpRequest.objects.exists()


def test_the_list_shows_only_the_organisations_requests_and_no_personal_details(client, key, demo, ccas):
    ours = new_request(referrer_organization=ccas, first_name="Marcel")
    services.escalate(ours)
    new_request(first_name="Someone else")
    response = client.get(URL, headers={"Authorization": f"Bearer {key}"})
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["reference"] == ours.reference
    assert body["results"][0]["status"] == Status.ESCALATED and "Marcel" not in response.content.decode()
    assert "+336" not in response.content.decode()
    filtered = client.get(URL + "?status=closed", headers={"Authorization": f"Bearer {key}"}).json()
    assert filtered["count"] == 0


def test_keys_are_made_by_a_command_shown_once_and_stored_hashed(demo, ccas):
    out = StringIO()
    call_command("create_api_token", str(ccas.pk), demo.user("ccas").email, "Logiciel", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert key.startswith("mlg_") and key not in str(token.__dict__) and token.key_hash == ApiToken.hash(key)
    assert ApiToken.authenticate(key) == token and token.name == "Logiciel"


def test_a_consent_time_without_time_zone_is_read_as_local_time(client, key):
    response = post(client, key, api_request(consent={"given_at": "2026-11-20T10:00:00", "channel": "oral_phone"}))
    assert response.status_code == 201
    assert timezone.localtime(HelpRequest.objects.get().consent_given_at).hour == 10
