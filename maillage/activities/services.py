"""Every change of an activity record: record, correct in place or as a new version, delete.

People's records change in ``beneficiaries.py``, workshops in ``workshops.py`` (whose attendance records
through this module).
"""

from django.db import transaction
from django.utils import timezone

from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.activities import statistics
from maillage.activities.models import Accompaniment, Beneficiary, Registration, WorkshopSession
from maillage.activities.themes import ADMINISTRATIVE, ADMINISTRATIVE_SUBTHEMES, THEMES


class RecordRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _checked(fields):
    if fields.get("day") is not None and fields["day"] > timezone.localdate():
        raise RecordRefused("future")  # it would count minutes not given yet
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


@transaction.atomic
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


def export_records(organization, *, by, with_people=False):
    """The organisation's records that count, for its CSV file. Every export is in the journal; one
    with people says so, to be found when someone asks."""
    records = statistics.organization_records(organization)
    what = "activity_records_with_people" if with_people else "activity_records"
    journal.record(AuditEvent.Action.EXPORT, actor=by, organization=organization, what=what, rows=records.count())
    return records


def delete_record(accompaniment, *, by):
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
