"""The shared worlds the harness walks: an organisation with one of everything its members can open
(the access matrix's and the crawler's), built through the apps' factories and services; and the
personas who visit them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from maillage.accounts.models import Ability, ApiToken, Invitation, Membership, Organization
from maillage.accounts.services import invitation_token
from maillage.activities import workshops
from maillage.helprequests import links
from maillage.places.models import Place, PlaceCorrection
from tests.activities.factories import new_person, new_record, new_workshop
from tests.helprequests.factories import new_request
from tests.passes.factories import passes_of
from tests.places.factories import helping_place


@dataclass
class OrganizationWorld:
    """An organisation with an admin, another member, a pending invitation, and one of each object its
    pages show: a place and a report on it, a help request, an API key, passes, an accompaniment, a
    person's record, a workshop registration."""

    organization: object
    admin: object
    member: object
    membership: object
    invitation: object
    invitation_token: str
    place: object
    correction: object
    help_request: object
    help_request_token: str
    api_token: object
    passes: object
    accompaniment: object
    person: object
    registration: object


def organization_world(organization):
    admin_membership = Membership.objects.able_to(Ability.MANAGE).of(organization).select_related("user").first()
    other = Membership.objects.of(organization).exclude(pk=admin_membership.pk).select_related("user").first()
    other = other or admin_membership
    admin = admin_membership.user
    place = Place.objects.filter(organization=organization).order_by("pk").first() or helping_place(organization)
    invitation = Invitation.objects.create(
        organization=organization, email=f"invited-{organization.pk}@example.org", role=Membership.Role.MEDIATOR
    )
    # A referrer's world has a person it sent: its pages show what became of them.
    referral = {"referrer_organization": organization, "referred_by": admin} if organization.is_referrer else {}
    help_request = new_request(place=place, **referral)
    session = new_workshop(
        organization,
        place,
        admin,
        capacity=8,
        first_start=timezone.now() + datetime.timedelta(days=1),
        title="Premiers pas sur la tablette",
        themes=["equipment"],
        description="Venez avec votre tablette.",
        duration_minutes=120,
    ).sessions.get()
    return OrganizationWorld(
        organization=organization,
        admin=admin,
        member=other.user,
        membership=other,
        invitation=invitation,
        invitation_token=invitation_token(invitation),
        place=place,
        correction=PlaceCorrection.objects.create(place=place, kind=PlaceCorrection.Kind.HOURS),
        help_request=help_request,
        help_request_token=links.token_for(help_request),
        api_token=ApiToken.issue(organization, admin, "Logiciel")[0],
        passes=passes_of(organization, place, admin),
        accompaniment=new_record(organization, admin, place=place, setting="place"),
        person=new_person(organization, admin),
        registration=workshops.register(session, first_name="Amina", phone="+33612345678"),
    )


def demo_world(name):
    """The world of one of the demo's organisations, by its name."""
    return organization_world(Organization.objects.get(name=name))


LIBRARY, CCAS = "Médiathèque Toussaint", "CCAS de Cholet"


@dataclass(frozen=True)
class Persona:
    user: str | None  # the demo account (its e-mail's local part); None: a person without an account
    world: str  # the demo organisation whose objects fill the pages' addresses: the pages it crawls


# Who visits. A new kind of user is one line here (and its demo account in accounts/demo.py).
PERSONAS = {
    "anonymous": Persona(None, LIBRARY),
    "admin": Persona("admin", LIBRARY),
    "mediator": Persona("mediateur", LIBRARY),
    "volunteer": Persona("benevole", LIBRARY),
    "viewer": Persona("observateur", LIBRARY),
    "coordination": Persona("coordination", LIBRARY),  # runs the Pass numérique and the phone line for all
    "funder": Persona("financeur", LIBRARY),  # funds the library's programme: its figures
    "referrer": Persona("ccas", CCAS),  # its own organisation, the people it sent
    "distributor": Persona("accueil", CCAS),  # hands out its organisation's booklets
}
