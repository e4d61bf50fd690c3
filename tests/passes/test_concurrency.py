"""Many places scanning the same passes at the same moment: each pass is redeemed exactly once.

PostgreSQL only: SQLite serialises writers, so there is no race to lose there.
"""

import contextlib
import datetime
import random
from collections import Counter

import pytest
from django.db import connection

from maillage.passes import ledger_check, services
from maillage.passes.models import Pass, Redemption, Service
from tests.passes.factories import handed_out_booklet, pass_world
from tests.places.factories import new_place
from tests.races import race

THREADS = 16

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")


def scanner(codes, seed, refusals, successes=None, **redeem_arguments):
    """A place scanning every code, in its own order, counting what happens."""

    def scan():
        mine = codes[:]
        random.Random(seed).shuffle(mine)
        for code in mine:
            try:
                services.redeem(code, **redeem_arguments)
                if successes is not None:
                    successes[code] += 1
            except services.PassActionRefused as refusal:
                refusals[refusal.reason] += 1

    return scan


def test_concurrent_redemptions_of_the_same_codes_succeed_once_per_pass_and_keep_the_ledger_balanced():
    world = pass_world()
    places = [world.place] + [new_place(world.operator, name=f"Lieu {n}") for n in range(3)]
    world.program.qualified_places.add(*places)
    for _booklet in range(3):
        handed_out_booklet(world)
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    successes, refusals = Counter(), Counter()
    scanners = [
        scanner(
            codes,
            worker,
            refusals,
            successes,
            place=places[worker % len(places)],
            service=Service.INDIVIDUAL,
            by=world.mediator,
        )
        for worker in range(THREADS)
    ]
    assert race(*scanners) == []
    assert set(successes.values()) == {1} and set(successes) == set(codes)
    assert refusals == {"already_redeemed": len(codes) * (THREADS - 1)}
    assert Redemption.objects.count() == len(codes)
    assert ledger_check.problems() == []


def test_concurrent_services_costing_three_passes_never_share_a_pass():
    world = pass_world()
    booklets = [handed_out_booklet(world) for _booklet in range(2)]
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    refusals = Counter()
    scanners = [
        scanner(codes, worker, refusals, place=world.place, service=Service.COURSE, by=world.mediator)
        for worker in range(THREADS)
    ]
    assert race(*scanners) == []
    assert set(refusals) <= {"already_redeemed", "not_enough_passes"}
    for booklet in booklets:  # 10 passes a person: three courses, one pass left over
        assert Redemption.objects.filter(passes__booklet=booklet).distinct().count() == 3
        assert booklet.passes.filter(status="redeemed").count() == 9
    assert ledger_check.problems() == []


def test_expiry_at_midnight_racing_the_last_redemptions_pays_each_pass_once():
    """The day after the last valid day, expiry runs while places still take passes dated the day before."""
    world = pass_world()
    for _booklet in range(3):
        handed_out_booklet(world)
    program = world.program
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    refusals = Counter()
    scanners = [
        scanner(
            codes[worker::4],
            worker,
            refusals,
            place=world.place,
            service=Service.INDIVIDUAL,
            by=world.mediator,
            today=program.expires_on,
        )
        for worker in range(4)
    ]

    def expire():
        with contextlib.suppress(services.PassActionRefused):
            services.expire_program(program, today=program.expires_on + datetime.timedelta(days=1))

    assert race(*scanners, expire) == []
    assert set(refusals) <= {"expired"}
    assert set(Pass.objects.values_list("status", flat=True)) <= {"redeemed", "expired"}
    assert ledger_check.problems() == []
