"""The life of a pass, from the order to the payout, with the ledger checked after every step."""

import datetime

import pytest
from django.utils import timezone

from maillage.passes import codes, ledger_check, services
from maillage.passes.models import Account, CreditNote, LedgerTransaction, Pass, PassStatus, Payout, Service
from maillage.passes.services import PassActionRefused
from maillage.territory.models import Commune
from tests.passes.factories import handed_out_booklet, pass_world
from tests.places.factories import new_place

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return pass_world()


def refused(reason, function, *args, **kwargs):
    with pytest.raises(PassActionRefused) as caught:
        function(*args, **kwargs)
    assert caught.value.reason == reason, caught.value.reason
    return caught.value


def balance(key):
    return Account.objects.get(key=key).balance_cents()


def test_an_order_makes_booklets_of_unique_codes_that_stay_unusable_until_it_is_paid(world):
    order = services.order_passes(world.program, pass_count=23, booklet_size=10, by=world.funder_member)
    assert [b.passes.count() for b in order.booklets.order_by("number")] == [10, 10, 3]
    assert Pass.objects.filter(status=PassStatus.ORDERED).count() == 23
    assert len(set(Pass.objects.values_list("code", flat=True))) == 23
    refused(
        "not_enough_booklets",
        services.assign_booklets,
        order,
        distributor=world.distributor,
        count=1,
        by=world.coordinator,
    )
    code = Pass.objects.first().code
    refused("not_handed_out", services.redeem, code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    assert not LedgerTransaction.objects.exists() and ledger_check.problems() == []

    services.mark_order_paid(order, by=world.coordinator)
    assert Pass.objects.filter(status=PassStatus.ACTIVE).count() == 23
    assert balance(f"program:{world.program.pk}") == 23_000 and balance(f"funder:{world.funder.pk}") == -23_000
    refused("order_already_paid", services.mark_order_paid, order, by=world.coordinator)
    assert LedgerTransaction.objects.count() == 1 and ledger_check.problems() == []


def test_a_distributor_hands_out_a_whole_booklet_or_single_passes_and_records_no_name(world, communes):
    order = services.order_passes(world.program, pass_count=10, booklet_size=5, by=world.funder_member)
    services.mark_order_paid(order, by=world.coordinator)
    refused(
        "not_a_distributor", services.assign_booklets, order, distributor=world.operator, count=1, by=world.coordinator
    )
    first, second = services.assign_booklets(order, distributor=world.distributor, count=2, by=world.coordinator)
    assert set(first.passes.values_list("status", flat=True)) == {PassStatus.WITH_DISTRIBUTOR}

    angers = Commune.objects.get(pk="49007")
    whole = services.hand_out(
        first,
        distributor=world.distributor,
        by=world.distributor_member,
        commune=angers,
        age_band="75_plus",
        public="seniors",
    )
    assert whole.passes.count() == 5 and whole.commune_id == "49007"
    two = services.hand_out(second, distributor=world.distributor, by=world.distributor_member, positions=[2, 3])
    assert sorted(two.passes.values_list("position", flat=True)) == [2, 3] and two.age_band == ""
    refused(
        "nothing_to_hand_out",
        services.hand_out,
        second,
        distributor=world.distributor,
        by=world.distributor_member,
        positions=[3],
    )
    other = pass_world().distributor
    refused("not_your_booklet", services.hand_out, second, distributor=other, by=world.distributor_member)


def test_a_qualified_place_redeems_a_pass_once_and_a_second_try_says_when_and_where(world):
    booklet = handed_out_booklet(world)
    code = booklet.passes.get(position=1).code
    redemption, replayed = services.redeem(
        codes.display(code).lower(), place=world.place, service=Service.INDIVIDUAL, by=world.mediator
    )
    assert not replayed and redemption.pass_count == 1 and redemption.value_cents == 1000 and redemption.minutes == 60
    assert Pass.objects.get(code=code).status == PassStatus.REDEEMED
    again = refused(
        "already_redeemed", services.redeem, code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator
    )
    assert again.details["redemption"] == redemption
    assert balance(f"place:{world.place.pk}") == 1000 and balance(f"program:{world.program.pk}") == 9000
    assert ledger_check.problems() == []


def test_typos_unknown_codes_and_rules_are_told_apart(world):
    booklet = handed_out_booklet(world)
    code = booklet.passes.get(position=1).code
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    refused("typo", services.redeem, typo, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    refused("not_a_code", services.redeem, "1234", place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    unknown = codes.new_code()
    refused("unknown", services.redeem, unknown, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    elsewhere = new_place(world.operator, name="Annexe")
    refused("not_qualified", services.redeem, code, place=elsewhere, service=Service.INDIVIDUAL, by=world.mediator)
    world.program.service_costs = {Service.WORKSHOP: 1}
    world.program.save()
    refused(
        "service_not_allowed", services.redeem, code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator
    )
    late = world.program.expires_on + datetime.timedelta(days=1)
    refused(
        "expired", services.redeem, code, place=world.place, service=Service.WORKSHOP, by=world.mediator, today=late
    )
    services.block(booklet.passes.get(position=1), reason="perdu", by=world.coordinator)
    refused("blocked", services.redeem, code, place=world.place, service=Service.WORKSHOP, by=world.mediator)
    services.unblock(booklet.passes.get(position=1), by=world.coordinator)
    assert Pass.objects.get(code=code).status == PassStatus.HANDED_OUT
    assert not LedgerTransaction.objects.filter(kind="redemption").exists() and ledger_check.problems() == []


def test_a_service_worth_three_passes_takes_three_of_the_same_handover(world):
    booklet = handed_out_booklet(world, pass_count=5, booklet_size=5)
    scanned = booklet.passes.get(position=4)
    redemption, _ = services.redeem(scanned.code, place=world.place, service=Service.COURSE, by=world.mediator)
    assert sorted(redemption.passes.values_list("position", flat=True)) == [1, 2, 4]
    assert redemption.value_cents == 3000 and redemption.minutes == 180
    left = booklet.passes.get(position=3).code
    refused("not_enough_passes", services.redeem, left, place=world.place, service=Service.COURSE, by=world.mediator)
    assert services.check(left, place=world.place).passes_left == 2
    assert ledger_check.problems() == []


def test_the_same_idempotency_key_gives_the_first_answer_and_does_nothing_more(world):
    booklet = handed_out_booklet(world)
    code, other = booklet.passes.get(position=1).code, booklet.passes.get(position=2).code
    first, replayed = services.redeem(
        code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator, idempotency_key="scan-0001"
    )
    again, replayed = services.redeem(
        code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator, idempotency_key="scan-0001"
    )
    assert again == first and replayed
    refused(
        "key_reused",
        services.redeem,
        other,
        place=world.place,
        service=Service.INDIVIDUAL,
        by=world.mediator,
        idempotency_key="scan-0001",
    )
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 1


def test_a_place_cancels_a_redemption_the_same_day_never_later_nor_once_in_a_statement(world):
    booklet = handed_out_booklet(world)
    code = booklet.passes.get(position=1).code
    redemption, _ = services.redeem(code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused("not_same_day", services.cancel_redemption, redemption, by=world.mediator, today=tomorrow)
    services.cancel_redemption(redemption, by=world.mediator)
    assert Pass.objects.get(code=code).status == PassStatus.HANDED_OUT and balance(f"place:{world.place.pk}") == 0
    assert ledger_check.problems() == []
    refused("cannot_cancel", services.cancel_redemption, redemption, by=world.mediator)

    again, _ = services.redeem(code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator)
    services.create_payouts(timezone.localdate())
    refused("cannot_cancel", services.cancel_redemption, again, by=world.mediator)
    assert ledger_check.problems() == []


def test_month_end_makes_one_gapless_statement_per_place_and_paying_it_closes_the_books(world):
    booklet = handed_out_booklet(world)
    other_place = new_place(world.operator, name="Annexe")
    world.program.qualified_places.add(other_place)
    services.redeem(booklet.passes.get(position=1).code, place=world.place, service="individual", by=world.mediator)
    services.redeem(booklet.passes.get(position=2).code, place=world.place, service="workshop", by=world.mediator)
    services.redeem(booklet.passes.get(position=3).code, place=other_place, service="workshop", by=world.mediator)
    statements = services.create_payouts(timezone.localdate())
    assert [(p.number, p.pass_count, p.total_cents) for p in statements] == [(1, 2, 2000), (2, 1, 1000)]
    assert services.create_payouts(timezone.localdate()) == []  # a month is paid once
    assert set(booklet.passes.filter(position__lte=3).values_list("status", flat=True)) == {PassStatus.IN_PAYOUT}
    assert ledger_check.problems() == []

    services.mark_payout_paid(statements[0], by=world.coordinator)
    assert Payout.objects.get(number=1).exported_at is not None
    assert balance(f"place:{world.place.pk}") == 0 and balance(f"paid_out:{world.place.pk}") == 2000
    refused("payout_already_paid", services.mark_payout_paid, statements[0], by=world.coordinator)
    assert ledger_check.problems() == []


def test_at_the_end_date_plus_grace_unused_passes_expire_and_their_value_returns_to_the_funder(world):
    booklet = handed_out_booklet(world, pass_count=20)
    services.redeem(booklet.passes.get(position=1).code, place=world.place, service="individual", by=world.mediator)
    unpaid = services.order_passes(world.program, pass_count=5, booklet_size=5, by=world.funder_member)
    assert services.expire_program(world.program, today=world.program.expires_on) == 0
    expired = services.expire_program(world.program, today=world.program.expires_on + datetime.timedelta(days=1))
    assert expired == 19 + 5
    assert balance(f"credit_note:{world.funder.pk}") == 19_000 and balance(f"program:{world.program.pk}") == 0
    note = CreditNote.objects.get()
    assert (note.reference, note.pass_count, note.amount_cents) == ("AV-000001", 19, 19_000)
    assert not unpaid.booklets.first().passes.exclude(status=PassStatus.EXPIRED).exists()
    assert ledger_check.problems() == []


def test_the_check_finds_a_pass_whose_status_was_changed_behind_the_services_back(world):
    booklet = handed_out_booklet(world)
    Pass.objects.filter(pk=booklet.passes.get(position=1).pk).update(status=PassStatus.EXPIRED)
    assert any("program:" in problem for problem in ledger_check.problems())


def test_a_use_recorded_after_the_months_statement_gets_a_statement_of_its_own(world):
    booklet = handed_out_booklet(world)
    services.redeem(booklet.passes.get(position=1).code, place=world.place, service="individual", by=world.mediator)
    first = services.create_payouts(timezone.localdate())
    services.redeem(booklet.passes.get(position=2).code, place=world.place, service="individual", by=world.mediator)
    late = services.create_payouts(timezone.localdate())
    assert [p.number for p in first + late] == [1, 2] and late[0].pass_count == 1
    assert services.create_payouts(timezone.localdate()) == [] and ledger_check.problems() == []


def test_a_programme_past_its_end_takes_no_order_and_no_payment(world):
    order = services.order_passes(world.program, pass_count=5, booklet_size=5, by=world.funder_member)
    world.program.ends_on = world.program.starts_on
    world.program.grace_days = 0
    world.program.save()
    refused("program_ended", services.order_passes, world.program, pass_count=5, booklet_size=5, by=None)
    refused("program_ended", services.mark_order_paid, order, by=world.coordinator)


def test_a_retried_key_after_a_cancellation_says_the_use_was_cancelled(world):
    booklet = handed_out_booklet(world)
    code = booklet.passes.get(position=1).code
    redemption, _ = services.redeem(
        code, place=world.place, service="individual", by=world.mediator, idempotency_key="scan-0001"
    )
    services.cancel_redemption(redemption, by=world.mediator)
    refused(
        "cancelled",
        services.redeem,
        code,
        place=world.place,
        service="individual",
        by=world.mediator,
        idempotency_key="scan-0001",
    )
    assert Pass.objects.get(code=code).status == PassStatus.HANDED_OUT
