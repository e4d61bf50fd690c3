"""Production as docs/DEPLOYMENT.md starts it, proven through a real reverse proxy.

nginx from Debian listens on a loopback port, in front of two `manage.py serve` (what `make serve`
runs), each with its gunicorn, its task worker and its scheduler, on PostgreSQL with the database
cache shared by both. Clients play people behind the proxy's own proxy (a CDN): they present their
address in X-Forwarded-For, nginx appends its client's, and the application trusts two proxies.

Everything runs on 127.0.0.1, is bounded in time and count, and is ended by its own PIDs.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from maillage import scheduler
from tests.conftest import _skip_or_fail

ROOT = Path(__file__).resolve().parent.parent.parent
NGINX = Path("/usr/sbin/nginx")
HOST = "maillage.test"
STARTUP_SECONDS = 180
KEPT = {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url, deadline, **headers):
    while time.monotonic() < deadline:
        try:
            if requests.get(url, headers=headers, timeout=5, allow_redirects=False).status_code < 500:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


NGINX_CONF = """
worker_processes 1;
error_log {tmp}/nginx-error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    map $request_uri $loggable_uri {{
        "~^{secret_path}(?<rest>.*)$" "${{kept}}...${{rest}}";
        default $request_uri;
    }}
    log_format maillage '$remote_addr "$request_method $loggable_uri" $status';
    access_log {tmp}/nginx-access.log maillage;
    upstream maillage {{ server 127.0.0.1:{first}; server 127.0.0.1:{second}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://maillage;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;  # TLS ends here in production
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


class Deployment:
    def __init__(self, tmp, database_url, sms_url):
        self.tmp = tmp
        self.ports = [_free_port(), _free_port()]
        self.proxy_port = _free_port()
        self.proxy = f"http://127.0.0.1:{self.proxy_port}"
        self.environment = {key: value for key, value in os.environ.items() if key in KEPT}
        self.environment.update(
            MAILLAGE_ENV="production",
            MAILLAGE_ENV_FILE=str(tmp / "absent.env"),
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            SITE_URL=f"https://{HOST}",
            DATABASE_URL=database_url,
            CACHE_URL="dbcache://maillage_cache",
            TRUSTED_PROXY_COUNT="2",  # the clients' own proxy, then nginx
            SMS_API_URL=sms_url,
            SMS_API_KEY="deployment-test",
            EMAIL_HOST="127.0.0.1",
            STATIC_ROOT=str(tmp / "static"),
            WEB_WORKERS="2",
            LOG_LEVEL="WARNING",
            SENDING_LEASE_SECONDS="3",  # a killed worker's message goes back to the queue after 3 s
        )
        self.serves, self.nginx_pid = [], None

    def python(self, code):
        result = subprocess.run(
            [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
            cwd=ROOT,
            env={**self.environment, "DJANGO_SETTINGS_MODULE": "maillage.settings"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self):
        for number, port in enumerate(self.ports):
            log = (self.tmp / f"serve-{number}.log").open("w")
            serve = subprocess.Popen(  # what the deployment guide says to run, in its own process group
                ["make", "--no-print-directory", "serve"],
                cwd=ROOT,
                env={**self.environment, "PORT": str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.serves.append(serve)
            # One after the other: the first migrates, the second finds nothing to do.
            assert _wait_for(f"http://127.0.0.1:{port}/", time.monotonic() + STARTUP_SECONDS, Host=HOST), (
                self.tmp / f"serve-{number}.log"
            ).read_text()
        from maillage.log_filters import SECRET_PATH

        (self.tmp / "nginx.conf").write_text(
            NGINX_CONF.format(
                tmp=self.tmp,
                port=self.proxy_port,
                first=self.ports[0],
                second=self.ports[1],
                secret_path=SECRET_PATH.pattern,
            )
        )
        subprocess.run([NGINX, "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")], check=True, timeout=30)
        self.nginx_pid = int((self.tmp / "nginx.pid").read_text())
        assert _wait_for(self.proxy + "/", time.monotonic() + 30, Host=HOST)

    def stop(self):
        if self.nginx_pid:
            os.kill(self.nginx_pid, signal.SIGQUIT)
        for serve in self.serves:  # make, and under it manage.py serve and its three children
            if serve.poll() is None:
                os.killpg(serve.pid, signal.SIGTERM)
        for serve in self.serves:
            try:
                serve.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
                serve.wait()

    def session(self, address):
        """A person's browser, behind its own proxy at ``address``."""
        browser = Browser()
        browser.headers.update({"Host": HOST, "X-Forwarded-For": address, "Referer": f"https://{HOST}/"})
        return browser


class Browser(requests.Session):
    """Sends its cookies, Secure ones included: TLS ends at the proxy in production, and this test
    speaks plain HTTP to nginx on the loopback (X-Forwarded-Proto says https)."""

    def request(self, method, url, **kwargs):
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)
        if cookies:
            kwargs["headers"] = {"Cookie": cookies, **kwargs.get("headers", {})}
        return super().request(method, url, **kwargs)


class SmsProvider:
    """A provider's HTTP API on a loopback port: what it received, message by message."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []
        provider = self
        self.hold, self.holding, self.released, self.holder_port = None, threading.Event(), threading.Event(), None

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if message["reference"] == provider.hold and not provider.holding.is_set():
                    # Its sender is killed before the exchange ends: the message never arrived.
                    provider.holder_port = self.client_address[1]
                    provider.holding.set()
                    provider.released.wait(timeout=60)
                    return
                received.append(message)
                answer = json.dumps({"id": str(len(received))}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("SKIPPED: the deployment test runs on PostgreSQL (DATABASE_URL=postgres://…)")
    if not NGINX.exists():
        _skip_or_fail("MAILLAGE_REQUIRE_BROWSER", "SKIPPED: no nginx at /usr/sbin/nginx (apt-get install nginx-light)")
    settings_of_tests = connection.settings_dict
    name = f"maillage_deployment_{os.getpid()}"
    server = (
        f"host={settings_of_tests['HOST']} port={settings_of_tests['PORT'] or 5432} user={settings_of_tests['USER']}"
    )
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    tmp = tmp_path_factory.mktemp("deployment")
    sms = SmsProvider()
    database_url = (
        f"postgres://{settings_of_tests['USER']}@{settings_of_tests['HOST']}:{settings_of_tests['PORT'] or 5432}/{name}"
    )
    running = Deployment(tmp, database_url, sms.url)
    running.sms, running.server = sms, server
    try:
        running.start()
        running.world = json.loads(running.python("from tests.deployment import world; world.main()").splitlines()[-1])
        yield running
    finally:
        running.stop()
        sms.server.shutdown()
        with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _log_in(browser, proxy, email, password):
    page = browser.get(f"{proxy}/compte/connexion/", timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        f"{proxy}/compte/connexion/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        allow_redirects=False,
        timeout=20,
    )


def test_one_addresss_failed_logins_do_not_lock_another(deployment):
    viewer = deployment.world["viewer"]
    guesser = deployment.session("203.0.113.10")
    answers = [
        _log_in(guesser, deployment.proxy, viewer["email"], "wrong password 123").status_code for _try in range(5)
    ]
    assert (
        answers[-1] == 429
        and _log_in(guesser, deployment.proxy, viewer["email"], viewer["password"]).status_code == 429
    )
    owner = deployment.session("198.51.100.20")
    assert _log_in(owner, deployment.proxy, viewer["email"], viewer["password"]).status_code == 302


def test_a_session_made_on_one_process_works_on_the_other(deployment):
    viewer = deployment.world["viewer"]
    browser = deployment.session("198.51.100.21")
    logged_in = _log_in(browser, deployment.proxy, viewer["email"], viewer["password"])
    assert logged_in.status_code == 302
    for port in deployment.ports:  # each gunicorn directly, with the proxy's headers
        page = browser.get(
            f"http://127.0.0.1:{port}{logged_in.headers['Location']}",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.21, 127.0.0.1"},
            allow_redirects=False,
            timeout=20,
        )
        assert page.status_code == 200, (port, page.status_code, page.headers.get("Location"))


def _reports(deployment, address, count):
    reporter = deployment.session(address)
    url = f"{deployment.proxy}/lieux/{deployment.world['place_id']}/signaler/"
    statuses = []
    for number in range(count):  # round robin: every other report reaches the other process
        page = reporter.get(url, timeout=20)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = reporter.post(
            url,
            data={"csrfmiddlewaretoken": token, "kind": "hours", "message": f"Fermé le samedi ({number})"},
            allow_redirects=False,
            timeout=20,
        )
        statuses.append(answer.status_code)
    return statuses


def test_limits_hold_across_both_processes(deployment):
    for address in ("203.0.113.30", "203.0.113.31"):
        hour = int(time.time() // 3600)  # the limit counts in windows of an hour
        statuses = _reports(deployment, address, 7)
        if int(time.time() // 3600) == hour:  # else the count started again on the hour: once more
            break
    assert statuses == [302] * 5 + [429, 429]  # 5 an hour per address, not 5 per process


def test_sixteen_tills_redeeming_the_same_passes_at_once_use_each_pass_once(deployment):
    codes, keys = deployment.world["codes"], deployment.world["keys"]  # one person's 10 passes, 16 tills
    outcomes, barrier = [], threading.Barrier(len(keys))

    def till(number, key):
        browser = deployment.session(f"192.0.2.{number + 1}")
        barrier.wait()
        for code in codes[number:] + codes[:number]:  # each starts with a different pass
            answer = browser.post(
                f"{deployment.proxy}/api/v1/passes/redeem",
                json={"code": code, "service": "individual", "idempotency_key": f"till-{number}-{code[:8]}"},
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )
            outcomes.append((code, answer.status_code if answer.status_code != 429 else answer.text))

    tills = [threading.Thread(target=till, args=(number, key)) for number, key in enumerate(keys)]
    for running in tills:
        running.start()
    for running in tills:
        running.join(timeout=180)
    assert len(outcomes) == len(keys) * len(codes)
    for code in codes:
        statuses = sorted(status for used, status in outcomes if used == code)
        assert statuses == [200] + [409] * (len(keys) - 1), (code, statuses)


def test_the_two_schedulers_ran_each_job_once(deployment):
    # Both instances started their scheduler, each catching up the last slot of every job.
    runs = deployment.python(
        "import json\n"
        "from django.db.models import Count\n"
        "from maillage.models import ScheduledRun\n"
        "slots = ScheduledRun.objects.values('job', 'slot').annotate(n=Count('pk'))\n"
        "print(json.dumps(list(slots.values_list('job', 'n'))))"
    )
    counted = json.loads(runs.strip().splitlines()[-1])
    assert all(count == 1 for _job, count in counted), counted  # one run per job and slot
    daily_and_hourly = {job.name for job in scheduler.JOBS if job.weekday is None}  # the weekly one: on its day
    assert {job for job, _count in counted} >= daily_and_hourly


def test_a_backup_restores_into_a_database_that_holds(deployment):
    """The guide's backup and tested restore, as the IT person runs them (pg_dump, pg_restore)."""
    dump, copy = deployment.tmp / "maillage.dump", f"maillage_restore_{os.getpid()}"
    source = deployment.environment["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True, timeout=120)
    with psycopg.connect(f"{deployment.server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy}"')
    try:
        target = source.rsplit("/", 1)[0] + f"/{copy}"
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(dump)], check=True, timeout=120)
        restored = {**deployment.environment, "DATABASE_URL": target.replace("postgresql://", "postgres://", 1)}
        for command in (["check_ledger"], ["migrate", "--check"]):
            result = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=restored, capture_output=True, text=True
            )
            assert result.returncode == 0, (command, result.stdout, result.stderr)
        count = "from maillage.passes.models import Pass\nprint(Pass.objects.count())"
        original = deployment.python(count).split()[-1]
        deployment.environment, kept = restored, deployment.environment
        try:
            assert deployment.python(count).split()[-1] == original != "0"
        finally:
            deployment.environment = kept
    finally:
        with psycopg.connect(f"{deployment.server} dbname=postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def test_the_proxys_access_log_keeps_no_secret_of_a_link(deployment):
    browser = deployment.session("203.0.113.40")
    browser.get(f"{deployment.proxy}/besoin-d-aide/suivi/eyJzZWNyZXQiOjF9:1abc:SeCrEtPaRt/", timeout=20)
    access_log, deadline = deployment.tmp / "nginx-access.log", time.monotonic() + 10
    # nginx writes the line once the exchange is over, which may be just after the client has its answer.
    while "/besoin-d-aide/suivi/" not in access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = access_log.read_text()
    assert "/besoin-d-aide/suivi/.../" in log and "SeCrEtPaRt" not in log


def _descendants(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    children = [int(child) for child in found]
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def _process_on_port(port):
    """The PID of the process whose TCP connection leaves from ``port`` on the loopback."""
    listing = subprocess.run(["ss", "-tnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return int(re.search(r"pid=(\d+)", listing).group(1))


def test_zz_two_hundred_messages_leave_once_each_when_a_worker_is_killed_while_sending(deployment):
    """Last of the module: it kills the task worker that is sending the 60th message, before the
    provider has taken it, and that worker's instance stops. The message, "sending" with nobody to
    finish it, goes back to the queue when its lease ends, and leaves once."""
    deployment.sms.hold = "deployment:60"
    queue = (
        "from django.db import transaction\n"
        "from maillage.notifications.services import notify\n"
        "with transaction.atomic():\n"
        "    for number in range(200):\n"
        "        notify(f'deployment:{number}', 'sms', f'+336120{number:05d}', f'Message {number}')\n"
    )
    deployment.python(queue)
    assert deployment.sms.holding.wait(timeout=60), "the 60th message reached the provider"
    worker = _process_on_port(deployment.sms.holder_port)
    assert "db_worker" in Path(f"/proc/{worker}/cmdline").read_text()
    stopped = next(serve for serve in deployment.serves if worker in _descendants(serve.pid))
    os.kill(worker, signal.SIGKILL)
    deployment.sms.released.set()

    expected = {f"deployment:{number}" for number in range(200)}
    deadline = time.monotonic() + 120
    while {message["reference"] for message in deployment.sms.received} != expected and time.monotonic() < deadline:
        time.sleep(4)  # the hourly upkeep's retry, sooner: what the killed worker held goes back to the queue
        deployment.python("from maillage.notifications.services import retry_due\nretry_due()")
    references = sorted(message["reference"] for message in deployment.sms.received)
    assert references == sorted(expected)  # each once: none lost, none twice
    statuses = deployment.python(
        "from maillage.notifications.models import Notification\n"
        "sent = Notification.objects.filter(key__startswith='deployment:')\n"
        "print(sorted(set(sent.values_list('status', flat=True))))"
    )
    assert statuses.strip().splitlines()[-1] == "['sent']"
    assert stopped.wait(timeout=45) != 0  # the instance whose part died stopped, to be restarted
