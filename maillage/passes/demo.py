"""The demo territory's Pass numérique: the Département funds a programme whose passes the CCAS and
the Médiathèque hand out and the places of the Médiathèque, the association and the CCAS take. Made once."""

from django.db import transaction
from django.utils import timezone

from maillage.accounts.models import Membership, Organization
from maillage.passes import services
from maillage.passes.models import PassProgram, Public, Service
from maillage.places.models import Place
from maillage.territory.models import Commune

PROGRAM_NAME = "Pass numérique Maine-et-Loire 2026-2027"


def _admin(organization):
    return Membership.objects.filter(organization=organization, role=Membership.Role.ADMIN).first().user


def load_demo_passes():
    """Returns the demo programme (existing or new)."""
    existing = PassProgram.objects.filter(name=PROGRAM_NAME).first()
    if existing is not None:
        return existing
    funder = Organization.objects.get(name="Département de Maine-et-Loire")
    coordination = Organization.objects.get(name="Coordination numérique du Maine-et-Loire")
    ccas = Organization.objects.get(name="CCAS de Cholet")
    library = Organization.objects.get(name="Médiathèque Toussaint")
    # Every demo place operator's places: a booklet handed out in Cholet lists the CCAS's, near it.
    places = Place.objects.published().filter(
        organization__in=[library, ccas, *Organization.objects.filter(name="Association Les Connectés du Saumurois")]
    )
    today = timezone.localdate()
    with transaction.atomic():
        program = services.create_program(
            funder=funder,
            by=None,
            name=PROGRAM_NAME,
            face_value_cents=1000,
            minutes_per_pass=60,
            department_codes=["49"],
            target_publics=[Public.SENIORS, Public.JOB_SEEKERS, Public.LOW_INCOME],
            service_costs={Service.INDIVIDUAL: 1, Service.WORKSHOP: 1, Service.COURSE: 3},
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(year=today.year + 1, month=12, day=31),
            qualified_places=places,
        )
        coordinator = _admin(coordination)
        paid = services.order_passes(program, pass_count=100, booklet_size=10, by=None, funder_reference="BC-2026-17")
        services.mark_order_paid(paid, by=coordinator)
        services.order_passes(program, pass_count=50, booklet_size=5, by=None, funder_reference="BC-2026-31")
        cholet, angers = Commune.objects.filter(pk="49099").first(), Commune.objects.filter(pk="49007").first()
        services.assign_booklets(paid, distributor=ccas, count=3, by=coordinator, commune=cholet)
        first, *_others = services.assign_booklets(paid, distributor=library, count=2, by=coordinator, commune=angers)
        services.hand_out(
            first, distributor=library, by=_admin(library), commune=angers, age_band="60_74", public=Public.SENIORS
        )
    return program
