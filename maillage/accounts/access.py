"""Who may do what, asked the same way by every app: "the organisations where this user acts, with
which ability" (``organizations_of``), "may this user do this there". Roles map to abilities in one table
(``models.ROLES_ABLE_TO``); QuerySets filter with it (``Organization.objects.acted_in_by(user, ability)``,
``Membership.objects.acting(user, ability)``, ``User.objects.able_to(ability, organizations)``).

A stranger to an organisation gets a 404, never a hint that it exists; a member whose role does not
allow the action gets a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Ability, Membership, Organization

__all__ = ["Ability", "acts_as", "organization_as", "organization_for", "organizations_of", "user_can"]

REFUSED = {Ability.MANAGE: _("Only the organisation's administrators can do this.")}


def organizations_of(user, ability=Ability.READ, kind=None):
    """The organisations where ``user`` may do ``ability`` (of ``kind`` only, when given), by name."""
    found = Organization.objects.acted_in_by(user, ability).order_by("name", "pk")
    return found.of_kind(kind) if kind else found


def user_can(user, ability, organization):
    """Whether ``user`` may do ``ability`` in ``organization`` (an Organization or its id; None: no)."""
    if organization is None:
        return False
    organization_id = getattr(organization, "pk", organization)
    return Membership.objects.acting(user, ability).filter(organization_id=organization_id).exists()


def acts_as(user, kind, ability=Ability.READ):
    """Whether ``user`` may do ``ability`` in an organisation of ``kind`` (the coordination, a funder…)."""
    return organizations_of(user, ability, kind).exists()


def organization_as(user, kind, ability=Ability.READ):
    """The organisation of ``kind`` where ``user`` may do ``ability`` (the first by name): the
    coordination a member runs the scheme for, the funder an administrator orders for. 404 when none."""
    organization = organizations_of(user, ability, kind).first()
    if organization is None:
        raise Http404(f"Not a member of a {kind} able to {ability}.")
    return organization


def organization_for(user, organization_id, ability=Ability.READ):
    """The organisation ``organization_id`` for a page that needs ``ability`` there: 404 for a
    stranger, 403 for a member whose role does not allow it."""
    organization = Organization.objects.acted_in_by(user).filter(pk=organization_id).first()
    if organization is None:
        raise Http404("Not one of your organisations.")
    if ability != Ability.READ and not user_can(user, ability, organization):
        raise PermissionDenied(REFUSED.get(ability, _("Your role in this organisation does not allow this.")))
    return organization
