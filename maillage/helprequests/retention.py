"""Erase the personal data of help requests closed longer ago than the retention period.

What remains of an anonymised request (need, commune, origin, dates, statuses, outcome) names
nobody and keeps the territory's statistics right.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage import months
from maillage.helprequests.models import HelpRequest, PersonMessage, Transition
from maillage.notifications.models import Notification
from maillage.personal_data import HELP_REQUEST_PERSONAL_FIELDS


def _cutoff(now):
    return months.before(now or timezone.now(), settings.HELP_REQUEST_RETENTION_MONTHS)


def due_for_anonymisation(now=None):
    cutoff = _cutoff(now)
    # Closing, withdrawing and expiring all set closed_at. A request taken by a place and never
    # closed (a place without an account cannot close) goes too once untouched for as long.
    untouched = Q(closed_at__isnull=True, status_changed_at__lt=cutoff)
    return HelpRequest.objects.filter(Q(closed_at__lt=cutoff) | untouched, anonymised_at__isnull=True)


def is_past_retention(help_request, now=None):
    """What ``due_for_anonymisation`` selects, for one request already read (or anonymised already)."""
    cutoff = _cutoff(now)
    last_moment = help_request.closed_at or help_request.status_changed_at
    return help_request.anonymised_at is not None or last_moment < cutoff


def anonymise(requests):
    """Blank every personal field of these requests, and their messages and staff notes."""
    ids = list(requests.values_list("pk", flat=True))
    blank = {name: HelpRequest._meta.get_field(name).get_default() for name in HELP_REQUEST_PERSONAL_FIELDS}
    with transaction.atomic():
        HelpRequest.objects.filter(pk__in=ids).update(
            **blank, submission_key=None, anonymised_at=timezone.now(), consent_recorded_by=None
        )
        PersonMessage.objects.filter(request_id__in=ids).delete()
        Transition.objects.filter(request_id__in=ids).exclude(staff_note="").update(staff_note="")
    return len(ids)


def undelivered_messages():
    """Messages given up after their last attempt: nobody will send them, nothing needs their text."""
    return Notification.objects.filter(status=Notification.Status.GAVE_UP).exclude(recipient="", body="", last_error="")


def erase_undelivered(queryset):
    return queryset.update(recipient="", body="", last_error="")
