"""Places check and use passes from their own software, with an API key of one of their members."""

from types import SimpleNamespace

import pytest

from maillage import ratelimit
from maillage.accounts.models import ApiToken, Membership
from maillage.passes import codes, services
from maillage.passes.models import LedgerTransaction, Pass, PassStatus, Redemption
from tests.accounts.factories import MembershipFactory
from tests.passes.factories import handed_out_booklet, pass_world
from tests.places.factories import new_place

pytestmark = pytest.mark.django_db
REDEEM = "/api/v1/passes/redeem"


@pytest.fixture
def world():
    return pass_world()


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    """Counters live in fixed windows: a test crossing a window's end would see them start again."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


@pytest.fixture
def booklet(world):
    return handed_out_booklet(world)


@pytest.fixture
def key(world):
    return ApiToken.issue(world.operator, world.mediator, "Caisse de la médiathèque")[1]


def redeem(client, key, code, idempotency_key="scan-000001", **extra):
    data = {"code": code, "service": "individual", "idempotency_key": idempotency_key, **extra}
    return client.post(REDEEM, data, content_type="application/json", headers={"Authorization": f"Bearer {key}"})


def check(client, key, code, **params):
    return client.get(f"/api/v1/passes/{code}", params, headers={"Authorization": f"Bearer {key}"})


def test_a_place_uses_a_pass_and_a_retry_with_the_same_key_changes_nothing(client, key, booklet, world):
    code = booklet.passes.get(position=1).code
    first = redeem(client, key, codes.display(code))
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["codes"] == [codes.display(code)] and body["value_cents"] == 1000 and body["minutes"] == 60
    assert body["place_id"] == world.place.pk and body["replayed"] is False
    again = redeem(client, key, code)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["redemption_id"] == body["redemption_id"]
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 1

    twice = redeem(client, key, code, idempotency_key="scan-000002")
    assert twice.status_code == 409
    assert twice.json()["reason"] == "already_redeemed" and twice.json()["place_id"] == world.place.pk
    assert twice.json()["redeemed_at"]


def test_another_organisation_learns_when_a_pass_was_used_but_not_where(client, booklet, world):
    other = pass_world()
    other.program.qualified_places.add(world.place)
    other_key = ApiToken.issue(other.operator, other.mediator, "Autre")[1]
    code = booklet.passes.get(position=1).code
    assert redeem(client, ApiToken.issue(world.operator, world.mediator, "K")[1], code).status_code == 200
    world.program.qualified_places.add(other.place)
    answer = redeem(client, other_key, code, idempotency_key="other-0001")
    assert answer.status_code == 409 and answer.json()["place_id"] is None


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ("typo", 422, "typo"),
        ("garbage", 422, "not_a_code"),
        ("unknown", 404, "unknown"),
        ("blocked", 410, "blocked"),
        ("expired", 410, "expired"),
        ("not_qualified", 403, "not_qualified"),
        ("not_handed_out", 403, "not_handed_out"),
    ],
)
def test_each_refusal_has_its_status_and_a_plain_reason(client, key, booklet, world, change, status, reason):
    code = booklet.passes.get(position=1).code
    if change == "typo":
        code = code[:5] + ("Z" if code[5] != "Z" else "Y") + code[6:]
    elif change == "garbage":
        code = "bonjour"
    elif change == "unknown":
        code = codes.new_code()
    elif change == "blocked":
        services.block(booklet.passes.get(position=1), reason="volé", by=world.coordinator)
    elif change == "expired":
        Pass.objects.filter(code=code).update(status=PassStatus.EXPIRED)
    elif change == "not_qualified":
        world.program.qualified_places.clear()
    elif change == "not_handed_out":
        order = services.order_passes(world.program, pass_count=5, booklet_size=5, by=world.funder_member)
        code = order.booklets.first().passes.first().code
    answer = redeem(client, key, code)
    assert answer.status_code == status, answer.content
    assert answer.json()["reason"] == reason and answer.json()["detail"]
    assert not LedgerTransaction.objects.filter(kind="redemption").exists()


def test_checking_a_code_uses_nothing(client, key, booklet):
    code = booklet.passes.get(position=1).code
    answer = check(client, key, codes.display(code))
    assert answer.status_code == 200
    body = answer.json()
    assert body["usable"] is True and body["passes_left"] == 10 and body["services"]["course"] == 3
    assert Pass.objects.get(code=code).status == PassStatus.HANDED_OUT
    assert check(client, key, codes.new_code()).status_code == 404


def test_keys_of_viewers_and_missing_keys_cannot_use_passes(client, booklet, world):
    viewer = MembershipFactory(organization=world.operator, role=Membership.Role.VIEWER).user
    viewer_key = ApiToken.issue(world.operator, viewer, "Tableau de bord")[1]
    code = booklet.passes.get(position=1).code
    assert redeem(client, viewer_key, code).status_code == 403
    assert client.post(REDEEM, {}, content_type="application/json").status_code == 401


def test_an_organisation_with_several_places_says_which_one_when_more_than_one_is_qualified(
    client, key, booklet, world
):
    annex = new_place(world.operator, name="Annexe")
    code = booklet.passes.get(position=1).code
    assert redeem(client, key, code).status_code == 200  # only the first place is qualified: no doubt
    world.program.qualified_places.add(annex)
    second = booklet.passes.get(position=2).code
    answer = redeem(client, key, second, idempotency_key="scan-000002")
    assert answer.status_code == 422 and answer.json()["reason"] == "choose_place"
    assert answer.json()["field"] == "place_id" and "several places" in answer.json()["detail"]
    assert redeem(client, key, second, idempotency_key="scan-000002", place_id=annex.pk).status_code == 200
    stranger = pass_world().place
    elsewhere = redeem(client, key, second, idempotency_key="scan-000003", place_id=stranger.pk)
    assert elsewhere.status_code == 403 and elsewhere.json()["reason"] == "not_your_place"


def test_ten_unknown_codes_lock_the_key_out_for_fifteen_minutes(client, key, booklet, world):
    for attempt in range(10):
        assert redeem(client, key, codes.new_code(), idempotency_key=f"guess-{attempt:04d}").status_code == 404
    locked = redeem(client, key, booklet.passes.get(position=1).code, idempotency_key="honest-0001")
    assert locked.status_code == 429 and "15 minutes" in locked.json()["detail"]
    assert check(client, key, booklet.passes.get(position=1).code).status_code == 429
    other_key = ApiToken.issue(world.operator, world.mediator, "Autre poste")[1]
    assert redeem(client, other_key, booklet.passes.get(position=1).code).status_code == 429  # same address


def test_a_key_scanning_too_fast_is_asked_to_wait(client, key, booklet):
    code = booklet.passes.get(position=1).code
    answers = [check(client, key, code).status_code for _ in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429


def test_unknown_codes_count_towards_the_lockout_even_for_an_organisation_with_several_places(client, key, world):
    new_place(world.operator, name="Annexe")
    answers = {redeem(client, key, codes.new_code(), idempotency_key=f"guess-{n:04d}").status_code for n in range(11)}
    assert answers == {404, 429}


def test_a_place_outside_the_programme_learns_only_that_it_cannot_take_the_pass(client, key, booklet, world):
    world.program.qualified_places.clear()
    body = check(client, key, booklet.passes.get(position=1).code).json()
    assert body["reason"] == "not_qualified" and body["program"] is None and body["passes_left"] is None


def test_a_retried_key_after_a_cancellation_answers_409_cancelled(client, key, booklet, world):
    code = booklet.passes.get(position=1).code
    first = redeem(client, key, code)
    services.cancel_redemption(Redemption.objects.get(pk=first.json()["redemption_id"]), by=world.mediator)
    again = redeem(client, key, code)
    assert again.status_code == 409 and again.json()["reason"] == "cancelled"


def test_a_redemption_costs_a_dozen_queries_whatever_the_data(client, key, booklet, django_assert_max_num_queries):
    """Every scan of the network waits for this path: key, role, place, pass, rules, the move, the ledger."""
    first, second = booklet.passes.order_by("position").values_list("code", flat=True)[:2]
    redeem(client, key, first)
    with django_assert_max_num_queries(12):
        assert redeem(client, key, second, idempotency_key="scan-000002").status_code == 200
