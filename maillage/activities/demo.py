"""The demo territory's workshops: the Médiathèque runs two, so that the public search, the place
page and "Ma semaine" show something on a fresh start. Made once; sessions start from the day the
demo is loaded."""

import datetime

from django.db import transaction
from django.utils import timezone

from maillage.accounts.models import Membership, Organization
from maillage.activities import workshops
from maillage.activities.models import Workshop
from maillage.places.models import Place

WORKSHOPS = [
    {
        "title": "Premiers pas sur la tablette",
        "themes": ["equipment"],
        "level": "beginner",
        "capacity": 6,
        "description": "Allumer, toucher, écrire, prendre une photo. Venez avec votre tablette si vous en avez une : "
        "nous en prêtons aussi.",
        "days_from_now": 2,
        "hour": 14,
        "repeat_weeks": 3,
    },
    {
        "title": "Se protéger des arnaques en ligne",
        "themes": ["security", "email"],
        "level": "basics",
        "capacity": 10,
        "description": "Reconnaître un faux message, un faux site, un faux appel. Apportez votre téléphone.",
        "days_from_now": 5,
        "hour": 10,
        "repeat_weeks": 0,
    },
]


@transaction.atomic
def load_demo_workshops():
    """Returns how many workshops the demo has (existing or new)."""
    library = Organization.objects.get(name="Médiathèque Toussaint")
    if Workshop.objects.filter(organization=library).exists():
        return Workshop.objects.filter(organization=library).count()
    place = Place.objects.published().filter(organization=library).order_by("name").first()
    mediator = Membership.objects.filter(organization=library, role=Membership.Role.MEDIATOR).first().user
    today = timezone.localdate()
    for spec in WORKSHOPS:
        spec = dict(spec)
        day = today + datetime.timedelta(days=spec.pop("days_from_now"))
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(spec.pop("hour"))))
        workshops.create_workshop(
            organization=library, place=place, by=mediator, first_start=start, duration_minutes=120, **spec
        )
    return len(WORKSHOPS)
