"""Pass redemption, 16 concurrent clients on PostgreSQL: the API over HTTP against a bare conditional UPDATE.

The endpoint is the real WSGI application served by gunicorn in a subprocess, in production
settings (MAILLAGE_ENV=production, DEBUG off, persistent connections), reached over HTTP by 16
client threads, each with its own keep-alive connection and its own API key of a mediator of the
place's organisation, all released together by a barrier. Each client redeems distinct codes
(throughput, p50/p95 of the answer as the client sees it). Then every client sends every code of
a second set, one code at a time, the 16 released together for each code: exactly one answer 200
per code is allowed, the others must be 409, and the database must agree (one redemption, not
cancelled, per pass; ``ledger_check.problems()`` empty).

The floor, in the same run and on the same server: a table made for the purpose with as many rows
(``bench_floor_pass``), 16 threads each with its own psycopg connection in autocommit, one
``UPDATE … SET status='redeemed' WHERE code=%s AND status='handed_out' RETURNING id`` per redemption.
The budget is the endpoint at ≥ 50 % of the floor's throughput, and zero double redemptions.

Rate limits are lifted without touching the code: the API allows 60 scans a minute per key and
per address (``SCANS_PER_MINUTE``, counted in the cache by ``maillage.ratelimit.is_over_limit``),
and all clients come from 127.0.0.1. The server runs with CACHE_URL=dummycache://: the dummy
cache stores nothing, its ``incr`` raises ValueError, which ``is_over_limit`` takes as a window
that just started (never over the limit), and the code lockout never finds a lock. The bench
checks this in-process before measuring and counts 429 answers (there must be none). What is
measured is the database's guarantee and the request's own work, not the limiter (in production
the limiter's cache is a shared Redis or database cache, one round trip more per counter).

The server: ``BENCH_GUNICORN`` = "WORKERSxTHREADS" (gthread worker when THREADS > 1, sync worker
otherwise), default "3x4" — the best of 2x8, 4x4, 3x4, 2x4, 3 sync, 4 sync, 6 sync measured on
this 2-core machine, where PostgreSQL, gunicorn and the 16 clients share the two cores.
PostgreSQL only: on SQLite the bench says so and measures nothing (set BENCH_DATABASE_URL).
"""

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.test import override_settings

CLIENTS = 16
DISTINCT_PASSES = 4_000  # redeemed once each, 250 per client
RACE_PASSES = 200  # every one sent by all 16 clients at once
WARM_UP_PASSES = 4 * CLIENTS  # opens every worker's and thread's database connection before measuring
BOOKLET_SIZE = 10
GUNICORN = os.environ.get("BENCH_GUNICORN", "3x4")
ROOT = Path(__file__).resolve().parent.parent
REDEEM_URL = "/api/v1/passes/redeem"
ODD_ANSWERS = []  # (status, body) of answers neither 200 nor 409, shown after the run


def _percentile(values, share):
    return statistics.quantiles(values, n=100)[share - 1]


# The data --------------------------------------------------------------------------------------


def _world(pass_count):
    """A pass world, ``pass_count`` passes paid, assigned and handed out by booklets of 10, and 16 keys."""
    from django.db.models import Max

    from maillage.accounts.models import ApiToken, User
    from maillage.passes import services
    from tests.factories import UserFactory
    from tests.passes.factories import pass_world

    # The database outlives the run: number the factory's people after every earlier one.
    UserFactory.reset_sequence((User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1)
    world = pass_world()
    order = services.order_passes(world.program, pass_count=pass_count, booklet_size=BOOKLET_SIZE,
                                  by=world.funder_member)  # fmt: skip
    services.mark_order_paid(order, by=world.coordinator)
    booklets = services.assign_booklets(order, distributor=world.distributor, count=pass_count // BOOKLET_SIZE,
                                        by=world.coordinator)  # fmt: skip
    for booklet in booklets:
        services.hand_out(booklet, distributor=world.distributor, by=world.distributor_member)
    codes = list(world.program.passes.filter(booklet__order=order).order_by("pk").values_list("code", flat=True))
    keys = [ApiToken.issue(world.operator, world.mediator, f"bench client {n}")[1] for n in range(CLIENTS)]
    return world, codes, keys


def _refresh_statistics():
    with connection.cursor() as cursor:
        for table in ["passes_pass", "passes_redemption", "passes_account", "accounts_apitoken", "accounts_membership"]:
            cursor.execute(f"ANALYZE {table}")


def _limits_are_lifted():
    """The dummy cache never counts a scan: is_over_limit stays False and no lockout is ever found."""
    from maillage.passes.refusals import SCANS_PER_MINUTE, code_lockout
    from maillage.ratelimit import is_over_limit

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):
        over = [is_over_limit("pass_scan_api", "127.0.0.1", SCANS_PER_MINUTE, 60) for _ in range(5 * SCANS_PER_MINUTE)]
        for _ in range(2 * code_lockout.limit):
            code_lockout.record_failure("127.0.0.1")
        return not any(over) and not code_lockout.is_locked("127.0.0.1")


# Concurrent clients ----------------------------------------------------------------------------


def _concurrently(work, shares):
    """Run ``work(index, share, barrier)`` in one thread per share, released together; (results, seconds)."""
    barrier = threading.Barrier(len(shares) + 1)
    results = [None] * len(shares)
    errors = []

    def worker(index):
        try:
            results[index] = work(index, shares[index], barrier)
        except BaseException as error:  # noqa: BLE001 - reported after the join
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(shares))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return results, elapsed


def _deal(items, hands):
    return [items[index::hands] for index in range(hands)]


# The floor: one bare conditional UPDATE … RETURNING per redemption --------------------------------


def _floor_connection():
    database = settings.DATABASES["default"]
    return psycopg.connect(dbname=database["NAME"], user=database["USER"] or None, host=database["HOST"] or None,
                           port=database["PORT"] or None, password=database["PASSWORD"] or None,
                           autocommit=True)  # fmt: skip


def _floor_table(codes):
    with _floor_connection() as floor:
        floor.execute("CREATE TABLE IF NOT EXISTS bench_floor_pass (id serial PRIMARY KEY, code text UNIQUE, status text)")
        floor.execute("TRUNCATE bench_floor_pass RESTART IDENTITY")
        with floor.cursor().copy("COPY bench_floor_pass (code, status) FROM STDIN") as copy:
            for code in codes:
                copy.write_row((code, "handed_out"))
        floor.execute("VACUUM ANALYZE bench_floor_pass")


def _floor(codes):
    """Throughput and latencies of 16 clients each redeeming its share of ``codes`` with one UPDATE."""
    _floor_table(codes)
    connections = [_floor_connection() for _ in range(CLIENTS)]
    for floor in connections:  # warm up: a first statement on every connection, changing nothing
        floor.execute("UPDATE bench_floor_pass SET status='redeemed' WHERE code=%s AND status='handed_out' "
                      "RETURNING id", ("none",))  # fmt: skip

    def redeem(index, share, barrier):
        cursor, timings, redeemed = connections[index].cursor(), [], 0
        barrier.wait()
        for code in share:
            started = time.perf_counter()
            cursor.execute(
                "UPDATE bench_floor_pass SET status='redeemed' WHERE code=%s AND status='handed_out' RETURNING id",
                (code,),
            )
            redeemed += cursor.fetchone() is not None
            timings.append((time.perf_counter() - started) * 1000)
        return timings, redeemed

    try:
        results, elapsed = _concurrently(redeem, _deal(codes, CLIENTS))
    finally:
        for floor in connections:
            floor.close()
    timings = [timing for client_timings, _ in results for timing in client_timings]
    assert sum(redeemed for _, redeemed in results) == len(codes)
    return len(codes) / elapsed, timings


# The endpoint: gunicorn serving the real application ---------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn(work_dir):
    workers, threads = (int(part) for part in GUNICORN.lower().split("x"))
    port = _free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "MAILLAGE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CACHE_URL": "dummycache://",  # no rate limit: see the module's docstring
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",  # no manifest needed
        "LOG_LEVEL": "ERROR",  # Django logs every 409 of the race as a warning otherwise
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "maillage.wsgi:application",
               "--workers", str(workers), "--threads", str(threads),
               "--worker-class", "gthread" if threads > 1 else "sync",
               "--bind", f"127.0.0.1:{port}", "--backlog", "256", "--keep-alive", "30"]  # fmt: skip
    log = open(work_dir / "gunicorn-passes.log", "wb")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: see {work_dir / 'gunicorn-passes.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, log, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start in 60 s")


def _stop(server, log):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    log.close()


def _client(port, key):
    link = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
               "X-Forwarded-Proto": "https"}  # fmt: skip  # as the TLS proxy in front of gunicorn says

    def post(code, idempotency_key):
        body = json.dumps({"code": code, "service": "individual", "idempotency_key": idempotency_key})
        started = time.perf_counter()
        link.request("POST", REDEEM_URL, body, headers)
        response = link.getresponse()
        answer = response.read()
        if response.status not in (200, 409):
            ODD_ANSWERS.append((response.status, answer[:300]))
        return response.status, started, time.perf_counter()

    return link, post


def _distinct(port, keys, codes, tag):
    """Each client redeems its own share of ``codes``: (requests/s, timings in ms, statuses)."""

    def redeem(index, share, barrier):
        link, post = _client(port, keys[index])
        answers = []
        barrier.wait()
        for number, code in enumerate(share):
            answers.append(post(code, f"{tag}-{index}-{number}"))
        link.close()
        return answers

    results, elapsed = _concurrently(redeem, _deal(codes, CLIENTS))
    answers = [answer for client_answers in results for answer in client_answers]
    timings = [(finished - started) * 1000 for _, started, finished in answers]
    return len(answers) / elapsed, timings, Counter(status for status, _, _ in answers)


def _race(port, keys, codes, tag):
    """Every client sends every code, the 16 released together for each one, each with its own idempotency key.

    Returns (requests/s, statuses, doubles, codes won by nobody, 409s sent before the winner's answer came back).
    """
    barrier = threading.Barrier(CLIENTS)

    def redeem(index, _share, start):
        link, post = _client(port, keys[index])
        answers = []
        start.wait()
        for number, code in enumerate(codes):
            barrier.wait()
            answers.append((code, *post(code, f"{tag}-{index}-{number}")))
        link.close()
        return answers

    results, elapsed = _concurrently(redeem, [None] * CLIENTS)
    answers = [answer for client_answers in results for answer in client_answers]
    statuses = Counter(status for _, status, _, _ in answers)
    won = Counter(code for code, status, _, _ in answers if status == 200)
    doubles = sum(count - 1 for count in won.values() if count > 1)
    unwon = sum(1 for code in codes if not won[code])
    winner_done = {code: finished for code, status, _, finished in answers if status == 200}
    overlapping = sum(1 for code, status, started, _ in answers
                      if status == 409 and code in winner_done and started < winner_done[code])  # fmt: skip
    return len(answers) / elapsed, statuses, doubles, unwon, overlapping


def _database_doubles(world, codes):
    """Passes of ``codes`` not redeemed exactly once in the database, and the ledger's problems."""
    from maillage.passes import ledger_check
    from maillage.passes.models import Pass, PassStatus, Redemption

    redemptions = Counter(
        Redemption.objects.active().filter(program=world.program, scanned_code__in=codes).values_list(
            "scanned_code", flat=True
        )
    )
    wrong = [code for code in codes if redemptions[code] != 1]
    redeemed = Pass.objects.filter(code__in=codes, status=PassStatus.REDEEMED, redemption__isnull=False).count()
    return len(wrong) + (len(codes) - redeemed), ledger_check.problems()


def run(work_dir):
    if connection.vendor != "postgresql":
        print("  bench_passes_redeem measures PostgreSQL only: set BENCH_DATABASE_URL=postgres://… (skipped)")
        return [("skipped: BENCH_DATABASE_URL must point at PostgreSQL", 0, "", None)]
    if not _limits_are_lifted():
        raise RuntimeError("the dummy cache does not lift the scan limits: the bench would measure 429s")
    from maillage.passes import codes as pass_codes

    world, codes, keys = _world(WARM_UP_PASSES + DISTINCT_PASSES + RACE_PASSES)
    _refresh_statistics()
    warm_up, distinct, racing = (codes[:WARM_UP_PASSES], codes[WARM_UP_PASSES:-RACE_PASSES],
                                 codes[-RACE_PASSES:])  # fmt: skip
    shown = [pass_codes.display(code) for code in codes]  # as printed on the pass, with its groups
    tag = secrets.token_hex(4)

    floor_rps, floor_timings = _floor(distinct)
    server, log, port = _gunicorn(work_dir)
    try:
        _distinct(port, keys, shown[:WARM_UP_PASSES], f"w{tag}")
        endpoint_rps, timings, statuses = _distinct(port, keys, shown[WARM_UP_PASSES:-RACE_PASSES], f"d{tag}")
        race_rps, race_statuses, doubles, unwon, overlapping = _race(port, keys, shown[-RACE_PASSES:], f"r{tag}")
    finally:
        _stop(server, log)
    database_doubles, problems = _database_doubles(world, warm_up + distinct + racing)
    for status, body in ODD_ANSWERS[:5]:
        print(f"  unexpected answer {status}: {body.decode(errors='replace')}")
    for problem in problems[:10]:
        print(f"  ledger: {problem}")
    refused = sum(count for status, count in statuses.items() if status != 200)
    unexpected = sum(count for status, count in race_statuses.items() if status not in (200, 409))
    floor_p95 = _percentile(floor_timings, 95)
    return [
        (f"passes handed out for the run (gunicorn {GUNICORN}, {CLIENTS} clients)", len(codes), "passes", None),
        (f"floor: bare conditional UPDATE … RETURNING, {CLIENTS} clients", floor_rps, "req/s", None),
        (f"POST {REDEEM_URL}, {CLIENTS} clients", endpoint_rps, "req/s", floor_rps),
        ("floor: p50", _percentile(floor_timings, 50), "ms", None),
        ("floor: p95", floor_p95, "ms", None),
        (f"POST {REDEEM_URL}: p50", _percentile(timings, 50), "ms", _percentile(floor_timings, 50)),
        (f"POST {REDEEM_URL}: p95", _percentile(timings, 95), "ms", floor_p95),
        ("distinct codes: answers other than 200 (must be 0)", refused, "answers", None),
        (f"race: {RACE_PASSES} codes × {CLIENTS} clients at once", race_rps, "req/s", None),
        ("race: 409 answers sent before the winner's 200 came back", overlapping, "answers", None),
        ("race: answers neither 200 nor 409, 429 included (must be 0)", unexpected, "answers", None),
        ("race: double redemptions, HTTP (codes answered 200 twice)", doubles, "doubles", None),
        ("race: codes answered 200 by nobody (must be 0)", unwon, "codes", None),
        ("database: passes not redeemed exactly once (must be 0)", database_doubles, "passes", None),
        ("database: ledger_check.problems() (must be 0)", len(problems), "problems", None),
    ]
