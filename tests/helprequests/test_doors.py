"""Three doors, one service: the public form, the staff form and the API record a request through
``services.submit``, which holds every rule (the chosen contact needs its number, the place must take
requests, the relative must be reachable, the person must agree) and the idempotency key."""

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.accounts.models import ApiToken
from maillage.helprequests import services
from maillage.helprequests.models import ConsentChannel, ContactPreference, HelpRequest, Origin
from maillage.places.models import Place
from maillage.territory.models import Commune
from tests.conftest import verified_session
from tests.helprequests.factories import api_request, staff_request, three_steps
from tests.places.factories import new_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

API = "/api/v1/help-requests"


@pytest.fixture
def key(demo, ccas):
    return ApiToken.issue(ccas, demo.user("ccas"), "Logiciel du CCAS")[1]


def _api(client, key, **overrides):
    return client.post(
        API, api_request(**overrides), content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


def _new(**fields):
    defaults = {
        "origin": Origin.PERSON,
        "need": "demarches",
        "commune": Commune.objects.get(pk="49007"),
        "contact_preference": ContactPreference.CALL,
        "phone": "06 12 34 56 78",
        "consent": True,
        "consent_channel": ConsentChannel.ONLINE,
    }
    return services.NewRequest(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("fields", "field", "to_the_person", "to_staff"),
    [
        ({"phone": ""}, "phone", "so that we can reach you", "so that the place can reach the person"),
        ({"contact_preference": "email"}, "email", "so that we can write to you", "so that the place can write"),
        ({"consent": False}, "consent", "We need your agreement", "Without the person's agreement"),
        ({"phone": "06 12"}, "phone", "We cannot read this phone number", "We cannot read this phone number"),
    ],
)
def test_the_service_refuses_what_breaks_a_rule_in_the_voice_of_whoever_typed_it(
    communes, fields, field, to_the_person, to_staff
):
    with pytest.raises(services.RequestRefused) as online:
        services.submit(_new(**fields))
    with pytest.raises(services.RequestRefused) as at_the_desk:
        services.submit(_new(origin=Origin.DESK, consent_channel=ConsentChannel.ORAL_DESK, **fields))
    with translation.override("en"):
        assert to_the_person in str(online.value.errors[field]) and to_staff in str(at_the_desk.value.errors[field])
    assert not HelpRequest.objects.exists()


def test_a_relative_must_leave_a_way_to_reach_them_whatever_the_door(communes):
    with pytest.raises(services.RequestRefused) as refused:
        services.submit(_new(origin=Origin.RELATIVE, asked_by_someone_else=True))
    assert set(refused.value.errors) == {"asker_phone"}
    assert services.submit(_new(origin=Origin.RELATIVE, asked_by_someone_else=True, asker_email="fils@example.org"))


def test_the_three_doors_refuse_a_missing_number_and_keep_nothing(client, demo, key):
    online = three_steps(client, {"contact": "sms", "phone": "", "consent": "on"})
    assert "Tapez un numéro de téléphone" in online.content.decode()
    desk = verified_session(client, demo.user("ccas")).post(reverse("helprequests:new"), staff_request(phone=""))
    assert desk.status_code == 200 and "Tapez un numéro de téléphone" in desk.content.decode()
    api = _api(client, key, phone="", contact_preference="sms")
    assert api.status_code == 422 and "Type a phone number" in api.json()["detail"]
    assert not HelpRequest.objects.exists()


def test_a_place_that_takes_no_requests_is_refused_at_every_door_that_can_choose_one(client, demo, key):
    hidden = Place.objects.filter(organization__isnull=False).first()
    Place.objects.filter(pk=hidden.pk).update(status=Place.Status.DRAFT)
    assert _api(client, key, place_id=hidden.pk).status_code == 422
    with pytest.raises(services.RequestRefused) as refused:
        services.submit(_new(origin=Origin.REFERRAL, place=hidden, consent_channel=ConsentChannel.ORAL_DESK))
    assert set(refused.value.errors) == {"place"}


def test_a_place_answering_by_its_link_takes_requests_from_the_api_too(client, demo, key):
    """A published place without an account, with an e-mail address, answers from a signed link: the
    staff form always offered it; the API now does too (it used to refuse it)."""
    by_link = Place.objects.filter(organization__isnull=True).exclude(emails=[]).first()
    answer = _api(client, key, place_id=by_link.pk)
    assert answer.status_code == 201 and answer.json()["place_id"] == by_link.pk


def test_one_key_one_request_per_door_scope_and_any_length_of_key(client, demo, key, ccas):
    long_key = "k" * 64
    first = _api(client, key, idempotency_key=long_key)
    again = _api(client, key, idempotency_key=long_key)
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    stored = HelpRequest.objects.get().submission_key
    assert len(stored) == 64 and long_key not in stored  # hashed: fits the column on PostgreSQL
    online = services.submit(_new(), idempotency_key=long_key)
    assert online.pk != first.json()["id"] and not online.replayed, "another door's key is another request"


def test_the_staff_form_shows_each_missing_answer_once_beside_its_field(client, demo):
    desk = verified_session(client, demo.user("ccas"))
    page = desk.post(reverse("helprequests:new"), staff_request(contact="", consent_channel=""))
    errors = page.context["form"].errors
    assert set(errors) == {"contact", "consent_channel"}, errors  # nothing on the language or the consent box
    assert not HelpRequest.objects.exists()


def test_a_commune_not_located_yet_is_refused_only_when_the_nearest_places_must_be_found(communes):
    unlocated = Commune.objects.filter(latitude__isnull=True).first() or Commune.objects.create(
        insee_code="49999", name="Commune nouvelle", department_code="49"
    )
    Commune.objects.filter(pk=unlocated.pk).update(latitude=None, longitude=None)
    unlocated.refresh_from_db()
    with pytest.raises(services.RequestRefused) as refused:
        services.submit(_new(commune=unlocated))
    assert set(refused.value.errors) == {"commune"}
    place = new_place(name="Point numérique", emails=["accueil@example.org"])  # answers by its link
    chosen = _new(commune=unlocated, place=place, origin=Origin.REFERRAL, consent_channel=ConsentChannel.ORAL_DESK)
    assert services.submit(chosen).place == place
