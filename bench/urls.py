"""The project's URLs plus the floor: an empty view behind the same middleware."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from maillage.urls import urlpatterns as project_urlpatterns


@login_not_required
def empty(request):
    return HttpResponse("")


@login_not_required
def empty_page(request):
    """The same layout with nothing in it: what any page of ours costs before doing anything."""
    return render(
        request,
        "pages/document.html",
        {"title": "Floor", "content_template": "components/messages.html", "content_language": "fr"},
    )


urlpatterns = [path("__floor__/", empty), path("__floor__/layout/", empty_page), *project_urlpatterns]
