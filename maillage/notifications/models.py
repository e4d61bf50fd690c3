"""One message to one person about one event: sent once, after the event is committed."""

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "e-mail"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        GAVE_UP = "gave_up", "gave up"

    # The event's key: the same event never makes a second message (e.g. "helprequest:12:move:40:person").
    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Erased once sent: only the fact that a message left is kept.
    recipient = models.CharField(max_length=254, blank=True)
    # A keyed digest of the recipient, kept a day after sending (``texted_recently``), never readable.
    recipient_digest = models.CharField(max_length=64, blank=True, db_index=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.key} ({self.status})"
