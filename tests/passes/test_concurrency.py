"""Many places scanning the same passes at the same moment: each pass is redeemed exactly once."""

import contextlib
import datetime
import random
import threading
from collections import Counter

import pytest
from django.db import connection

from maillage.passes import ledger_check, services
from maillage.passes.models import Pass, Redemption, Service
from tests.passes.factories import handed_out_booklet, new_place, pass_world

THREADS = 16


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_of_the_same_codes_succeed_once_per_pass_and_keep_the_ledger_balanced():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    world = pass_world()
    places = [world.place] + [new_place(world.operator, name=f"Lieu {n}") for n in range(3)]
    world.program.qualified_places.add(*places)
    for _booklet in range(3):
        handed_out_booklet(world)
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    successes, refusals, errors = Counter(), Counter(), []
    barrier = threading.Barrier(THREADS)

    def scan(worker):
        mine = codes[:]
        random.Random(worker).shuffle(mine)
        barrier.wait()
        try:
            for code in mine:
                try:
                    services.redeem(code, place=places[worker % len(places)], service=Service.INDIVIDUAL,
                                    by=world.mediator, idempotency_key=f"w{worker}-{code}")  # fmt: skip
                    successes[code] += 1
                except services.PassActionRefused as refusal:
                    refusals[refusal.reason] += 1
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(successes.values()) == {1} and set(successes) == set(codes)
    assert refusals == {"already_redeemed": len(codes) * (THREADS - 1)}
    assert Redemption.objects.count() == len(codes)
    assert ledger_check.problems() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_services_costing_three_passes_never_share_a_pass():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    world = pass_world()
    booklets = [handed_out_booklet(world) for _booklet in range(2)]
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    refusals, errors = Counter(), []
    barrier = threading.Barrier(THREADS)

    def scan(worker):
        mine = codes[:]
        random.Random(worker).shuffle(mine)
        barrier.wait()
        try:
            for code in mine:
                try:
                    services.redeem(code, place=world.place, service=Service.COURSE, by=world.mediator)
                except services.PassActionRefused as refusal:
                    refusals[refusal.reason] += 1
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(worker,)) for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and set(refusals) <= {"already_redeemed", "not_enough_passes"}
    for booklet in booklets:  # 10 passes a person: three courses, one pass left over
        assert Redemption.objects.filter(passes__booklet=booklet).distinct().count() == 3
        assert booklet.passes.filter(status="redeemed").count() == 9
    assert ledger_check.problems() == []


@pytest.mark.django_db(transaction=True)
def test_expiry_at_midnight_racing_the_last_redemptions_pays_each_pass_once():
    """The day after the last valid day, expiry runs while places still take passes dated the day before."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    world = pass_world()
    for _booklet in range(3):
        handed_out_booklet(world)
    program = world.program
    codes = list(Pass.objects.filter(status="handed_out").values_list("code", flat=True))
    barrier, errors = threading.Barrier(5), []

    def scan(worker):
        barrier.wait()
        try:
            for code in codes[worker::4]:
                with contextlib.suppress(services.PassActionRefused):  # expired meanwhile: refused, fine
                    services.redeem(code, place=world.place, service=Service.INDIVIDUAL, by=world.mediator,
                                    today=program.expires_on)  # fmt: skip
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    def expire():
        barrier.wait()
        try:
            services.expire_program(program, today=program.expires_on + datetime.timedelta(days=1))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=scan, args=(worker,)) for worker in range(4)]
    threads.append(threading.Thread(target=expire))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(Pass.objects.values_list("status", flat=True)) <= {"redeemed", "expired"}
    assert ledger_check.problems() == []
