"""The public pages that belong to no app: home, accessibility statement, legal notice, privacy."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string, select_template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from maillage.context_processors import territory_help
from maillage.places.vocabulary import NEEDS, label

# Long legal texts are written whole in each language rather than cut into translation strings.
DOCUMENT_PAGES = {
    "accessibility": _("Accessibility statement"),
    "legal_notice": _("Legal notice"),
    "privacy": _("Personal data"),
}


# The needs the home page names, each a link to the places that help with it.
HOME_NEEDS = ("demarches", "telephone", "ordinateur", "emails", "arnaques")


@login_not_required
def home(request):
    needs = [(key, label(NEEDS, key)) for key in HOME_NEEDS]
    return render(request, "home.html", {"needs": needs})


def _document_page(request, name):
    content = select_template([f"pages/content/{name}.{get_language()}.html", f"pages/content/{name}.fr.html"])
    return render(
        request,
        "pages/document.html",
        {
            "title": DOCUMENT_PAGES[name],
            "content_template": content.template.name,
            "content_language": content.template.name.rsplit(".", 2)[-2],
            "operator": settings.SITE_OPERATOR,
        },
    )


@login_not_required
def accessibility(request):
    return _document_page(request, "accessibility")


@login_not_required
def legal_notice(request):
    return _document_page(request, "legal_notice")


@login_not_required
def privacy(request):
    return _document_page(request, "privacy")


def server_error(request):
    """The 500 page stands alone (no base layout, nothing that could fail again) but keeps the help line."""
    try:
        context = territory_help(request)
    except Exception:  # the help line is a bonus here; the page must render whatever broke
        context = {}
    return HttpResponseServerError(render_to_string("500.html", context))
