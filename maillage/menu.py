"""The main menu: one line an entry, with the pages it is the current entry for.

A page marks at most one entry as current (``aria-current="page"``): the entry that names the page's
view exactly, else the one that covers its app's namespace (``"passes:"``). A new app adds its line
here, and tests/test_menu.py checks every page of the URL conf against the table.

Members see the entries their organisations' kinds use (a funder has no help requests to answer),
and none before their second factor, when they need one: the menu is not a map of what a password
alone opens.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

EVERYONE, MEMBERS, VISITORS = "everyone", "members", "visitors"
# Organisation kinds (accounts.models.Organization.Kind), by the pages they use.
PLACES, REFERRERS, FUNDERS, COORDINATION, DISTRIBUTORS = (
    "place_operator",
    "referrer",
    "funder",
    "coordinator",
    "pass_distributor",
)


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    covers: tuple  # view names ("places:search") and app namespaces ("passes:") it is current for
    shown_to: str = EVERYONE
    kinds: tuple = ()  # for members: shown to those of an organisation of one of these kinds (none: all)


MENU = [
    Entry(_("Home"), "home", ("home",)),
    Entry(
        _("Find a place"),
        "places:search",
        ("places:search", "places:detail", "places:report", "places:report_thanks", "places:open_data"),
    ),
    Entry(
        _("Workshops"),
        "activities:workshop_search",
        ("activities:workshop_search", "activities:workshop_session", "activities:registration"),
    ),
    Entry(_("My space"), "accounts:dashboard", ("accounts:",), MEMBERS),
    Entry(_("Help requests"), "helprequests:inbox", ("helprequests:",), MEMBERS, (PLACES, REFERRERS, COORDINATION)),
    # Anyone who meets people records their accompaniments (a CCAS's desk, the coordination's phone line).
    Entry(
        _("My week"), "activities:my_week", ("activities:",), MEMBERS, (PLACES, REFERRERS, COORDINATION, DISTRIBUTORS)
    ),
    Entry(_("Pass numérique"), "passes:hub", ("passes:",), MEMBERS, (PLACES, FUNDERS, COORDINATION, DISTRIBUTORS)),
    Entry(_("My places"), "places:mine", ("places:mine", "places:edit"), MEMBERS, (PLACES,)),
    Entry(
        _("Security"),
        "accounts:security",
        (
            "accounts:security",
            "accounts:two_factor_setup",
            "accounts:two_factor_verify",
            "accounts:recovery_codes_renew",
            "accounts:password_change",
            "accounts:password_change_done",
        ),
        MEMBERS,
    ),
    Entry(
        _("Professional login"),
        "accounts:login",
        (
            "accounts:login",
            "accounts:password_reset",
            "accounts:password_reset_done",
            "accounts:password_reset_confirm",
            "accounts:password_reset_complete",
        ),
        VISITORS,
    ),
]


def current_entry(view_name):
    """The entry a page of ``view_name`` marks as current, or None."""
    exact = [entry for entry in MENU if view_name in entry.covers]
    if exact:
        return exact[0]
    namespace = view_name.rsplit(":", 1)[0] + ":" if ":" in view_name else None
    return next((entry for entry in MENU if namespace in entry.covers), None)


def menu(request):
    """The context processor: the entries shown to this visitor, each with its link and whether it is current."""
    match = getattr(request, "resolver_match", None)
    current = current_entry(match.view_name) if match else None
    user = request.user
    member = user.is_authenticated
    shown = [entry for entry in MENU if entry.shown_to == EVERYONE or (entry.shown_to == MEMBERS) == member]
    if member:
        if not user.is_verified() and user.requires_two_factor:
            shown = [entry for entry in shown if entry.shown_to == EVERYONE]
        else:
            kinds = user.organization_kinds()
            shown = [entry for entry in shown if not entry.kinds or user.is_staff or kinds & set(entry.kinds)]
    return {
        "menu": [{"label": entry.label, "url": reverse(entry.url_name), "current": entry == current} for entry in shown]
    }
