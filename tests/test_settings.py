import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a real deployment never has it.
NOT_INHERITED = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "SITE_URL",
    "CACHE_URL",
}


def run_manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MAILLAGE_ENV="production",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="maillage.example.org",
        SITE_URL="https://maillage.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", MAILLAGE_ENV="production", ALLOWED_HOSTS="maillage.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_sites_address_for_links_in_messages():
    environment = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    environment.update(
        MAILLAGE_ENV="production",
        ALLOWED_HOSTS="maillage.example.org",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        DJANGO_SETTINGS_MODULE="maillage.settings",
    )
    # What a web server does first: load the settings (manage.py check would fall back on Django's defaults).
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Set the SITE_URL environment variable" in result.stderr


def test_an_unknown_environment_name_is_refused():
    result = run_manage("check", MAILLAGE_ENV="prod")
    assert result.returncode != 0


def test_the_default_sqlite_database_runs_in_write_ahead_logging_mode(tmp_path):
    probe = (
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0])"
    )
    result = run_manage("shell", "-c", probe, DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    assert result.stdout.strip().splitlines()[-1] == "wal", result.stderr


def test_reading_the_settings_makes_no_folder_and_the_database_makes_its_own(tmp_path):
    assert "mkdir" not in (ROOT / "maillage" / "settings.py").read_text(), "settings write nothing on disk"
    database = tmp_path / "not" / "yet" / "maillage.sqlite3"
    probe = "from django.db import connection; connection.cursor().execute('SELECT 1'); print('opened')"
    result = run_manage("shell", "-c", probe, DATABASE_URL=f"sqlite:///{database}")
    assert result.stdout.strip().endswith("opened") and database.exists(), result.stderr


PRODUCTION_ENVIRONMENT = {
    "MAILLAGE_ENV": "production",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "maillage.example.org",
    "SITE_URL": "https://maillage.example.org",
}


@pytest.mark.parametrize("cache_url", ["locmemcache://maillage", "dummycache://"])
def test_production_refuses_to_start_with_a_cache_of_its_own_process(cache_url):
    # Three workers, each with its own cache, would allow three times every limit.
    result = run_manage("check", "--deploy", CACHE_URL=cache_url, **PRODUCTION_ENVIRONMENT)
    assert result.returncode != 0
    assert "CACHE_URL is a per-process cache" in result.stderr


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("", "django.core.cache.backends.db.DatabaseCache"),  # the default in production
        ("dbcache://maillage_cache", "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_production_shares_its_cache_between_processes(cache_url, backend):
    environment = dict(PRODUCTION_ENVIRONMENT, **({"CACHE_URL": cache_url} if cache_url else {}))
    probe = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run_manage("shell", "-c", probe, **environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == backend
