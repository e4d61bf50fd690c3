"""Test harness shared by the whole suite: real database, real browser, strict guards.

- Browser tests drive Debian's Chromium; without it they skip with a visible reason, unless
  MAILLAGE_REQUIRE_BROWSER=1 (CI) turns the skip into a failure. Same for ../shared with
  MAILLAGE_REQUIRE_SHARED=1.
- Undefined template variables fail (pytest-django's FAIL_INVALID_TEMPLATE_VARS).
- Any French page text without a translation in the French catalogue fails the run.
"""

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from maillage.accounts import journal_guard
from maillage.notifications.sms import MemorySmsBackend
from maillage.passes import ledger_guard

ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = ROOT.parent / "shared"
CHROMIUM = Path(os.environ.get("MAILLAGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _skip_or_fail(required_by_env, reason):
    if os.environ.get(required_by_env) == "1":
        pytest.fail(f"{reason} ({required_by_env}=1 requires it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir():
    if not (SHARED_DIR / "data").is_dir():
        _skip_or_fail("MAILLAGE_REQUIRE_SHARED", f"SKIPPED: {SHARED_DIR} is missing")
    return SHARED_DIR


# Speed and determinism ---------------------------------------------------------------------------

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "maillage.notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    cache.clear()  # rate-limit counters and the like never leak from one test to the next


# Data ---------------------------------------------------------------------------------------------

_DEMO_DEPARTMENT_ROWS = []


@pytest.fixture
def communes(request, db):
    """The communes of Maine-et-Loire (the demo département) plus Paris, Lyon and Marseille."""
    if not _shared(request.node):
        _load_communes()


def _load_communes():
    from maillage.territory.reference import load_reference, read_reference_file

    if not _DEMO_DEPARTMENT_ROWS:
        _DEMO_DEPARTMENT_ROWS.extend(
            row for row in read_reference_file() if row["department_code"] in {"49", "75", "69", "13", "974"}
        )
    load_reference(_DEMO_DEPARTMENT_ROWS)


def _load_demo():
    from maillage.accounts.demo import load_demo_territory
    from maillage.accounts.models import Organization
    from maillage.places.demo import load_demo_places

    load_demo_territory()
    load_demo_places({organization.name: organization for organization in Organization.objects.all()})
    return DemoWorld()


@pytest.fixture
def demo(request, communes):
    if _shared(request.node) == "shared_demo":
        return request.getfixturevalue("module_demo")  # set up with the module, by _shared_data
    return _load_demo()


# Built once for a module ---------------------------------------------------------------------------
# A module marked ``shared_communes`` gets the communes built once, one marked ``shared_demo`` the
# communes and the demo, in a transaction the module undoes at its end; each test runs in a savepoint
# of it (``pytest.mark.django_db``), as if it had built them, and whatever it changes is undone after
# it. A transactional test would see the data committed and flush it: none may be in such a module
# (pytest_collection_modifyitems refuses it).


def _shared(node):
    return next((name for name in ("shared_demo", "shared_communes") if node.get_closest_marker(name)), None)


@pytest.fixture(scope="module", autouse=True)
def _shared_data(request):
    """Before any test of the module opens its transaction: the module's shared data, if it has some."""
    if shared := _shared(request.node):
        request.getfixturevalue("module_demo" if shared == "shared_demo" else "module_communes")


@pytest.fixture(scope="module")
def module_communes(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        _load_communes()
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_demo(module_communes, django_db_blocker):
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield _load_demo()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_worlds(module_demo, django_db_blocker):
    """The demo and the worlds of the library, the association and the CCAS, built once for the module."""
    from django.db import transaction

    from tests.worlds import demo_world

    with django_db_blocker.unblock(), transaction.atomic():
        yield SimpleNamespace(
            demo=module_demo,
            library=demo_world("Médiathèque Toussaint"),
            association=demo_world("Association Les Connectés du Saumurois"),
            ccas=demo_world("CCAS de Cholet"),
        )
        transaction.set_rollback(True)


TRANSACTIONAL = {"transactional_db", "live_server", "live_world", "django_db_reset_sequences"}


def _shares_data(item):
    return _shared(item) or any(name.startswith("module_") for name in item.fixturenames)


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(TRANSACTIONAL & set(item.fixturenames)) or bool(marker and marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(items):
    """A module whose tests share data built once may hold no transactional test."""
    by_module = {}
    for item in items:
        by_module.setdefault(item.nodeid.split("::")[0], []).append(item)
    for module, module_items in by_module.items():
        if any(map(_shares_data, module_items)) and any(map(_is_transactional, module_items)):
            raise pytest.UsageError(f"{module}: a transactional test in a module whose tests share their data")


class DemoWorld:
    """Handy access to the demo accounts by role."""

    def user(self, local_part):
        from maillage.accounts.demo import demo_email
        from maillage.accounts.models import User

        return User.objects.get(email=demo_email(local_part))


# The demo's organisations, by the part each plays (README's table of demo accounts).


def _demo_organization(name):
    from maillage.accounts.models import Organization

    return Organization.objects.get(name=name)


@pytest.fixture
def library(demo):
    """The demo library: places, a pass distributor, a member of every role (demo users admin,
    mediateur, benevole, observateur)."""
    return _demo_organization("Médiathèque Toussaint")


@pytest.fixture
def library_place(library):
    """The demo library's place that helps with paperwork."""
    from tests.places.factories import paperwork_place_of

    return paperwork_place_of(library)


@pytest.fixture
def ccas(demo):
    """The demo CCAS: a referrer and a pass distributor, administered by demo user "ccas"."""
    return _demo_organization("CCAS de Cholet")


@pytest.fixture
def association(demo):
    """Another place operator, administered by demo user "association": a stranger to the library."""
    return _demo_organization("Association Les Connectés du Saumurois")


@pytest.fixture
def departement(demo):
    """The demo funder, whose demo user "financeur" is a viewer."""
    return _demo_organization("Département de Maine-et-Loire")


def verified_session(client, user):
    """Log ``user`` in on a Django test client as after a password and a second factor."""
    client.force_login(user)
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def session_cookie_for(user):
    """A session store for ``user`` (second factor passed), to hand to a browser as a cookie."""
    from django.conf import settings as django_settings
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key}


@pytest.fixture
def live_world(transactional_db, live_server):
    """A live server over a database the browser can see.

    SQLite empties tables with DELETE between transactional tests, which the audit journal's
    triggers refuse: they are lifted for that flush, and the post_migrate signal that follows
    the flush puts them back (accounts/apps.py). PostgreSQL flushes with TRUNCATE, which row
    triggers do not see.
    """
    yield live_server
    if connection.vendor == "sqlite":
        journal_guard.remove(connection)
        ledger_guard.remove(connection)


# Real browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists() and not shutil.which(str(CHROMIUM)):
        _skip_or_fail("MAILLAGE_REQUIRE_BROWSER", f"SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# Guard: every text shown in French has a French translation ---------------------------------------

MISSING_FRENCH = set()


def _catalog_has(message):
    catalog = translation.trans_real.translation("fr")._catalog
    return message in catalog or (message, 0) in catalog


def _watch(function, key_of):
    def watched(*args):
        result = function(*args)
        if translation.get_language() == "fr":
            key = key_of(*args)
            if key.strip() and not _catalog_has(key):
                MISSING_FRENCH.add(key)
        return result

    return watched


def pytest_configure(config):
    trans = translation._trans
    trans.gettext = _watch(trans.gettext, lambda message: message)
    trans.ngettext = _watch(trans.ngettext, lambda singular, plural, number: singular)
    trans.pgettext = _watch(trans.pgettext, lambda context, message: f"{context}\x04{message}")
    trans.npgettext = _watch(trans.npgettext, lambda context, singular, plural, number: f"{context}\x04{singular}")


def pytest_sessionfinish(session, exitstatus):
    if MISSING_FRENCH:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("Texts shown in French with no French translation (run `make messages`):", red=True)
        for message in sorted(MISSING_FRENCH):
            reporter.write_line(f"  {message!r}", red=True)
        session.exitstatus = 1
