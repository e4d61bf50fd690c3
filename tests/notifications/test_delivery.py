"""Messages leave after the commit, at most once, are retried on failure, and forget their content."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from maillage.notifications import sms
from maillage.notifications.models import Notification
from maillage.notifications.services import MAX_ATTEMPTS, deliver, notify, retry_due
from maillage.notifications.sms import MemorySmsBackend, SmsError

pytestmark = pytest.mark.django_db
OUTBOX = MemorySmsBackend.outbox


class FlakySmsBackend:
    """Fails as many times as asked, then sends."""

    failures_left = 0

    def send(self, to, text, reference=""):
        if FlakySmsBackend.failures_left:
            FlakySmsBackend.failures_left -= 1
            raise SmsError("provider answered 503")
        OUTBOX.append({"to": to, "text": text})
        return "ok"


def test_a_message_leaves_only_once_the_event_is_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify("event:1", "sms", "+33612345678", "Bonjour")
        assert OUTBOX == []  # not before the commit
    assert OUTBOX == [{"to": "+33612345678", "text": "Bonjour"}]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify("event:2", "sms", "+33612345678", "Jamais")
                raise RuntimeError("the event fails")
        except RuntimeError:
            pass
    assert len(OUTBOX) == 1 and not Notification.objects.filter(key="event:2").exists()


def test_the_same_event_never_sends_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify("event:1", "email", "josiane@example.org", "Votre demande", subject="Demande")
        assert notify("event:1", "email", "josiane@example.org", "Votre demande", subject="Demande") is None
    notification = Notification.objects.get()
    assert deliver.call(notification.pk) == "skipped"  # a second worker, a replayed task
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["josiane@example.org"]
    assert (notification.status, notification.recipient, notification.body) == ("sent", "", "")


def test_a_failure_is_retried_later_then_sent_once(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.notifications.test_delivery.FlakySmsBackend"
    FlakySmsBackend.failures_left = 1
    with django_capture_on_commit_callbacks(execute=True):
        notify("event:1", "sms", "+33612345678", "Bonjour")
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts, notification.last_error) == (
        "pending",
        1,
        "provider answered 503",
    )
    assert notification.next_attempt_at > timezone.now() and notification.recipient
    assert retry_due() == []  # not due yet
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert retry_due() == ["sent"]
    assert retry_due() == []
    assert OUTBOX == [{"to": "+33612345678", "text": "Bonjour"}]
    assert Notification.objects.get().attempts == 2


def test_after_four_failures_it_gives_up_and_says_so(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.notifications.test_delivery.FlakySmsBackend"
    FlakySmsBackend.failures_left = 10
    with django_capture_on_commit_callbacks(execute=True):
        notify("event:1", "sms", "+33612345678", "Bonjour")
    for _attempt in range(MAX_ATTEMPTS):
        Notification.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        retry_due()
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == ("gave_up", MAX_ATTEMPTS) and OUTBOX == []


# The real SMS adapter, at its boundary: a local fake provider --------------------------------------


class FakeProvider(BaseHTTPRequestHandler):
    received = []
    answer_status = 200

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeProvider.received.append(
            {"body": body, "authorization": self.headers["Authorization"], "key": self.headers["Idempotency-Key"]}
        )
        self.send_response(FakeProvider.answer_status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "msg-42"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeProvider.received.clear()
    FakeProvider.answer_status = 200
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()


def test_the_http_adapter_posts_the_message_with_its_key(provider):
    backend = sms.HttpSmsBackend(url=provider, key="secret-key", sender="Maillage")
    assert (
        backend.send("+33612345678", "Votre rendez-vous est demain", reference="helprequest:7:move:9:person")
        == "msg-42"
    )
    text = {"to": "+33612345678", "text": "Votre rendez-vous est demain", "sender": "Maillage"}
    assert FakeProvider.received == [
        {
            "body": {**text, "reference": "helprequest:7:move:9:person"},
            "authorization": "Bearer secret-key",
            "key": "helprequest:7:move:9:person",  # every attempt of one message: the provider keeps one
        }
    ]


def test_the_http_adapter_reports_refusals_and_outages_as_retryable(provider):
    FakeProvider.answer_status = 500
    with pytest.raises(SmsError, match="500"):
        sms.HttpSmsBackend(url=provider, key="k").send("+33612345678", "x")
    with pytest.raises(SmsError, match="unreachable"):
        sms.HttpSmsBackend(url="http://127.0.0.1:9/sms", key="k", timeout=2).send("+33612345678", "x")
    with pytest.raises(SmsError, match="http"):
        sms.HttpSmsBackend(url="file:///etc/passwd", key="k")


def test_the_file_backend_writes_one_line_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    sms.FileSmsBackend().send("+33612345678", "Bonjour")
    assert json.loads((tmp_path / "sms.jsonl").read_text()) == {"to": "+33612345678", "text": "Bonjour"}


def test_a_message_whose_worker_was_killed_while_sending_is_sent_again_under_its_reference(
    settings, django_capture_on_commit_callbacks
):
    settings.SENDING_LEASE_SECONDS = 60
    notify("event:9", "sms", "+33612345678", "Bonjour")  # queued, its task never run
    Notification.objects.update(status="sending", next_attempt_at=timezone.now() + timedelta(seconds=60))
    assert retry_due() == [] and OUTBOX == []  # its worker may still be sending: its lease runs
    Notification.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # the lease is over
    assert retry_due() == ["sent"]
    assert OUTBOX == [{"to": "+33612345678", "text": "Bonjour"}]
    assert Notification.objects.get().status == "sent"
