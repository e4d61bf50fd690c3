"""Every non-public URL refuses anonymous people and members of other organisations.

The routes come from the URL conf (tests/url_inventory.py): a new view without protection
fails here without anyone having to remember to add a test.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from tests.conftest import verified_session
from tests.url_inventory import PUBLIC_URL_NAMES, all_routes, url_for

ROUTES = all_routes()
PROTECTED_ROUTES = [route for route in ROUTES if not route.is_public]
ORGANIZATION_ARGUMENTS = {
    "organization_id",
    "membership_id",
    "invitation_id",
    "place_id",
    "correction_id",
    "request_id",
    "program_id",
    "order_id",
    "booklet_id",
    "redemption_id",
    "payout_id",
    "record_id",
    "person_id",
    "session_id",
    "registration_id",
}
ORGANIZATION_ROUTES = [route for route in PROTECTED_ROUTES if ORGANIZATION_ARGUMENTS & set(route.arguments)]
NESTED_OBJECT_ROUTES = [route for route in ORGANIZATION_ROUTES if set(route.arguments) - {"organization_id"}]
# A GET on a POST-only action answers 405 before any lookup: a refusal that reveals nothing.
REFUSED_GET = (403, 404, 405)


# The worlds are built once for the module (each test runs in a savepoint): 250 tests, one build.
pytestmark = pytest.mark.django_db


@pytest.fixture
def library(module_worlds):
    return module_worlds.library


@pytest.fixture
def demo(module_worlds):
    return module_worlds.demo


@pytest.fixture
def outsider(demo, client):
    """The administrator of another organisation, fully logged in."""
    return verified_session(client, demo.user("association"))


def _is_refused(response):
    if response.status_code in (403, 404):
        return True
    login_url = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login_url)


def test_public_pages_are_exactly_the_declared_ones():
    public = {route.name for route in ROUTES if route.is_public}
    assert public == PUBLIC_URL_NAMES, "A view became public (or stopped being): update PUBLIC_URL_NAMES knowingly."


def test_every_route_can_be_reached_with_sample_arguments(library):
    for route in ROUTES:
        assert url_for(route, library).startswith("/")


@pytest.mark.parametrize("route", PROTECTED_ROUTES, ids=lambda route: route.name)
def test_anonymous_person_is_sent_to_login(route, library, client):
    url = url_for(route, library)
    for response in (client.get(url), client.post(url)):
        assert _is_refused(response), f"{route.name} answered {response.status_code} to an anonymous person"


@pytest.mark.parametrize("route", ORGANIZATION_ROUTES, ids=lambda route: route.name)
def test_member_of_another_organization_cannot_open_or_change_anything(route, library, outsider):
    url = url_for(route, library)
    role_before = library.membership.role
    assert outsider.get(url).status_code in REFUSED_GET, f"{route.name} opened to an outsider"
    assert outsider.post(url, {"role": "admin", "remove": "1"}).status_code in (403, 404), (
        f"{route.name} acted for an outsider"
    )
    library.membership.refresh_from_db()
    assert library.membership.role == role_before


@pytest.mark.parametrize("route", NESTED_OBJECT_ROUTES, ids=lambda route: route.name)
def test_objects_of_another_organization_cannot_be_reached_through_ones_own(route, library, module_worlds, client):
    """Mixing one's own organisation id with another organisation's member or invitation id fails."""
    own = module_worlds.association
    association_admin = own.admin
    url = url_for(route, library).replace(
        f"/structures/{library.organization.pk}/", f"/structures/{own.organization.pk}/", 1
    )
    verified_session(client, association_admin)
    assert client.get(url).status_code in (404, 405), f"{route.name} showed another organisation's object"
    assert client.post(url, {"role": "viewer"}).status_code == 404, (
        f"{route.name} changed another organisation's object"
    )


ADMIN_ONLY = [
    "accounts:organization_edit",
    "accounts:member_invite",
    "accounts:member_edit",
    "accounts:organization_journal",
    "accounts:invitation_revoke",
    "accounts:api_keys",
    "accounts:api_key_revoke",
]


@pytest.mark.parametrize("route_name", ADMIN_ONLY)
@pytest.mark.parametrize("local_part", ["mediateur", "benevole", "observateur"])
def test_members_who_are_not_administrators_cannot_manage_the_organization(
    route_name, local_part, library, demo, client
):
    route = next(route for route in ROUTES if route.name == route_name)
    verified_session(client, demo.user(local_part))
    url = url_for(route, library)
    assert client.get(url).status_code in (403, 405), f"{route_name} opened to a {local_part}"
    assert client.post(url, {"role": "admin"}).status_code == 403, f"{route_name} acted for a {local_part}"
