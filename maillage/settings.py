"""Maillage settings: one module, every knob an environment variable with a documented default.

The defaults give a development platform on SQLite under ``var/``. ``MAILLAGE_ENV=production``
turns on every deployment safeguard (``manage.py check --deploy`` passes with no warning) and
requires ``SECRET_KEY`` and ``ALLOWED_HOSTS``. docs/DEVELOPMENT.md lists every variable.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_noop

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The .env file (never committed): local overrides, or production's settings for `make serve`.
# Variables already in the environment win. MAILLAGE_ENV_FILE names another file.
env.read_env(os.environ.get("MAILLAGE_ENV_FILE", BASE_DIR / ".env"))

MAILLAGE_ENV = env.str("MAILLAGE_ENV", default="development")
if MAILLAGE_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("MAILLAGE_ENV must be 'development' or 'production'.")
PRODUCTION = MAILLAGE_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-use-it-in-production-1234567890")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "leaflet",  # only its static files: the optional map of search results
    "maillage.territory",
    "maillage.accounts",
    "maillage.places",
    "maillage.notifications",
    "maillage.helprequests",
    "maillage.passes",
    "maillage.activities",
    "maillage.api",
    "maillage",  # shared templates, static files, template tags and translations
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "maillage.api.errors.ApiJsonErrorsMiddleware",  # under /api/, every error in JSON
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "maillage.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "maillage.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "maillage.context_processors.territory_help",
                "maillage.menu.menu",
            ],
        },
    },
]
FORM_RENDERER = "maillage.forms.AccessibleFormRenderer"

# Database: SQLite in WAL mode under var/ unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "maillage.sqlite"  # Django's, making var/ when it first opens the file
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits, lockouts and the directory's index version live in the cache: in production every
# process must share it, or each counts its own tries (3 workers, 3 times every limit).
CACHES = {
    "default": env.cache("CACHE_URL", default="dbcache://maillage_cache" if PRODUCTION else "locmemcache://maillage")
}
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
if PRODUCTION and CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
    raise environ.ImproperlyConfigured(
        "CACHE_URL is a per-process cache: with several processes, every limit would count each apart. "
        "Use the database cache (CACHE_URL=dbcache://maillage_cache, then manage.py createcachetable) "
        "or Redis (CACHE_URL=redis://127.0.0.1:6379/0). See docs/DEPLOYMENT.md."
    )

TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Accounts, login and two-factor authentication.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts before any check
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)
INVITATION_MAX_AGE = timedelta(days=env.int("INVITATION_MAX_AGE_DAYS", default=8))

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "maillage.accounts.middleware.lockout_username"
AXES_RESET_ON_SUCCESS = True
# A fixed window: tries while locked out (the right password included) do not restart the wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address behind the reverse proxies (docs/DEPLOYMENT.md): one reading for our limits and
# django-axes (without django-ipware, axes would read REMOTE_ADDR: the proxy's, everyone's).
AXES_CLIENT_IP_CALLABLE = "maillage.ratelimit.address_for_lockouts"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Maillage")
OTP_RECOVERY_CODE_COUNT = 10

# The territory's help line, shown in the header of every page.
# The default is in the range ARCEP reserves for fiction (02 61 91 xx xx): set the real line.
HELP_PHONE_NUMBER = env.str("HELP_PHONE_NUMBER", default="+33261910000")
# Empty: the translated default "Monday to Friday, 9 am to 6 pm" is shown.
HELP_PHONE_HOURS = env.str("HELP_PHONE_HOURS", default="")
TERRITORY_NAME = env.str("TERRITORY_NAME", default="Maine-et-Loire")
# The territory served, as data: its départements and/or single communes (INSEE codes), comma-separated.
# A commune typed that lies outside it is never taken without the person saying so; both empty
# means the whole of France. The coordination's perimeter reads them too.
TERRITORY_DEPARTMENTS = env.list("TERRITORY_DEPARTMENTS", default=["49"])
TERRITORY_COMMUNES = env.list("TERRITORY_COMMUNES", default=[])
SITE_OPERATOR = {
    "name": env.str("SITE_OPERATOR_NAME", default="Coordination numérique du Maine-et-Loire (démonstration)"),
    "address": env.str("SITE_OPERATOR_ADDRESS", default="Adresse à compléter par l'exploitant"),
    "email": env.str("SITE_OPERATOR_EMAIL", default="contact@maillage.invalid"),
    "publisher": env.str("SITE_OPERATOR_PUBLISHER", default="La personne qui dirige la structure exploitante"),
    "host": env.str("SITE_HOST_DESCRIPTION", default="Hébergeur à compléter par l'exploitant"),
}

# Languages: French first; Arabic is ready (right-to-left) and enabled by listing it here.
LANGUAGE_CODE = "fr"
# Each language is named in itself (gettext_noop: listed in the catalogues, never translated).
_LANGUAGE_NAMES = {"fr": gettext_noop("Français"), "en": gettext_noop("English"), "ar": gettext_noop("العربية")}
LANGUAGES = [(code, _LANGUAGE_NAMES[code]) for code in env.list("MAILLAGE_LANGUAGES", default=["fr", "en"])]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "maillage" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves the files collectstatic gathers here; elsewhere they come from the apps (runserver,
# the tests' live server) and no folder is needed, unless STATIC_ROOT names one.
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static") if PRODUCTION else None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Maillage <ne-pas-repondre@maillage.invalid>")

# Text messages: console (development), file (tests, demos) or a provider's HTTP API.
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="maillage.notifications.sms.HttpSmsBackend"
    if PRODUCTION
    else "maillage.notifications.sms.ConsoleSmsBackend",
)
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_SENDER = env.str("SMS_SENDER", default="Maillage")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl"))
# How long a worker holds a message it is sending: past it, a message still "sending" (its worker
# was killed) is sent again, under the same reference (notifications.services.retry_due).
SENDING_LEASE_SECONDS = env.int("SENDING_LEASE_SECONDS", default=5 * 60)
# The site's address, for links in messages sent by background tasks (no request to build it from).
SITE_URL = (env.str("SITE_URL") if PRODUCTION else env.str("SITE_URL", default="http://127.0.0.1:8000")).rstrip("/")

# Help requests: how long a request may wait for a place before the coordination takes it, how
# long it may stay unanswered before it expires, how long a closed request keeps personal data.
HELP_REQUEST_ESCALATION_HOURS = env.int("HELP_REQUEST_ESCALATION_HOURS", default=48)
HELP_REQUEST_EXPIRY_DAYS = env.int("HELP_REQUEST_EXPIRY_DAYS", default=30)
HELP_REQUEST_RETENTION_MONTHS = env.int("HELP_REQUEST_RETENTION_MONTHS", default=12)
# An activity record's author changes or deletes it in place for this long; then a correction is a new version.
ACTIVITY_EDIT_HOURS = env.int("ACTIVITY_EDIT_HOURS", default=72)
# A beneficiary record is anonymised this long after the person's last accompaniment.
BENEFICIARY_RETENTION_MONTHS = env.int("BENEFICIARY_RETENTION_MONTHS", default=24)
# The names and contacts of a workshop's registrations are erased this long after the session.
WORKSHOP_REGISTRATION_RETENTION_DAYS = env.int("WORKSHOP_REGISTRATION_RETENTION_DAYS", default=30)

# Optional map of search results, drawn with Leaflet when the person asks for it. Off when empty.
# A tile URL template such as https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png (its host is
# then allowed for images by the CSP); respect the tile server's usage policy.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="© OpenStreetMap")


def _tiles_source(url):
    """The CSP source of the tiles' host: {s} subdomains become a wildcard."""
    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# Security headers: strict by default, HTTPS-only in production.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *filter(None, [_tiles_source(MAP_TILES_URL)])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 10)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# How many reverse proxies stand between people and the application, each appending to X-Forwarded-For
# (maillage.ratelimit.client_address): the documented deployment has one (nginx or Caddy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secrets in links (a follow link, an invitation) masked in every line (maillage/log_filters.py).
    "filters": {"secret_paths": {"()": "maillage.log_filters.MaskSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
