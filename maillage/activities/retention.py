"""Notes of activity records are erased a year after the accompaniment (personal_data.ACTIVITY_NOTE):
they are warned against personal details, but a free text can hold some."""

import datetime

from django.utils import timezone

from maillage.activities.models import Accompaniment
from maillage.personal_data import ACTIVITY_NOTE


def notes_due(today=None):
    today = today or timezone.localdate()
    return Accompaniment.objects.filter(day__lt=today - datetime.timedelta(days=ACTIVITY_NOTE.kept_for_days)).exclude(
        note=""
    )
