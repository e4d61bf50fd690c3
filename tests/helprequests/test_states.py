"""The state machine: every move from every status, legal or not, and its log."""

import threading

import pytest
from django.db import connection

from maillage.helprequests import services
from maillage.helprequests.models import ContactAttempt, HelpRequest, Outcome, Status
from maillage.helprequests.states import TRANSITIONS, IllegalTransition, allowed_actions
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.helprequests.factories import new_request
from tests.places.factories import helping_place

pytestmark = pytest.mark.django_db

# One way to bring a new request to each status, through the services only.
PATHS = {
    Status.NEW: [],
    Status.REFERRED: ["refer"],
    Status.DECLINED: ["refer", "decline"],
    Status.ESCALATED: ["escalate"],
    Status.CLAIMED: ["claim"],
    Status.APPOINTMENT: ["claim", "book"],
    Status.CLOSED: ["claim", "close"],
    Status.WITHDRAWN: ["withdraw"],
    Status.EXPIRED: ["expire"],
}


@pytest.fixture
def world(communes):
    organization = OrganizationFactory(name="Médiathèque")
    place = helping_place(organization)
    mediator = UserFactory()
    return {"place": place, "other_place": helping_place(organization), "mediator": mediator}


def perform(action, help_request, world):
    place, other, by = world["place"], world["other_place"], world["mediator"]
    moves = {
        "submit": lambda: services._move(help_request, "submit"),
        "refer": lambda: services.refer(help_request, place, by),
        "claim": lambda: services.claim(help_request, place, by),
        "accept": lambda: services.accept(help_request, by),
        "decline": lambda: services.decline(help_request, by, "no_slot", note="complet cette semaine"),
        "transfer": lambda: services.transfer(help_request, other, by),
        "reoffer": lambda: services.reoffer(help_request, by),
        "escalate": lambda: services.escalate(help_request),
        "book": lambda: services.book(help_request, by, help_request.created_at),
        "close": lambda: services.close(help_request, by, Outcome.HELPED),
        "withdraw": lambda: services.withdraw(help_request),
        "expire": lambda: services.expire(help_request),
    }
    return moves[action]()


def request_in(status, world):
    help_request = new_request()
    for action in PATHS[status]:
        perform(action, help_request, world)
    assert HelpRequest.objects.get(pk=help_request.pk).status == status
    return help_request


def test_every_status_is_reachable_and_every_action_is_listed():
    assert set(PATHS) == set(Status)
    assert set(TRANSITIONS) == {
        "submit",
        "refer",
        "claim",
        "accept",
        "decline",
        "transfer",
        "reoffer",
        "escalate",
        "book",
        "close",
        "withdraw",
        "expire",
    }


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_each_action_from_each_status_moves_and_logs_or_refuses_and_changes_nothing(world, status, action):
    help_request = request_in(status, world)
    moves_before = help_request.transitions.count()
    sources, target = TRANSITIONS[action]
    if status in sources:
        perform(action, help_request, world)
        stored = HelpRequest.objects.get(pk=help_request.pk)
        assert stored.status == target == help_request.status
        last = stored.transitions.last()
        assert (last.action, last.from_status, last.to_status) == (action, status, target)
        assert stored.transitions.count() == moves_before + 1
    else:
        with pytest.raises(IllegalTransition):
            perform(action, help_request, world)
        assert HelpRequest.objects.get(pk=help_request.pk).status == status
        assert help_request.transitions.count() == moves_before


def test_an_expired_or_closed_request_cannot_be_accepted_or_claimed(world):
    for status in (Status.EXPIRED, Status.CLOSED, Status.WITHDRAWN):
        assert not {"accept", "claim", "book"} & allowed_actions(status)
        help_request = request_in(status, world)
        with pytest.raises(IllegalTransition):
            services.claim(help_request, world["place"], world["mediator"])


def test_submission_is_logged_and_a_chosen_place_means_a_referral(world):
    offered = new_request()
    referred = new_request(place=world["place"])
    assert offered.status == Status.NEW and referred.status == Status.REFERRED
    assert [(move.action, move.from_status, move.by_the_person) for move in offered.transitions.all()] == [
        ("submit", "", True)
    ]
    assert referred.transitions.get().action == "refer"


def test_the_same_submission_key_twice_records_one_request(world):
    first = new_request(submission_key="a" * 32)
    second = new_request(submission_key="a" * 32, phone="+33699999999")
    assert first.pk == second.pk and HelpRequest.objects.count() == 1
    assert HelpRequest.objects.get().phone == "+33612345678"


def test_declining_needs_a_reason_from_the_list_and_keeps_it_from_the_person(world):
    help_request = request_in(Status.REFERRED, world)
    with pytest.raises(ValueError):
        services.decline(help_request, world["mediator"], "because")
    services.decline(help_request, world["mediator"], "too_far", note="à 40 km")
    move = help_request.transitions.last()
    assert (move.reason, move.staff_note) == ("too_far", "à 40 km")


def test_unreachable_needs_three_attempts(world):
    help_request = request_in(Status.CLAIMED, world)
    for _attempt in range(2):
        services.log_contact_attempt(help_request, ContactAttempt.Kind.NO_ANSWER, world["mediator"])
    with pytest.raises(IllegalTransition):
        services.close(help_request, world["mediator"], Outcome.UNREACHABLE)
    services.log_contact_attempt(help_request, ContactAttempt.Kind.MESSAGE_LEFT, world["mediator"])
    services.close(help_request, world["mediator"], Outcome.UNREACHABLE)
    assert HelpRequest.objects.get(pk=help_request.pk).outcome == Outcome.UNREACHABLE


def test_nothing_is_added_to_a_closed_request(world):
    help_request = request_in(Status.WITHDRAWN, world)
    with pytest.raises(IllegalTransition):
        services.log_contact_attempt(help_request, ContactAttempt.Kind.CALLED, world["mediator"])
    with pytest.raises(IllegalTransition):
        services.add_person_message(help_request, "finalement si")


@pytest.mark.django_db(transaction=True)
def test_two_places_claiming_at_once_one_wins(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    help_request = new_request()
    outcomes = []
    barrier = threading.Barrier(2)

    def claim(place):
        barrier.wait()
        try:
            services.claim(HelpRequest.objects.get(pk=help_request.pk), place, world["mediator"])
            outcomes.append("claimed")
        except IllegalTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(place,)) for place in (world["place"], world["other_place"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "refused"]
    assert help_request.transitions.filter(action="claim").count() == 1
