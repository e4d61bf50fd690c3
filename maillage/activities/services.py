"""Every change of an activity record (record, correct in place or as a new version, delete) and of
a beneficiary record (record, change, merge, anonymise)."""

import contextlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.activities.models import Accompaniment, Beneficiary, Registration, RegistrationStatus, WorkshopSession
from maillage.activities.themes import ADMINISTRATIVE, ADMINISTRATIVE_SUBTHEMES, THEMES


class RecordRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _checked(fields):
    themes = list(dict.fromkeys(fields.get("themes") or []))
    if not themes or any(theme not in THEMES for theme in themes):
        raise RecordRefused("themes")
    subthemes = (
        [key for key in dict.fromkeys(fields.get("administrative_subthemes") or []) if key in ADMINISTRATIVE_SUBTHEMES]
        if ADMINISTRATIVE in themes
        else []
    )
    return {**fields, "themes": themes, "administrative_subthemes": subthemes}


def _check_person(organization, beneficiary):
    """A record names a person of its own organisation only, and never an anonymised or merged one."""
    if beneficiary is None:
        return
    if beneficiary.organization_id != organization.pk or beneficiary.anonymised_at or beneficiary.merged_into_id:
        raise RecordRefused("beneficiary")


def recount_first_time(beneficiary):
    """For a known person, "first accompaniment" is worked out from the history: their earliest
    current record in the organisation, and only that one (after a merge too)."""
    records = Accompaniment.objects.current().filter(beneficiary=beneficiary).order_by("day", "created_at", "pk")
    first = records.values_list("pk", flat=True).first()
    Accompaniment.objects.filter(beneficiary=beneficiary).exclude(pk=first).update(first_time=False)
    if first is not None:
        Accompaniment.objects.filter(pk=first).update(first_time=True)


def record(*, organization, author, redemptions=(), **fields):
    """A new activity record of the organisation, by one of its members."""
    fields = _checked(fields)
    _check_person(organization, fields.get("beneficiary"))
    with transaction.atomic():
        accompaniment = Accompaniment.objects.create(organization=organization, author=author, **fields)
        accompaniment.redemptions.set(redemptions)
        if accompaniment.beneficiary_id:
            recount_first_time(accompaniment.beneficiary)
            # A new accompaniment: the record is kept BENEFICIARY_RETENTION_MONTHS from now.
            Beneficiary.objects.filter(pk=accompaniment.beneficiary_id).update(last_activity_at=timezone.now())
            accompaniment.refresh_from_db(fields=["first_time"])
    return accompaniment


FIELDS_OF_A_VERSION = [
    "kind",
    "day",
    "duration_minutes",
    "setting",
    "place",
    "commune",
    "themes",
    "administrative_subthemes",
    "autonomy",
    "outcome",
    "referred_to",
    "participants",
    "note",
    "help_request",
    "beneficiary",
    "first_time",
    "workshop_session",
    "counts_by_age_band",
    "counts_by_gender",
]


def correct(accompaniment, *, by, **fields):
    """Change a record: in place by its author within ACTIVITY_EDIT_HOURS, else as a new version.

    Returns the current version. A record already replaced cannot be corrected again (its newer
    version can).
    """
    if accompaniment.replaced_at is not None:
        raise RecordRefused("replaced")
    redemptions = fields.pop("redemptions", None)
    kept = {name: getattr(accompaniment, name) for name in FIELDS_OF_A_VERSION}
    fields = _checked({**kept, **fields})
    if fields["beneficiary"] != accompaniment.beneficiary:
        _check_person(accompaniment.organization, fields["beneficiary"])
    with transaction.atomic():
        if accompaniment.is_editable_in_place(by):
            for name, value in fields.items():
                setattr(accompaniment, name, value)
            accompaniment.save(update_fields=list(fields))
            current = accompaniment
        else:
            if not Accompaniment.objects.filter(pk=accompaniment.pk, replaced_at__isnull=True).update(
                replaced_at=timezone.now()
            ):
                raise RecordRefused("replaced")
            current = Accompaniment.objects.create(
                organization=accompaniment.organization, author=by, replaces=accompaniment, **fields
            )
            if redemptions is None:  # a new version keeps the passes of the one it replaces
                redemptions = accompaniment.redemptions.all()
        if redemptions is not None:
            current.redemptions.set(redemptions)
        _recount_people(accompaniment.beneficiary, current.beneficiary)
    current.refresh_from_db(fields=["first_time"])
    return current


def _recount_people(*beneficiaries):
    for beneficiary in {person for person in beneficiaries if person is not None}:
        recount_first_time(beneficiary)


def delete(accompaniment, *, by):
    """Its author deletes a record within ACTIVITY_EDIT_HOURS; later, records are corrected, not deleted."""
    if accompaniment.replaced_at is not None or not accompaniment.is_editable_in_place(by):
        raise RecordRefused("too_late")
    with transaction.atomic():
        if accompaniment.replaces_id:  # deleting a correction: the version it replaced counts again
            Accompaniment.objects.filter(pk=accompaniment.replaces_id).update(replaced_at=None)
        elif accompaniment.workshop_session_id:  # a session's record: its attendance is to take again
            WorkshopSession.objects.filter(pk=accompaniment.workshop_session_id).update(attendance_taken_at=None)
            Registration.objects.filter(session=accompaniment.workshop_session_id).update(attended=None)
        accompaniment.redemptions.clear()
        accompaniment.delete()
        _recount_people(accompaniment.beneficiary)


# Beneficiary records ----------------------------------------------------------------------------

PERSON_FIELDS = [
    "first_name",
    "birth_year_band",
    "commune",
    "phone",
    "email",
    "consent_at",
    "consent_way",
    "consent_purposes",
]


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
    from maillage.activities import workshops  # workshops records through this module

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
