"""Many people registering for the last places at the same moment, and cancelling while others
register: the session never holds more than its places, and the waiting list keeps its order.

PostgreSQL only: SQLite serialises writers, so there is no race to lose there.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from maillage.activities import workshops
from maillage.activities.models import Registration, RegistrationStatus
from tests.accounts.factories import OrganizationFactory
from tests.places.factories import new_place
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 12


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")


def test_twelve_people_racing_for_three_places_get_three_places_and_nine_waits():
    library = OrganizationFactory(name="Médiathèque")
    workshop = workshops.create_workshop(
        organization=library,
        place=new_place(library),
        by=None,
        title="Tablette",
        themes=["equipment"],
        description="Venez.",
        capacity=3,
        first_start=timezone.now() + datetime.timedelta(days=2),
    )
    session = workshop.sessions.get()
    jobs = [
        lambda n=n: workshops.register(session, first_name=f"Personne {n}", email=f"p{n}@example.org")
        for n in range(PEOPLE)
    ]
    assert race(*jobs) == []
    statuses = list(Registration.objects.values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.REGISTERED) == 3 and statuses.count(RegistrationStatus.WAITING) == 9

    registered = list(Registration.objects.filter(status=RegistrationStatus.REGISTERED))
    late = [
        lambda n=n: workshops.register(session, first_name=f"Tard {n}", email=f"t{n}@example.org") for n in range(4)
    ]
    cancels = [lambda registration=registration: workshops.cancel(registration) for registration in registered]
    assert race(*late, *cancels) == []
    assert Registration.objects.filter(session=session, status=RegistrationStatus.REGISTERED).count() == 3
    # The first three who waited took the places, in the order they arrived.
    waited = list(
        Registration.objects.filter(first_name__startswith="Personne")
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("created_at", "pk")
        .values_list("status", flat=True)
    )
    assert waited[:3] == [RegistrationStatus.REGISTERED] * 3
