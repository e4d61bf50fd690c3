"""The till and the API are two doors to one service: a code is read and looked up once, the place is
chosen by the same rule, a refusal means the same words, and guessing codes locks both."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from maillage import ratelimit
from maillage.accounts.models import ApiToken, Membership
from maillage.passes import codes, refusals, services
from maillage.passes.models import Service
from maillage.passes.refusals import PassActionRefused
from tests.accounts.factories import MembershipFactory, with_second_factor
from tests.conftest import verified_session
from tests.passes.factories import handed_out_booklet, pass_world
from tests.places.factories import new_place

pytestmark = pytest.mark.django_db
TILL = "/pass-numerique/encaisser/"


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


@pytest.fixture
def world():
    return pass_world()


def _at_the_till(client, user):
    """A member logged in with their second factor, as the till needs."""
    return verified_session(client, with_second_factor(user))


def _api_redeem(client, key, code, **extra):
    data = {"code": code, "service": "individual", "idempotency_key": "scan-000001", **extra}
    return client.post(
        "/api/v1/passes/redeem", data, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


def test_a_code_is_looked_up_once_even_when_the_place_is_chosen_by_its_programme(client, world):
    new_place(world.operator, name="Annexe")  # two places: the pass's programme says which one
    key = ApiToken.issue(world.operator, world.mediator, "Caisse")[1]
    code = handed_out_booklet(world).passes.get(position=1).code
    with CaptureQueriesContext(connection) as queries:
        answer = _api_redeem(client, key, codes.display(code))
    assert answer.status_code == 200 and answer.json()["place_id"] == world.place.pk
    lookups = [query["sql"] for query in queries if '"passes_pass"' in query["sql"] and f"'{code}'" in query["sql"]]
    assert len(lookups) == 1, lookups


def test_a_place_that_is_not_ones_own_is_refused_by_the_service_itself(world):
    code = handed_out_booklet(world).passes.get(position=1).code
    elsewhere = pass_world().place
    own_places = type(world.place).objects.filter(organization=world.operator)
    with pytest.raises(PassActionRefused) as refused:
        services.redeem(code, places=own_places, place=elsewhere, service=Service.INDIVIDUAL, by=world.mediator)
    assert refused.value.reason == "not_your_place"


def test_the_till_and_the_api_tell_a_used_pass_in_the_same_words(client, world):
    booklet = handed_out_booklet(world)
    code = booklet.passes.get(position=1).code
    services.redeem(code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    key = ApiToken.issue(world.operator, world.mediator, "Caisse")[1]
    api = _api_redeem(client, key, code, idempotency_key="scan-000009").json()
    with translation.override("fr"):
        try:
            services.redeem(code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
        except PassActionRefused as refusal:
            french = refusals.explained(refusal, world.operator.pk).message
    page = _at_the_till(client, world.mediator).post(
        TILL, {"code": code, "service": "individual", "place": world.place.pk, "idempotency_key": "1" * 32}
    )
    assert api["reason"] == "already_redeemed" and api["place_id"] == world.place.pk
    assert api["detail"].startswith("This pass was already used on ") and world.place.name in api["detail"]
    assert french.startswith("Ce pass a déjà été utilisé le ") and french in page.content.decode()


def test_guessing_codes_at_the_till_locks_the_api_from_the_same_address(client, world):
    member = MembershipFactory(organization=world.operator, role=Membership.Role.MEDIATOR).user
    till = _at_the_till(client, member)
    for attempt in range(10):
        till.post(
            TILL,
            {
                "code": codes.new_code(),
                "service": "individual",
                "place": world.place.pk,
                "idempotency_key": f"{attempt:032d}",
            },
        )
    key = ApiToken.issue(world.operator, world.mediator, "Caisse")[1]
    locked = _api_redeem(client, key, codes.new_code())
    assert locked.status_code == 429 and locked.json()["reason"] == "locked" and "15 minutes" in locked.json()["detail"]
