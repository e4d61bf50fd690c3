"""Queue a message for an event, and deliver it from a background task, once.

``notify`` stores the message under its event key (a second call for the same event does
nothing) and enqueues delivery once the surrounding transaction commits: a rolled-back event
sends nothing. ``deliver`` takes the message with a conditional update, for a lease, so two
workers never send it both; a failure is retried later (1, 5, 30 minutes, then 2 hours), four
attempts in all. A worker killed while sending leaves the message to ``retry_due`` once its lease
ends; it is sent again under the same reference, which the provider is told (never lost; kept
once by a provider that deduplicates). Once sent, the recipient and the text are erased.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks import default_task_backend, task

from maillage.notifications import sms
from maillage.notifications.models import Notification

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS)


DIGEST_SALT = "maillage.notifications.recipient"
DIGEST_KEPT = timedelta(days=1)


def recipient_digest(recipient):
    return salted_hmac(DIGEST_SALT, recipient).hexdigest()


def texted_recently(number, now=None):
    """Whether a text went (or is going) to this number in the last day, whatever it was about."""
    since = (now or timezone.now()) - DIGEST_KEPT
    return Notification.objects.filter(
        channel=Notification.Channel.SMS, recipient_digest=recipient_digest(number), created_at__gte=since
    ).exists()


def forget_old_digests(now=None):
    """Digests older than a day serve no rule: erased by purge_personal_data."""
    return Notification.objects.filter(created_at__lt=(now or timezone.now()) - DIGEST_KEPT).exclude(
        recipient_digest=""
    )


def notify(key, channel, recipient, body, subject=""):
    """Queue one message for one event; None when this event already has its message."""
    if not recipient:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key[:200],
                channel=channel,
                recipient=recipient,
                recipient_digest=recipient_digest(recipient),
                subject=subject[:200],
                body=body,
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: deliver.enqueue(notification.pk))
    return notification


@task()
def deliver(notification_id):
    # Taken for a lease: a worker killed while sending leaves it "sending" until the lease ends, then
    # ``retry_due`` sends it again, under the same reference (see there).
    now = timezone.now()
    taken = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.PENDING, next_attempt_at__lte=now
    ).update(
        status=Notification.Status.SENDING, next_attempt_at=now + timedelta(seconds=settings.SENDING_LEASE_SECONDS)
    )
    if not taken:
        return "skipped"  # already sent, being sent, given up, or not yet due
    notification = Notification.objects.get(pk=notification_id)
    attempts = notification.attempts + 1
    try:
        if notification.channel == Notification.Channel.SMS:
            sms.backend().send(notification.recipient, notification.body, reference=notification.key)
        else:
            send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.recipient])
    except Exception as error:  # any failure of a provider is retried, then given up
        gave_up = attempts >= MAX_ATTEMPTS
        next_attempt = timezone.now() + RETRY_DELAYS[min(attempts, MAX_ATTEMPTS) - 1]
        Notification.objects.filter(pk=notification_id).update(
            status=Notification.Status.GAVE_UP if gave_up else Notification.Status.PENDING,
            attempts=attempts,
            next_attempt_at=next_attempt,
            last_error=_described(error),
        )
        if not gave_up and default_task_backend.supports_defer:
            deliver.using(run_after=next_attempt).enqueue(notification_id)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT,
        attempts=attempts,
        sent_at=timezone.now(),
        recipient="",
        body="",
        last_error="",
    )
    return "sent"


def _described(error):
    """What went wrong, without the recipient: mail errors often quote the address."""
    if isinstance(error, sms.SmsError):
        return str(error)[:300]  # our own words, no address in them
    return type(error).__name__


def retry_due():
    """Deliver the messages whose retry is due, and those whose worker stopped while sending.

    A worker killed while sending leaves its message "sending" with no one to finish it. Once its
    lease is over, it goes back to the queue and is sent again, under the same reference: the
    provider, told that reference (``sms.HttpSmsBackend``), keeps one message if the first attempt had
    reached it. A message is never lost; without a provider that deduplicates, that rare message may
    arrive twice (docs/DEPLOYMENT.md).
    """
    now = timezone.now()
    Notification.objects.filter(status=Notification.Status.SENDING, next_attempt_at__lte=now).update(
        status=Notification.Status.PENDING, last_error="stopped while sending"
    )
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
    return [deliver.call(notification_id) for notification_id in due.values_list("pk", flat=True)]
