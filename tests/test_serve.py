"""`make serve` refuses every unsafe production configuration, each with its own words."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEPT = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
SAFE = {
    "MAILLAGE_ENV": "production",
    "SECRET_KEY": "k7Qz0-Vb3mW9xR2tY6uN1pL8sD4fG5hJ0aZcXvBnM-q1w2e3r4t5y6u7i8o9p0",
    "ALLOWED_HOSTS": "maillage.example.org",
    "SITE_URL": "https://maillage.example.org",
    "CACHE_URL": "dbcache://maillage_cache",
    "SMS_API_URL": "https://sms.example.org/send",
    "SMS_API_KEY": "key",
    "EMAIL_HOST": "smtp.example.org",
}


def serve_check(tmp_path, env_file=None, **changes):
    environment = {key: value for key, value in os.environ.items() if key in KEPT}
    environment.update(SAFE, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    environment.update(MAILLAGE_ENV_FILE=str(env_file or tmp_path / "absent.env"))
    for key, value in changes.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "serve", "--check"], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_a_safe_configuration_is_accepted(tmp_path):
    result = serve_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "The configuration is safe for production." in result.stdout


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"MAILLAGE_ENV": None}, "MAILLAGE_ENV is not 'production'"),  # no .env at all
        ({"MAILLAGE_ENV": "development"}, "MAILLAGE_ENV is not 'production'"),
        ({"SECRET_KEY": None}, "Set the SECRET_KEY environment variable"),
        ({"ALLOWED_HOSTS": None}, "Set the ALLOWED_HOSTS environment variable"),
        ({"SITE_URL": None}, "Set the SITE_URL environment variable"),
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY is weak"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY is weak"),
        ({"SECRET_KEY": "development-only-key-never-use-it-in-production-1234567890"}, "SECRET_KEY is an example"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS is empty or '*'"),
        ({"SITE_URL": "http://maillage.example.org"}, "SITE_URL is not https"),
        ({"CACHE_URL": "locmemcache://maillage"}, "CACHE_URL is a per-process cache"),
        ({"TRUSTED_PROXY_COUNT": "0"}, "TRUSTED_PROXY_COUNT is 0 behind a proxy"),
        ({"SMS_BACKEND": "maillage.notifications.sms.ConsoleSmsBackend"}, "SMS_BACKEND keeps text messages here"),
        ({"SMS_API_URL": ""}, "SMS_API_URL is not set"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND keeps e-mails here"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),  # any warning of check --deploy
    ],
)
def test_an_unsafe_configuration_is_refused_with_its_reason(tmp_path, changes, words):
    result = serve_check(tmp_path, **changes)
    assert result.returncode != 0
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_the_env_file_is_read_and_checked(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\n", encoding="utf-8")
    result = serve_check(tmp_path, env_file=env_file)
    assert result.returncode != 0 and "DEBUG is on" in result.stderr


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(child) for child in found]


def _answer(port, deadline):

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/", headers={"Host": "maillage.example.org", "X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own server
                return response.status
        except OSError:
            time.sleep(0.5)
    return None


@pytest.fixture
def serving(tmp_path):
    """`manage.py serve` on a free port, answering; ended by its PID whatever the test did."""
    port = _free_port()
    environment = {key: value for key, value in os.environ.items() if key in KEPT}
    environment.update(SAFE, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MAILLAGE_ENV_FILE="/nonexistent")
    environment.update(PORT=str(port), WEB_WORKERS="2", STATIC_ROOT=str(tmp_path / "static"))
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(  # in its own process group: whatever happens, none of it is left running
        [sys.executable, "manage.py", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        assert _answer(port, time.monotonic() + 120) == 200, (tmp_path / "serve.log").read_text()
        yield serve
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
        serve.wait()
        log.close()


def _command_line(pid):
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_serve_runs_the_web_the_worker_and_the_scheduler_and_stops_them_all_on_sigterm(serving):
    children = _children(serving.pid)
    running = set(" ".join(_command_line(child) for child in children).split())
    assert len(children) == 3 and {"maillage.wsgi", "db_worker", "run_scheduler"} <= running
    serving.send_signal(signal.SIGTERM)
    assert serving.wait(timeout=40) == 0
    assert not [child for child in children if Path(f"/proc/{child}").exists()]


def test_when_one_part_dies_serve_stops_the_others_and_fails_so_that_it_is_restarted(serving):
    children = _children(serving.pid)
    worker = next(child for child in children if "db_worker" in _command_line(child))
    os.kill(worker, signal.SIGKILL)
    assert serving.wait(timeout=40) == 1
    assert not [child for child in children if Path(f"/proc/{child}").exists()]
