"""One access vocabulary (maillage/accounts/access.py): roles map to abilities in one table, and every
app asks for an ability, never for a role."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from maillage.accounts.access import Ability, acts_as, organization_as, organization_for, organizations_of, user_can
from maillage.accounts.models import ROLES_ABLE_TO, Membership, Organization, User

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

ROLE = Membership.Role
PACKAGE = Path(__file__).resolve().parents[2] / "maillage"


def test_each_role_does_what_the_table_says():
    assert {ability: {str(role) for role in roles} for ability, roles in ROLES_ABLE_TO.items()} == {
        Ability.READ: {"admin", "mediator", "volunteer", "viewer"},
        Ability.ACT: {"admin", "mediator", "volunteer"},
        Ability.RECEIVE_ALERTS: {"admin", "mediator"},
        Ability.MANAGE: {"admin"},
    }


@pytest.mark.parametrize(
    ("local_part", "abilities"),
    [
        ("admin", {Ability.READ, Ability.ACT, Ability.RECEIVE_ALERTS, Ability.MANAGE}),
        ("mediateur", {Ability.READ, Ability.ACT, Ability.RECEIVE_ALERTS}),
        ("benevole", {Ability.READ, Ability.ACT}),
        ("observateur", {Ability.READ}),
    ],
)
def test_a_member_is_able_in_their_organisation_only(demo, library, ccas, local_part, abilities):
    user = demo.user(local_part)
    assert {ability for ability in Ability if user_can(user, ability, library)} == abilities
    assert {ability for ability in Ability if user_can(user, ability, library.pk)} == abilities
    assert not any(user_can(user, ability, ccas) for ability in Ability)
    assert list(organizations_of(user)) == [library]
    assert user.requires_two_factor == (Ability.ACT in abilities), "whoever sees personal data uses a second factor"


def test_people_outside_find_nothing(demo, library, client):
    anonymous = client.get("/").wsgi_request.user
    assert not organizations_of(anonymous).exists() and not user_can(anonymous, Ability.READ, library)
    assert not user_can(demo.user("admin"), Ability.READ, None)


def test_a_stranger_gets_a_404_and_a_member_without_the_ability_a_403(demo, library):
    assert organization_for(demo.user("admin"), library.pk, Ability.MANAGE) == library
    assert organization_for(demo.user("observateur"), library.pk) == library
    with pytest.raises(PermissionDenied):
        organization_for(demo.user("mediateur"), library.pk, Ability.MANAGE)
    with pytest.raises(Http404):
        organization_for(demo.user("association"), library.pk)


def test_acting_as_a_kind_of_organisation(demo):
    coordination = Organization.objects.get(is_coordinator=True)
    coordinator = demo.user("coordination")
    assert acts_as(coordinator, Organization.Kind.COORDINATOR, Ability.MANAGE)
    assert not acts_as(demo.user("admin"), Organization.Kind.COORDINATOR)
    assert organization_as(coordinator, Organization.Kind.COORDINATOR, Ability.MANAGE) == coordination
    with pytest.raises(Http404):
        organization_as(demo.user("financeur"), Organization.Kind.FUNDER, Ability.MANAGE)  # a viewer orders nothing


def test_messages_go_to_active_members_able_to_receive_them(demo, library):
    alerted = set(User.objects.able_to(Ability.RECEIVE_ALERTS, [library]).values_list("email", flat=True))
    assert alerted == {demo.user("admin").email, demo.user("mediateur").email}
    User.objects.filter(email=demo.user("mediateur").email).update(is_active=False)
    assert not User.objects.able_to(Ability.ACT, [library]).filter(email=demo.user("mediateur").email).exists()


def test_no_app_asks_for_a_role_by_name():
    """Roles are read in accounts only (the table, the forms that set them, the demo's accounts)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "accounts" or "migrations" in relative.parts or relative.name == "demo.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"Role", "role", "member_role"}:
                found.append(f"{relative}:{node.lineno}")
            elif isinstance(node, ast.keyword) and node.arg and "role" in node.arg.split("__"):
                found.append(f"{relative}:{node.value.lineno}")
    assert not found, "ask accounts.access for an ability instead of a role:\n" + "\n".join(found)
