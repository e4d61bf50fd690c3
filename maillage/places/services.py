"""Every write on a listing after import: owners keep it true, anyone can say it is wrong."""

from collections import defaultdict
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from maillage.accounts.models import Ability, User
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


def remind_stale_owners(act, base_url):
    """An e-mail to the administrators of each organisation with places unchecked for 6 months (when
    ``act``); the lines say who, and how many stale places have no owner (the coordination sees them)."""
    by_organization = defaultdict(list)
    for place in stale_places().filter(organization__isnull=False).select_related("organization"):
        by_organization[place.organization].append(place)
    lines = []
    with translation.override("fr"):
        for organization, places in by_organization.items():
            administrators = User.objects.able_to(Ability.MANAGE, [organization]).order_by("email")
            emails = list(administrators.values_list("email", flat=True))
            lines.append(f"{organization}: {len(places)} place(s) to check → {', '.join(emails) or 'no administrator'}")
            if act and emails:
                context = {
                    "organization": organization,
                    "places": places,
                    "link": f"{base_url.rstrip('/')}/lieux/mes-lieux/",
                }
                subject = render_to_string("places/email/stale_subject.txt", context).strip()
                send_mail(subject, render_to_string("places/email/stale.txt", context), None, emails)
    unowned = stale_places().filter(organization__isnull=True).count()
    lines.append(
        f"{sum(map(len, by_organization.values()))} place(s) of {len(by_organization)} organisation(s) to remind; "
        f"{unowned} stale place(s) have no owner (the coordination sees them)."
    )
    return lines
