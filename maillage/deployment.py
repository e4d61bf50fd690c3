"""What `make serve` refuses before it starts production: each unsafe setting, in plain words.

``problems()`` reads the loaded settings (from the environment and the `.env` file) and Django's own
deployment checks. An empty list is the only way to start.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

DEVELOPMENT_SECRET_MARKERS = ("development-only", "django-insecure", "change-me", "changeme", "secret-key")
MIN_SECRET_LENGTH, MIN_SECRET_CHARACTERS = 50, 5
NOT_SENT_SMS = {"ConsoleSmsBackend", "MemorySmsBackend", "FileSmsBackend"}
NOT_SENT_EMAIL = {"console", "locmem", "filebased", "dummy"}


def problems():
    """Every reason not to start, each a sentence that says what to set."""
    found = []
    if not settings.PRODUCTION:
        found.append("MAILLAGE_ENV is not 'production': set MAILLAGE_ENV=production in .env.")
    if settings.DEBUG:
        found.append("DEBUG is on: it shows code and settings to anyone. Remove DEBUG or set DEBUG=false.")
    found.extend(_secret_key_problems(settings.SECRET_KEY))
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        found.append("ALLOWED_HOSTS is empty or '*': set the site's host name (ALLOWED_HOSTS=maillage.example.org).")
    if urlsplit(settings.SITE_URL).scheme != "https":
        found.append(f"SITE_URL is not https ({settings.SITE_URL}): links in messages must be https://.")
    if settings.CACHES["default"]["BACKEND"] in settings.PER_PROCESS_CACHES:
        found.append("CACHE_URL is a per-process cache: use dbcache://maillage_cache or redis://….")
    if settings.BEHIND_TLS_PROXY and settings.TRUSTED_PROXY_COUNT < 1:
        found.append(
            "TRUSTED_PROXY_COUNT is 0 behind a proxy: every person would share the proxy's address. "
            "Set the number of proxies (1 for nginx or Caddy)."
        )
    if settings.SMS_BACKEND.rsplit(".", 1)[-1] in NOT_SENT_SMS:
        found.append(f"SMS_BACKEND keeps text messages here ({settings.SMS_BACKEND}): set the provider's.")
    elif not settings.SMS_API_URL:
        found.append("SMS_API_URL is not set: text messages would never leave.")
    if settings.EMAIL_BACKEND.rsplit(".", 2)[-2] in NOT_SENT_EMAIL:
        found.append(f"EMAIL_BACKEND keeps e-mails here ({settings.EMAIL_BACKEND}): set an SMTP server.")
    found.extend(_deployment_check_messages())
    return found


def _secret_key_problems(key):
    if any(marker in key.lower() for marker in DEVELOPMENT_SECRET_MARKERS):
        return ["SECRET_KEY is an example or development key: generate one (see docs/DEPLOYMENT.md)."]
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_CHARACTERS:
        return [
            f"SECRET_KEY is weak: use at least {MIN_SECRET_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        ]
    return []


def _deployment_check_messages():
    """Django's and our deployment checks, warnings included (what `check --deploy` says)."""
    messages = checks.run_checks(include_deployment_checks=True)
    return [
        f"{message.id}: {message.msg}"
        for message in messages
        if message.level >= checks.WARNING and not message.is_silenced()
    ]
