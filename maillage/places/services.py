"""Every write on a listing after import: owners keep it true, anyone can say it is wrong."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage.places.models import Place, PlaceCorrection

STALE_AFTER = timedelta(days=183)  # about 6 months


def stale_since():
    return timezone.localdate() - STALE_AFTER


def is_stale(place):
    checked = place.last_verified_on or place.updated_on
    return checked < stale_since()


def stale_places():
    """Published places nobody has confirmed for 6 months (or, never confirmed, not updated for 6 months)."""
    limit = stale_since()
    return Place.objects.published().filter(
        Q(last_verified_on__lt=limit) | Q(last_verified_on__isnull=True, updated_on__lt=limit)
    )


@transaction.atomic
def confirm_still_true(place):
    today = timezone.localdate()
    Place.objects.filter(pk=place.pk).update(last_verified_on=today)
    place.last_verified_on = today
    return place


@transaction.atomic
def update_listing(place, changed_fields):
    """Save the owner's edit: it is also a confirmation that the listing is true today."""
    today = timezone.localdate()
    place.last_verified_on = today
    if changed_fields:
        place.updated_on = today
    if {"address", "postcode", "commune"} & set(changed_fields):
        # The old position would send people to the old address: the commune's centre is used until geocoded.
        place.latitude = place.longitude = None
    place.save()
    return place


def report_correction(place, kind, message="", reporter_contact=""):
    return PlaceCorrection.objects.create(
        place=place, kind=kind, message=message.strip(), reporter_contact=reporter_contact.strip()
    )


def resolve_correction(correction, *, by):
    # The person's contact was only for answering them: it goes as soon as the report is handled.
    PlaceCorrection.objects.filter(pk=correction.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, reporter_contact=""
    )
