"""The main menu marks the page's own entry, and only that one (maillage/menu.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.menu import MEMBERS, MENU, VISITORS, current_entry
from tests.conftest import verified_session
from tests.url_inventory import all_routes

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')


def test_each_entry_is_the_current_one_on_its_own_page():
    assert all(current_entry(entry.url_name) == entry for entry in MENU)


@pytest.mark.parametrize(
    ("view_name", "label"),
    [
        ("activities:mine", "My week"),  # was "My week" and "My places" at once: both were named "mine"
        ("places:mine", "My places"),
        ("activities:workshop_session", "Workshops"),
        ("activities:person", "My week"),
        ("passes:till", "Pass numérique"),
        ("accounts:organization_detail", "My space"),
        ("accounts:two_factor_verify", "Security"),
        ("helprequests:detail", "Help requests"),
    ],
)
def test_a_page_belongs_to_the_entry_of_its_section(view_name, label):
    with translation.override("en"):
        assert str(current_entry(view_name).label) == label


def test_every_route_has_at_most_one_entry_and_members_pages_a_members_entry():
    for route in all_routes():
        entry = current_entry(route.name)
        if entry is not None and not route.is_public:
            assert entry.shown_to != VISITORS, f"{route.name} is for members, its entry for visitors"


@pytest.mark.parametrize("path", ["/activites/", "/lieux/mes-lieux/", "/ma-semaine/", "/pass-numerique/"])
def test_a_page_shows_exactly_one_current_entry(client, demo, path):
    html = verified_session(client, demo.user("mediateur")).get(path).content.decode()
    menu = html.split('<ul class="menu">')[1].split("</ul>")[0]
    assert CURRENT.findall(menu) == [path if path != "/activites/" else reverse("activities:my_week")]


def test_visitors_see_the_public_entries_and_members_theirs(client, demo):
    visitor = client.get("/").content.decode().split('<ul class="menu">')[1].split("</ul>")[0]
    assert all(reverse(entry.url_name) not in visitor for entry in MENU if entry.shown_to == MEMBERS)


def _menu_of(session):
    return session.get("/compte/").content.decode().split('<ul class="menu">')[1].split("</ul>")[0]


@pytest.mark.parametrize(
    ("local_part", "shown", "hidden"),
    [
        ("financeur", ["/pass-numerique/"], ["/demandes/", "/ma-semaine/", "/lieux/mes-lieux/"]),
        ("ccas", ["/demandes/", "/pass-numerique/", "/ma-semaine/", "/lieux/mes-lieux/"], []),  # it has a place
        ("coordination", ["/demandes/", "/pass-numerique/", "/ma-semaine/"], ["/lieux/mes-lieux/"]),
        ("programmes", ["/pass-numerique/"], ["/demandes/", "/ma-semaine/", "/lieux/mes-lieux/"]),
        ("mediateur", ["/demandes/", "/ma-semaine/", "/pass-numerique/", "/lieux/mes-lieux/"], []),
    ],
)
def test_members_see_the_entries_their_organisations_kinds_use(client, demo, local_part, shown, hidden):
    menu = _menu_of(verified_session(client, demo.user(local_part)))
    assert all(f'href="{path}"' in menu for path in shown), menu
    assert not [path for path in hidden if f'href="{path}"' in menu], menu


def test_no_member_entry_is_shown_before_the_second_factor(client, demo):
    from tests.accounts.factories import with_second_factor

    user = demo.user("mediateur")
    with_second_factor(user)
    client.force_login(user)  # a password only: the second factor is still to come
    html = client.get(reverse("accounts:two_factor_verify")).content.decode()
    menu = html.split('<ul class="menu">')[1].split("</ul>")[0]
    assert all(reverse(entry.url_name) not in menu for entry in MENU if entry.shown_to == MEMBERS), menu
    assert "Se déconnecter" in menu
