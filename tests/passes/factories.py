"""A small Pass numérique world: a funder, the coordination, a distributor, a place operator and its place."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from maillage.accounts.models import Membership, Organization
from maillage.passes import services
from maillage.passes.models import Service
from tests.accounts.factories import MembershipFactory, OrganizationFactory
from tests.places.factories import new_place


@dataclass
class PassWorld:
    funder: object
    coordination: object
    distributor: object
    operator: object
    place: object
    funder_member: object
    coordinator: object
    distributor_member: object
    mediator: object
    program: object


def pass_world(*, minutes_per_pass=60, service_costs=None, starts_on=None, ends_on=None, **program_fields):
    funder = OrganizationFactory(name="Département", is_place_operator=False, is_funder=True)
    coordination = OrganizationFactory(name="Coordination", is_place_operator=False, is_coordinator=True)
    distributor = OrganizationFactory(name="CCAS", is_place_operator=False, is_pass_distributor=True)
    operator = OrganizationFactory(name="Médiathèque")
    place = new_place(operator, address="", postcode="49100", updated_on=timezone.localdate())
    today = timezone.localdate()
    program = services.create_program(
        funder=funder,
        by=None,
        name="Pass numérique 2026",
        minutes_per_pass=minutes_per_pass,
        service_costs=service_costs or {Service.INDIVIDUAL: 1, Service.WORKSHOP: 1, Service.COURSE: 3},
        starts_on=starts_on or today - datetime.timedelta(days=30),
        ends_on=ends_on or today + datetime.timedelta(days=200),
        qualified_places=[place],
        **program_fields,
    )
    role = Membership.Role
    return PassWorld(
        funder=funder,
        coordination=coordination,
        distributor=distributor,
        operator=operator,
        place=place,
        funder_member=MembershipFactory(organization=funder, role=role.VIEWER).user,
        coordinator=MembershipFactory(organization=coordination, role=role.ADMIN).user,
        distributor_member=MembershipFactory(organization=distributor, role=role.MEDIATOR).user,
        mediator=MembershipFactory(organization=operator, role=role.MEDIATOR).user,
        program=program,
    )


def handed_out_booklet(world, *, pass_count=10, booklet_size=10, paid=True):
    """An order of the world's programme, paid, its first booklet handed out to one person."""
    order = services.order_passes(
        world.program, pass_count=pass_count, booklet_size=booklet_size, by=world.funder_member
    )
    if paid:
        services.mark_order_paid(order, by=world.coordinator)
    booklet = services.assign_booklets(order, distributor=world.distributor, count=1, by=world.coordinator)[0]
    services.hand_out(booklet, distributor=world.distributor, by=world.distributor_member)
    return booklet


@dataclass
class PassSamples:
    program: object
    order: object
    booklet: object
    redemption: object
    payout: object


def passes_of(organization, place, member):
    """A paid order of a programme that qualifies the place; a booklet with the organisation (made a
    distributor), two passes used at the place, one of them already in a statement."""
    funder = Organization.objects.filter(is_funder=True).first() or Organization.objects.create(
        name="Financeur", is_funder=True
    )
    if not organization.is_pass_distributor:
        Organization.objects.filter(pk=organization.pk).update(is_pass_distributor=True)
        organization.refresh_from_db()
    today = timezone.localdate()
    program = services.create_program(
        funder=funder,
        by=None,
        name=f"Pass numérique de {organization.name}",
        minutes_per_pass=60,
        service_costs={"individual": 1, "workshop": 1},
        starts_on=today.replace(day=1),
        ends_on=today.replace(year=today.year + 1),
        qualified_places=[place],
        department_codes=["49"],
    )
    order = services.order_passes(program, pass_count=10, booklet_size=5, by=None)
    services.mark_order_paid(order, by=None)
    booklet, handed = services.assign_booklets(order, distributor=organization, count=2, by=None)
    services.hand_out(handed, distributor=organization, by=member)
    passes = list(handed.passes.order_by("position"))
    services.redeem(passes[0].code, place=place, service="individual", by=member)  # then in the statement
    payout = next(payout for payout in services.create_payouts(today) if payout.place_id == place.pk)
    redemption, _ = services.redeem(passes[1].code, place=place, service="workshop", by=member)
    return PassSamples(program=program, order=order, booklet=booklet, redemption=redemption, payout=payout)


def with_bank_details(organization, holder, iban, bic=""):
    """The account the organisation is paid to (or pays from), as its administrator types it."""
    services.set_bank_details(organization, holder=holder, iban=iban, bic=bic, by=None)
    return organization
