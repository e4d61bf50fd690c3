"""Every change of a beneficiary record: record a person with their consent, change the record,
merge two records of the same person, anonymise one (the soft delete); and every reading of one,
which the audit journal keeps too. Each writes its journal line in its transaction.

Above ``workshops`` (freeing a person's places moves the waiting lists up) and ``services`` (a
merge counts the first accompaniment again): neither imports this module.
"""

import contextlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.activities import workshops
from maillage.activities.models import Accompaniment, Beneficiary, Registration, RegistrationStatus
from maillage.activities.services import RecordRefused, recount_first_time


def _label(beneficiary):
    """How the journal names a person's record: by number, so that deleting it leaves no name behind."""
    return f"#{beneficiary.pk}"


def record_person(*, organization, by, submission_key="", **fields):
    """A person's record, with the consent they gave (when, how, for what). The same form sent twice
    (its submission key) records once."""
    if submission_key and (sent := Beneficiary.objects.filter(recorded_by=by, submission_key=submission_key).first()):
        return sent
    fields.setdefault("consent_at", timezone.now())
    try:
        with transaction.atomic():
            beneficiary = Beneficiary.objects.create(
                organization=organization, recorded_by=by, submission_key=submission_key, **fields
            )
            journal.record(
                AuditEvent.Action.PERSONAL_RECORD_CHANGED,
                actor=by,
                organization=organization,
                target=beneficiary,
                target_label=_label(beneficiary),
                change="created",
            )
    except IntegrityError:  # a double tap: the other request recorded it meanwhile
        if sent := Beneficiary.objects.filter(recorded_by=by, submission_key=submission_key).first():
            return sent
        raise
    return beneficiary


def change_person(beneficiary, *, by, **fields):
    if beneficiary.anonymised_at or beneficiary.merged_into_id:
        raise RecordRefused("anonymised")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(beneficiary, name, value)
        if "consent_at" in fields:  # a consent given again keeps the record from now on
            beneficiary.last_activity_at = fields["consent_at"]
        beneficiary.save(update_fields=[*fields, "last_activity_at"])
        journal.record(
            AuditEvent.Action.PERSONAL_RECORD_CHANGED,
            actor=by,
            organization=beneficiary.organization,
            target=beneficiary,
            target_label=_label(beneficiary),
            change="changed",
            fields=sorted(fields),
        )
    return beneficiary


def _free_place(registration):
    """Cancel a registration so that the waiting list moves up (nothing to free once the session began)."""
    with contextlib.suppress(workshops.WorkshopRefused):
        workshops.cancel(registration)


def _erase(beneficiary):
    """Erase what names a person; their accompaniments stay, as statistics attached to nobody."""
    Beneficiary.objects.filter(pk=beneficiary.pk).update(
        first_name="", commune=None, phone="", email="", consent_purposes=[], anonymised_at=timezone.now()
    )
    # Notes and registrations could name the person too.
    Accompaniment.objects.filter(beneficiary=beneficiary).update(note="")
    Registration.objects.filter(beneficiary=beneficiary).update(
        first_name="", phone="", email="", erased_at=timezone.now()
    )


def merge_people(kept, duplicate, *, by):
    """Two records of the same person become one: the duplicate's history moves to the kept record,
    which takes the details it lacked; the duplicate is erased and points to the kept one."""
    if kept.pk == duplicate.pk or kept.organization_id != duplicate.organization_id:
        raise RecordRefused("merge")
    with transaction.atomic():
        locked = {b.pk: b for b in Beneficiary.objects.select_for_update().filter(pk__in=[kept.pk, duplicate.pk])}
        kept, duplicate = locked[kept.pk], locked[duplicate.pk]
        if any(b.anonymised_at or b.merged_into_id for b in (kept, duplicate)):
            raise RecordRefused("merge")
        filled = [
            name
            for name in ("birth_year_band", "commune", "phone", "email")
            if not getattr(kept, name) and getattr(duplicate, name)
        ]
        for name in filled:
            setattr(kept, name, getattr(duplicate, name))
        kept.last_activity_at = max(kept.last_activity_at, duplicate.last_activity_at)
        kept.save(update_fields=[*filled, "last_activity_at"])  # the kept record's consent stands
        Accompaniment.objects.filter(beneficiary=duplicate).update(beneficiary=kept)
        # One person, one place per session: the duplicate's place where the kept record has one goes.
        both = Registration.objects.filter(beneficiary=kept).exclude(status=RegistrationStatus.CANCELLED)
        for twice in Registration.objects.filter(beneficiary=duplicate, session__in=both.values("session")).exclude(
            status=RegistrationStatus.CANCELLED
        ):
            _free_place(twice)
        Registration.objects.filter(beneficiary=duplicate).update(beneficiary=kept)
        _erase(duplicate)
        Beneficiary.objects.filter(pk=duplicate.pk).update(merged_into=kept)
        recount_first_time(kept)
        journal.record(
            AuditEvent.Action.PERSONAL_RECORDS_MERGED,
            actor=by,
            organization=kept.organization,
            target=kept,
            target_label=_label(kept),
            merged=duplicate.pk,
        )
    return kept


def anonymise_person(beneficiary, *, by=None, reason="asked"):
    """The soft delete: the person's details are erased, their accompaniments still count, and their
    places in workshops to come are freed for the waiting lists."""
    with transaction.atomic():
        if not Beneficiary.objects.filter(pk=beneficiary.pk, anonymised_at__isnull=True).exists():
            return
        coming = Registration.objects.filter(
            beneficiary=beneficiary, session__starts_at__gt=timezone.now(), session__cancelled_at__isnull=True
        ).exclude(status=RegistrationStatus.CANCELLED)
        for registration in coming:
            _free_place(registration)
        _erase(beneficiary)
        journal.record(
            AuditEvent.Action.PERSONAL_RECORD_ANONYMISED,
            actor=by,
            organization=beneficiary.organization,
            target=beneficiary,
            target_label=_label(beneficiary),
            reason=reason,
        )


# Readings ------------------------------------------------------------------------------------------


def read_person(person, *, by, exported="", **details):
    """Someone reads a person's record (``exported``: 'html' or 'json', for the right of access)."""
    action = AuditEvent.Action.EXPORT if exported else AuditEvent.Action.PERSONAL_RECORD_VIEWED
    if exported:
        details |= {"what": "right_of_access", "format": exported}
    journal.record(
        action, actor=by, organization=person.organization, target=person, target_label=_label(person), **details
    )


@transaction.atomic
def read_list(people, *, by):
    """A list of names is a reading of personal data too: one line per organisation whose people it shows."""
    by_organization = {}
    for person in people:
        by_organization.setdefault(person.organization, []).append(person.pk)
    for organization, shown in by_organization.items():
        journal.record(
            AuditEvent.Action.PERSONAL_RECORD_VIEWED,
            actor=by,
            organization=organization,
            target=organization,
            list_of_people=shown,
        )
