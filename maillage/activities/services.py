"""Every change of an activity record: record, correct (in place, or as a new version), delete."""

from django.db import transaction
from django.utils import timezone

from maillage.activities.models import Accompaniment
from maillage.activities.themes import ADMINISTRATIVE, ADMINISTRATIVE_SUBTHEMES, THEMES


class RecordRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _checked(fields):
    themes = list(dict.fromkeys(fields.get("themes") or []))
    if not themes or any(theme not in THEMES for theme in themes):
        raise RecordRefused("themes")
    subthemes = [key for key in dict.fromkeys(fields.get("administrative_subthemes") or [])
                 if key in ADMINISTRATIVE_SUBTHEMES] if ADMINISTRATIVE in themes else []  # fmt: skip
    return {**fields, "themes": themes, "administrative_subthemes": subthemes}


def record(*, organization, author, **fields):
    """A new activity record of the organisation, by one of its members."""
    return Accompaniment.objects.create(organization=organization, author=author, **_checked(fields))


FIELDS_OF_A_VERSION = [
    "kind", "day", "duration_minutes", "setting", "place", "commune", "themes", "administrative_subthemes",
    "autonomy", "outcome", "referred_to", "participants", "note", "help_request",
]  # fmt: skip


def correct(accompaniment, *, by, **fields):
    """Change a record: in place by its author within ACTIVITY_EDIT_HOURS, else as a new version.

    Returns the current version. A record already replaced cannot be corrected again (its newer
    version can).
    """
    if accompaniment.replaced_at is not None:
        raise RecordRefused("replaced")
    kept = {name: getattr(accompaniment, name) for name in FIELDS_OF_A_VERSION}
    fields = _checked({**kept, **fields})
    if accompaniment.is_editable_in_place(by):
        for name, value in fields.items():
            setattr(accompaniment, name, value)
        accompaniment.save(update_fields=list(fields))
        return accompaniment
    with transaction.atomic():
        if not Accompaniment.objects.filter(pk=accompaniment.pk, replaced_at__isnull=True).update(
            replaced_at=timezone.now()
        ):
            raise RecordRefused("replaced")
        return Accompaniment.objects.create(organization=accompaniment.organization, author=by,
                                            replaces=accompaniment, **fields)  # fmt: skip


def delete(accompaniment, *, by):
    """Its author deletes a record within ACTIVITY_EDIT_HOURS; later, records are corrected, not deleted."""
    if accompaniment.replaced_at is not None or not accompaniment.is_editable_in_place(by):
        raise RecordRefused("too_late")
    with transaction.atomic():
        if accompaniment.replaces_id:  # deleting a correction: the version it replaced counts again
            Accompaniment.objects.filter(pk=accompaniment.replaces_id).update(replaced_at=None)
        accompaniment.delete()
