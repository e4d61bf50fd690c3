"""What the workspace keeps, and for how long (personal_data.ACTIVITY_NOTE, BENEFICIARY,
WORKSHOP_REGISTRATION): notes go after a year, workshop registrations a month after the session,
people's records two years after their last accompaniment — anonymised, so that the statistics stay."""

import datetime

from django.conf import settings
from django.utils import timezone

from maillage import months
from maillage.activities import beneficiaries
from maillage.activities.models import Accompaniment, Beneficiary, Registration
from maillage.personal_data import ACTIVITY_NOTE


def notes_due(today=None):
    today = today or timezone.localdate()
    return Accompaniment.objects.filter(day__lt=today - datetime.timedelta(days=ACTIVITY_NOTE.kept_for_days)).exclude(
        note=""
    )


def people_due(now=None):
    """Records whose person has not been accompanied for BENEFICIARY_RETENTION_MONTHS."""
    limit = months.before(now or timezone.now(), settings.BENEFICIARY_RETENTION_MONTHS)
    # Someone registered for a workshop to come is still being accompanied (NOT IN and NULL: filtered).
    coming = Registration.objects.filter(session__starts_at__gte=timezone.now(), beneficiary__isnull=False).exclude(
        status="cancelled"
    )
    return Beneficiary.objects.filter(anonymised_at__isnull=True, last_activity_at__lt=limit).exclude(
        pk__in=coming.values("beneficiary")
    )


def registrations_due_for_erasure():
    limit = timezone.now() - datetime.timedelta(days=settings.WORKSHOP_REGISTRATION_RETENTION_DAYS)
    return Registration.objects.filter(erased_at__isnull=True, session__starts_at__lt=limit)


def erase_registrations(queryset):
    """Names and contacts go; the registration stays as a count (status, attended)."""
    return queryset.update(first_name="", phone="", email="", erased_at=timezone.now())


def erase_notes(queryset):
    """Notes go (they may name someone); the record stays, for the statistics."""
    return queryset.update(note="")


def anonymise_people(queryset):
    """Each record the soft way (beneficiaries.anonymise_person): their places in workshops to come are freed."""
    anonymised = 0
    for person in queryset:
        beneficiaries.anonymise_person(person, reason="retention")
        anonymised += 1
    return anonymised
