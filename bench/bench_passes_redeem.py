"""Pass redemption, 16 concurrent clients on PostgreSQL: the API over HTTP against a bare conditional UPDATE.

The endpoint is the real WSGI application served by gunicorn in a subprocess, in production
settings (MAILLAGE_ENV=production, DEBUG off, persistent database connections), reached over HTTP
by 16 client threads, each with its own HTTP connection (kept alive by gthread workers; sync workers
close it after each answer, as they would behind a proxy) and its own API key of a mediator of the
place's organisation, all released together by a barrier. Each client redeems distinct codes
(throughput, p50/p95 of the answer as the client sees it). Then every client sends every code of
a second set, one code at a time, the 16 released together for each code, to a server that handles
16 requests at once (4 workers × 4 threads, so that every racer reaches the database together):
exactly one answer 200 per code is allowed, the others must be 409, and the database must agree
(one redemption, not cancelled, per pass; ``ledger_check.problems()`` empty).

The floor, in the same run and on the same server: a table made for the purpose with as many rows
(``bench_floor_pass``), 16 threads each with its own psycopg connection in autocommit, one
``UPDATE … SET status='redeemed' WHERE code=%s AND status='handed_out' RETURNING id`` per redemption.
The budget is the endpoint at ≥ 50 % of the floor's throughput, and zero double redemptions. CPU
time per redemption (gunicorn's processes, PostgreSQL's, the clients') is read from /proc around
each phase: on a machine that also runs other work, it says more than the wall clock.

Rate limits are lifted without touching the code: the API allows 60 scans a minute per key and
per address (``SCANS_PER_MINUTE``, counted in the cache by ``maillage.ratelimit.is_over_limit``),
and all clients come from 127.0.0.1. The server runs with the dummy cache (bench/unlimited_settings.py): the dummy
cache stores nothing, its ``incr`` raises ValueError, which ``is_over_limit`` takes as a window
that just started (never over the limit), and the code lockout never finds a lock. The bench
checks this in-process before measuring and counts 429 answers (there must be none). What is
measured is the database's guarantee and the request's own work, not the limiter (in production
the limiter's cache is a shared Redis or database cache: a few cache round trips more per scan).

The server: ``BENCH_GUNICORN`` = "WORKERSxTHREADS" (gthread worker when THREADS > 1, sync worker
otherwise), default "3x1": three sync workers, the best of 2x1, 3x1, 4x1, 6x1, 2x2, 3x2, 2x4, 3x4,
4x4 and 2x8 on this 2-core machine, where PostgreSQL, gunicorn and the 16 clients share the two
cores (98–100 req/s against 46–93 for the others, measured together: the work is Python under the
GIL, threads only add switching). A reference row serves bench/urls.py's empty view through the
same gunicorn configuration: what HTTP, gunicorn and Django's middleware cost before any work.
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
WARM_UP_PASSES = 80  # opens every worker's and thread's database connection before measuring
DISTINCT_PASSES = 4_000  # redeemed once each, 250 per client
RACE_PASSES = 200  # every one sent by all 16 clients at once
BOOKLET_SIZE = 10
GUNICORN = os.environ.get("BENCH_GUNICORN", "3x1")
RACE_GUNICORN = "4x4"  # 16 requests handled at once: every racer reaches the database together
ROOT = Path(__file__).resolve().parent.parent
REDEEM_URL = "/api/v1/passes/redeem"
FLOOR_UPDATE = "UPDATE bench_floor_pass SET status='redeemed' WHERE code=%s AND status='handed_out' RETURNING id"


def _percentile(values, share):
    return statistics.quantiles(values, n=100)[share - 1]


# The data --------------------------------------------------------------------------------------


def _world(pass_count):
    """A pass world, ``pass_count`` passes paid, assigned and handed out by booklets of 10, and 16 keys."""
    from django.db.models import Max

    from maillage.accounts.models import ApiToken, User
    from maillage.passes import services
    from tests.accounts.factories import UserFactory
    from tests.passes.factories import pass_world

    # The database outlives the run: number the factory's people after every earlier one.
    UserFactory.reset_sequence((User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1)
    world = pass_world()
    order = services.order_passes(
        world.program, pass_count=pass_count, booklet_size=BOOKLET_SIZE, by=world.funder_member
    )
    services.mark_order_paid(order, by=world.coordinator)
    booklets = services.assign_booklets(
        order, distributor=world.distributor, count=-(-pass_count // BOOKLET_SIZE), by=world.coordinator
    )
    for booklet in booklets:
        services.hand_out(booklet, distributor=world.distributor, by=world.distributor_member)
    codes = list(world.program.passes.filter(booklet__order=order).order_by("pk").values_list("code", flat=True))
    keys = [ApiToken.issue(world.operator, world.mediator, f"bench client {n}")[1] for n in range(CLIENTS)]
    with connection.cursor() as cursor:
        for table in ["passes_pass", "passes_redemption", "passes_account", "accounts_apitoken", "accounts_membership"]:
            cursor.execute(f"ANALYZE {table}")
    return world, codes, keys


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


# CPU time, read from /proc ------------------------------------------------------------------------


def _ticks(pids):
    """{pid: user + system clock ticks} of the processes still there."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return found


def _postgres_pids():
    """This database's PostgreSQL processes and the server's own (WAL writer…), when the server runs here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL")
        pids = [pid for (pid,) in cursor.fetchall()]
    try:
        return [pid for pid in pids if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"]
    except OSError:
        return []


def _gunicorn_pids(server):
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        children = []
    return [server.pid, *map(int, children)]


class CpuMeter:
    """CPU milliseconds spent by PostgreSQL, by the server's processes and by this process during a phase."""

    def __init__(self, server_pids=()):
        self.server_pids = lambda: list(server_pids() if callable(server_pids) else server_pids)

    def __enter__(self):
        self.started = (_ticks(_postgres_pids()), _ticks(self.server_pids()), time.process_time())
        return self

    def __exit__(self, *exc):
        postgres, server, process = self.started
        tick = 1000 / os.sysconf("SC_CLK_TCK")
        spent = lambda before, after: sum(t - before.get(pid, 0) for pid, t in after.items()) * tick  # noqa: E731
        self.postgres_ms = spent(postgres, _ticks(_postgres_pids()))
        self.server_ms = spent(server, _ticks(self.server_pids()))
        self.clients_ms = (time.process_time() - process) * 1000


# Concurrent clients ----------------------------------------------------------------------------


def _concurrently(work, shares):
    """Run ``work(index, share, barrier)`` in one thread per share, released together; (results, seconds)."""
    barrier = threading.Barrier(len(shares) + 1)
    results = [None] * len(shares)
    errors = []

    def worker(index):
        try:
            results[index] = work(index, shares[index], barrier)
        except BaseException as error:  # raised again after the join
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
    return psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        password=database["PASSWORD"] or None,
        autocommit=True,
    )


def _floor(codes):
    """16 clients each redeeming its share of ``codes`` with one UPDATE: (requests/s, timings in ms, CpuMeter)."""
    with _floor_connection() as floor:
        floor.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor_pass (id serial PRIMARY KEY, code text UNIQUE, status text)"
        )
        floor.execute("TRUNCATE bench_floor_pass RESTART IDENTITY")
        with floor.cursor().copy("COPY bench_floor_pass (code, status) FROM STDIN") as copy:
            for code in codes:
                copy.write_row((code, "handed_out"))
        floor.execute("VACUUM ANALYZE bench_floor_pass")
    connections = [_floor_connection() for _ in range(CLIENTS)]
    for floor in connections:  # warm up: a first statement on every connection, changing nothing
        floor.execute(FLOOR_UPDATE, ("none",))

    def redeem(index, share, barrier):
        cursor, timings, redeemed = connections[index].cursor(), [], 0
        barrier.wait()
        for code in share:
            started = time.perf_counter()
            cursor.execute(FLOOR_UPDATE, (code,))
            redeemed += cursor.fetchone() is not None
            timings.append((time.perf_counter() - started) * 1000)
        return timings, redeemed

    try:
        with CpuMeter() as cpu:
            results, elapsed = _concurrently(redeem, _deal(codes, CLIENTS))
    finally:
        for floor in connections:
            floor.close()
    if sum(redeemed for _, redeemed in results) != len(codes):
        raise RuntimeError("the floor did not redeem every row once")
    return len(codes) / elapsed, [timing for client_timings, _ in results for timing in client_timings], cpu


# The endpoint: gunicorn serving the real application ---------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wsgi_with_empty_view():
    """gunicorn's "bench.bench_passes_redeem:wsgi_with_empty_view()": the project with bench/urls.py's empty
    view, to measure what HTTP, gunicorn and Django's middleware cost alone (the endpoint is served as is)."""
    from django.conf import settings as live_settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    live_settings.ROOT_URLCONF = "bench.urls"
    return application


def _gunicorn(work_dir, configuration, application="maillage.wsgi:application"):
    workers, threads = (int(part) for part in configuration.lower().split("x"))
    port = _free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.unlimited_settings",  # production's, with the dummy cache
        "MAILLAGE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",  # no manifest needed
        "LOG_LEVEL": "ERROR",  # Django logs every 409 of the race as a warning otherwise
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        application,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--keep-alive",
        "30",
    ]
    log = open(work_dir / "gunicorn-passes.log", "ab")  # noqa: SIM115 - closed by _stop
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: see {work_dir / 'gunicorn-passes.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, log, port
        except OSError:
            time.sleep(0.2)
    _stop(server, log)
    raise RuntimeError("gunicorn did not start in 60 s")


def _stop(server, log):
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    log.close()


def _client(port, key, odd_answers, method="POST", url=REDEEM_URL):
    link = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }  # as the TLS proxy in front of gunicorn says

    def post(code, idempotency_key):
        body = json.dumps({"code": code, "service": "individual", "idempotency_key": idempotency_key})
        started = time.perf_counter()
        link.request(method, url, body if method == "POST" else None, headers)
        response = link.getresponse()
        answer = response.read()
        if response.status not in (200, 409):
            odd_answers.append((response.status, answer[:200].decode(errors="replace")))
        return response.status, started, time.perf_counter()

    return link, post


def _distinct(port, keys, codes, tag, odd_answers, **request):
    """Each client redeems its own share of ``codes``: (requests/s, timings in ms, statuses)."""

    def redeem(index, share, barrier):
        link, post = _client(port, keys[index], odd_answers, **request)
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


def _race(port, keys, codes, tag, odd_answers):
    """Every client sends every code, the 16 released together for each one, each with its own idempotency key.

    Returns (statuses, doubles, codes won by nobody, 409s in flight while the winner's request was).
    """
    barrier = threading.Barrier(CLIENTS)

    def redeem(index, _share, start):
        link, post = _client(port, keys[index], odd_answers)
        answers = []
        start.wait()
        for number, code in enumerate(codes):
            barrier.wait()
            answers.append((code, *post(code, f"{tag}-{index}-{number}")))
        link.close()
        return answers

    results, _elapsed = _concurrently(redeem, [None] * CLIENTS)
    answers = [answer for client_answers in results for answer in client_answers]
    won = Counter(code for code, status, _, _ in answers if status == 200)
    winner = {code: (started, finished) for code, status, started, finished in answers if status == 200}
    lost = [
        (code, started, finished) for code, status, started, finished in answers if status == 409 and code in winner
    ]
    return (
        Counter(status for _, status, _, _ in answers),
        sum(count - 1 for count in won.values()),
        sum(1 for code in codes if not won[code]),
        sum(1 for code, started, finished in lost if started < winner[code][1] and finished > winner[code][0]),
    )


def _endpoint(work_dir, configuration, keys, warm_up, distinct):
    """Serve the application with ``configuration``; measure 16 clients redeeming ``distinct`` codes."""
    tag, odd_answers = secrets.token_hex(4), []
    server, log, port = _gunicorn(work_dir, configuration)
    try:
        _distinct(port, keys, warm_up, f"w{tag}", odd_answers)
        with CpuMeter(lambda: _gunicorn_pids(server)) as cpu:
            rps, timings, statuses = _distinct(port, keys, distinct, f"d{tag}", odd_answers)
    finally:
        _stop(server, log)
    return rps, timings, statuses, cpu, odd_answers


def _racing(work_dir, configuration, keys, warm_up, racing):
    """Serve the application with ``configuration``; 16 clients race on each code of ``racing``."""
    tag, odd_answers = secrets.token_hex(4), []
    server, log, port = _gunicorn(work_dir, configuration)
    try:
        _distinct(port, keys, warm_up, f"w{tag}", odd_answers)
        race = _race(port, keys, racing, f"r{tag}", odd_answers)
    finally:
        _stop(server, log)
    return (*race, odd_answers)


def _http_floor(work_dir, configuration, keys, count):
    """The same gunicorn and clients, GET of an empty view behind the same middleware: (requests/s, timings)."""
    server, log, port = _gunicorn(work_dir, configuration, "bench.bench_passes_redeem:wsgi_with_empty_view()")
    try:
        _distinct(port, keys, ["-"] * WARM_UP_PASSES, "w", [], method="GET", url="/__floor__/")
        rps, timings, statuses = _distinct(port, keys, ["-"] * count, "e", [], method="GET", url="/__floor__/")
    finally:
        _stop(server, log)
    if statuses[200] != count:
        raise RuntimeError(f"the empty view answered {dict(statuses)}")
    return rps, timings


def _database_doubles(world, codes):
    """Passes of ``codes`` not redeemed exactly once in the database, and the ledger's problems."""
    from maillage.passes import ledger_check
    from maillage.passes.models import Pass, PassStatus, Redemption

    active = Redemption.objects.active().filter(program=world.program, scanned_code__in=codes)
    redemptions = Counter(active.values_list("scanned_code", flat=True))
    redeemed = Pass.objects.filter(code__in=codes, status=PassStatus.REDEEMED, redemption__in=active).count()
    return sum(1 for code in codes if redemptions[code] != 1) + (len(codes) - redeemed), ledger_check.problems()


def run(work_dir):
    if connection.vendor != "postgresql":
        print("  bench_passes_redeem measures PostgreSQL only: set BENCH_DATABASE_URL=postgres://… (skipped)")
        return [("skipped: BENCH_DATABASE_URL must point at PostgreSQL", 0, "", None)]
    if not _limits_are_lifted():
        raise RuntimeError("the dummy cache does not lift the scan limits: the bench would measure 429s")
    from maillage.passes import codes as pass_codes

    world, codes, keys = _world(2 * WARM_UP_PASSES + DISTINCT_PASSES + RACE_PASSES)
    shown = [pass_codes.display(code) for code in codes]  # as printed on the pass, with its groups
    warm_up, distinct = slice(0, WARM_UP_PASSES), slice(WARM_UP_PASSES, WARM_UP_PASSES + DISTINCT_PASSES)
    race_warm_up, racing = slice(distinct.stop, distinct.stop + WARM_UP_PASSES), slice(-RACE_PASSES, None)
    load = os.getloadavg()[0]
    if load > 1:
        print(f"  warning: load average {load:.1f} before the run: other work may share the cores")

    floor_rps, floor_timings, floor_cpu = _floor(codes[distinct])
    rps, timings, statuses, cpu, odd_answers = _endpoint(work_dir, GUNICORN, keys, shown[warm_up], shown[distinct])
    race_statuses, doubles, unwon, overlapping, race_odd_answers = _racing(
        work_dir, RACE_GUNICORN, keys, shown[race_warm_up], shown[racing]
    )
    empty_rps, empty_timings = _http_floor(work_dir, GUNICORN, keys, DISTINCT_PASSES)
    database_doubles, problems = _database_doubles(world, codes)
    for (status, body), count in Counter(odd_answers + race_odd_answers).most_common(5):
        print(f"  answer {status} ×{count}: {body}")
    for problem in problems[:10]:
        print(f"  ledger: {problem}")
    count, floor_count = len(timings), len(floor_timings)
    floor_pg_us = floor_cpu.postgres_ms * 1000 / floor_count
    race_odd = sum(race_statuses.values()) - race_statuses[200] - race_statuses[409]
    floor_p50, floor_p95 = _percentile(floor_timings, 50), _percentile(floor_timings, 95)
    return [
        (f"passes handed out for the run (gunicorn {GUNICORN}, {CLIENTS} clients)", len(codes), "passes", None),
        (f"floor: bare conditional UPDATE … RETURNING, {CLIENTS} clients", floor_rps, "req/s", None),
        (f"POST {REDEEM_URL}, {CLIENTS} clients", rps, "req/s", floor_rps),
        ("floor: p50", floor_p50, "ms", None),
        ("floor: p95", floor_p95, "ms", None),
        (f"POST {REDEEM_URL}: p50", _percentile(timings, 50), "ms", floor_p50),
        (f"POST {REDEEM_URL}: p95", _percentile(timings, 95), "ms", floor_p95),
        ("reference: empty Django view, same gunicorn and clients", empty_rps, "req/s", floor_rps),
        ("reference: empty Django view, p95", _percentile(empty_timings, 95), "ms", floor_p95),
        ("floor: PostgreSQL CPU per redemption", floor_cpu.postgres_ms * 1000 / floor_count, "µs", None),
        ("floor: client (psycopg) CPU per redemption", floor_cpu.clients_ms * 1000 / floor_count, "µs", None),
        ("endpoint: PostgreSQL CPU per redemption", cpu.postgres_ms * 1000 / count, "µs", floor_pg_us),
        ("endpoint: gunicorn CPU per redemption", cpu.server_ms * 1000 / count, "µs", None),
        ("endpoint: HTTP clients' CPU per redemption", cpu.clients_ms * 1000 / count, "µs", None),
        ("distinct codes: answers other than 200 (must be 0)", count - statuses[200], "answers", None),
        (
            f"race ({RACE_GUNICORN}): {RACE_PASSES} codes × {CLIENTS}, 409s overlapping the 200",
            overlapping,
            "answers",
            None,
        ),
        ("race: answers neither 200 nor 409, 429 included", race_odd, "answers", None),
        ("race: double redemptions, HTTP (codes answered 200 twice)", doubles, "doubles", None),
        ("race: codes answered 200 by nobody (must be 0)", unwon, "codes", None),
        ("database: passes not redeemed exactly once (must be 0)", database_doubles, "passes", None),
        ("database: ledger_check.problems() (must be 0)", len(problems), "problems", None),
    ]
