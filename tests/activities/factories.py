"""How the tests build the workspace's data: through its services, so that test data obeys the rules
that people's data obeys."""

import datetime

from django.utils import timezone

from maillage.accounts.models import Membership
from maillage.activities import beneficiaries, services, workshops


def days_ago(count):
    return timezone.localdate() - datetime.timedelta(days=count)


def tomorrow_at(hour):
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def new_person(organization, by, first_name="Yvette", **fields):
    """A person's record, with their spoken consent to be followed."""
    fields = {"consent_way": "oral", "consent_purposes": ["follow_up"], **fields}
    return beneficiaries.record_person(organization=organization, by=by, first_name=first_name, **fields)


def new_record(organization, author, **fields):
    """An accompaniment recorded today: 30 minutes at a distance, about e-mail, done with help."""
    defaults = {
        "day": timezone.localdate(),
        "duration_minutes": 30,
        "setting": "remote",
        "themes": ["email"],
        "autonomy": "with_help",
    }
    return services.record(organization=organization, author=author, **{**defaults, **fields})


def records_at(place, count, author=None, **fields):
    """``count`` records at the place, by one of its organisation's members: 45 minutes, about e-mail."""
    author = author or Membership.objects.filter(organization=place.organization).first().user
    fields = {"setting": "place", "duration_minutes": 45, **fields}
    return [new_record(place.organization, author, place=place, **fields) for _ in range(count)]


def new_workshop(organization, place, by, capacity=2, first_start=None, **fields):
    """A workshop about e-mail, tomorrow at 14:00 for an hour and a half (one session unless repeated)."""
    defaults = {
        "title": "Envoyer une photo par e-mail",
        "themes": ["email"],
        "description": "Apportez votre téléphone.",
        "duration_minutes": 90,
    }
    return workshops.create_workshop(
        organization=organization,
        place=place,
        by=by,
        first_start=first_start or tomorrow_at(14),
        capacity=capacity,
        **{**defaults, **fields},
    )


def record_form(**changes):
    """What a mediator sends for the usual case: the defaults, plus how long, a theme, autonomy."""
    return {
        "kind": "individual",
        "day": timezone.localdate().strftime("%d/%m/%Y"),
        "duration": "30",
        "setting": "place",
        "themes": ["email"],
        "autonomy": "with_help",
        "outcome": "done",
        "participants": "1",
        **changes,
    }


def register_online(client, session, **fields):
    """A person registers on the session's public page, with no account."""
    return client.post(
        f"/ateliers/{session.pk}/",
        {"first_name": "Amina", "phone": "", "email": "", "website": "", "submission_key": "", **fields},
    )
