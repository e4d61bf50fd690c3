"""SMS backends, chosen by the SMS_BACKEND setting, as Django does for e-mail.

Console and file backends for development and tests; ``HttpSmsBackend`` talks to a provider's
HTTP API (SMS_API_URL and SMS_API_KEY): a JSON POST ``{"to", "text", "sender"}`` with a bearer
token, answered 2xx with ``{"id": ...}``. Most French providers (and gateways in front of the
others) accept this shape; a provider needing another one gets its own small backend.
"""

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message could not be handed to the provider: it may be tried again."""


class ConsoleSmsBackend:
    def send(self, to, text, reference=""):
        sys.stdout.write(f"SMS to {to}: {text}\n")
        return "console"


class MemorySmsBackend:
    """Keeps messages in ``outbox`` (as Django's locmem e-mail backend): the test suite's backend."""

    outbox = []

    def send(self, to, text, reference=""):
        self.outbox.append({"to": to, "text": text})
        return "memory"


class FileSmsBackend:
    """One JSON line per message in SMS_FILE_PATH: tests and demos read what would have been sent."""

    def send(self, to, text, reference=""):
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"to": to, "text": text}, ensure_ascii=False) + "\n")
        return "file"


class HttpSmsBackend:
    def __init__(self, url=None, key=None, sender=None, timeout=10):
        self.url = url or settings.SMS_API_URL
        self.key = key or settings.SMS_API_KEY
        self.sender = sender or settings.SMS_SENDER
        self.timeout = timeout
        if not self.url.startswith(("https://", "http://")):
            raise SmsError("SMS_API_URL must be an http(s) address")

    def send(self, to, text, reference=""):
        """``reference``: the same for every attempt of one message, so that a provider that
        deduplicates keeps one (sent as ``reference`` and as the Idempotency-Key header)."""
        payload = json.dumps({"to": to, "text": text, "sender": self.sender, "reference": reference}).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"}
        if reference:
            headers["Idempotency-Key"] = reference
        # The scheme is checked in __init__: http(s) only.
        request = urllib.request.Request(self.url, data=payload, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SmsError(f"provider answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(f"provider unreachable or unreadable: {error.__class__.__name__}") from error
        return str(answer.get("id", ""))


def backend():
    return import_string(settings.SMS_BACKEND)()
