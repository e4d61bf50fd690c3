"""The public directory (search, place pages) and its open data (Licence Ouverte 2.0)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from maillage import formatting
from maillage.places import exports, hours, sections, services
from maillage.places.forms import CorrectionForm, PlaceEditForm, PlaceSearchForm
from maillage.places.models import Place, PlaceCorrection
from maillage.places.search import RADIUS_CHOICES_KM, for_display, search
from maillage.places.vocabulary import NEEDS
from maillage.ratelimit import rate_limited

# Files are built on each download; a shared cache may keep one for a while.
FILE_CACHE_SECONDS = 60 * 60


@login_not_required
@require_safe
def open_data(request):
    return render(request, "places/open_data.html", {"place_count": Place.objects.published().count()})


@login_not_required
@require_safe
@cache_control(public=True, max_age=FILE_CACHE_SECONDS)
def open_data_file(request, name):
    """One of the files of ``exports.OPEN_DATA_FILES``, streamed: built on each download."""
    file = exports.OPEN_DATA_FILES[name]
    response = StreamingHttpResponse(file.chunks(), content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file.filename)
    return response


# Directory ---------------------------------------------------------------------------------------

RESULTS_PER_PAGE = 10


def _wider_radius(radius):
    return next((km for km in RADIUS_CHOICES_KM if km > radius), None)


@login_not_required
def place_search(request):
    # A link that only names a need (the home page's) opens the search with it chosen, without errors.
    if set(request.GET) <= {"need"}:
        form = PlaceSearchForm(initial={"need": request.GET.get("need", "")})
    else:
        form = PlaceSearchForm(request.GET)
    context = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        latitude, longitude, origin_label = form.origin()
        arguments = form.search_arguments()
        results = search(latitude, longitude, **arguments)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = for_display(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        wider = _wider_radius(arguments["radius_km"])
        if wider:
            widened = query.copy()
            widened["radius"] = wider
        context |= {
            "searched": True,
            "page": page,
            "origin_label": origin_label,
            "radius_km": arguments["radius_km"],
            "query": query.urlencode(),
            "wider_radius": wider,
            "wider_query": widened.urlencode() if wider else "",
            "need": arguments["need"] or "",
        }
        if settings.MAP_TILES_URL:
            context |= {"map_tiles_url": settings.MAP_TILES_URL, "map_attribution": settings.MAP_TILES_ATTRIBUTION}
            context["map_points"] = [
                {
                    "name": result.place.name,
                    "lat": result.latitude,
                    "lon": result.longitude,
                    "url": reverse("places:detail", kwargs={"place_id": result.place_id}),
                }
                for result in page.object_list
            ]
    return render(request, "places/search.html", context)


@login_not_required
def place_detail(request, place_id):
    place = get_object_or_404(Place.objects.published().select_related("commune"), pk=place_id)
    need = request.GET.get("need", "")
    # "Be called back", prefilled with the place (when someone answers there) and the need searched for.
    callback = {"need": need} if need in NEEDS else {}
    if Place.objects.taking_requests().filter(pk=place.pk).exists():
        callback["place"] = place.pk
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "callback_query": urlencode(callback),
            "opening": hours.status(place.opening_hours, postcode=place.postcode),
            "week": hours.week(place.opening_hours, postcode=place.postcode),
            "stale": services.is_stale(place),
            "sections": sections.sections_for(place),
        },
    )


# Keeping listings true -------------------------------------------------------------------------


def my_places(request):
    places = Place.objects.acted_at_by(request.user).exclude(status=Place.Status.ARCHIVED).order_by("name")
    corrections = PlaceCorrection.objects.visible_to(request.user).open().select_related("place")
    return render(
        request,
        "places/my_places.html",
        {
            "places": [(place, services.is_stale(place)) for place in places],
            "corrections": corrections,
        },
    )


def place_edit(request, place_id):
    place = get_object_or_404(Place.objects.acted_at_by(request.user), pk=place_id)
    form = PlaceEditForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        services.update_listing(form.instance, form.changed_data)
        messages.success(request, _("The listing is saved. Thank you for keeping it true."))
        return redirect("places:mine")
    return render(request, "places/edit.html", {"place": place, "form": form})


@require_POST
def place_confirm(request, place_id):
    place = get_object_or_404(Place.objects.acted_at_by(request.user), pk=place_id)
    services.confirm_still_true(place)
    messages.success(
        request, _("Thank you: %(place)s is marked as true today.") % {"place": formatting.after_de(place.name)}
    )
    return redirect("places:mine")


@require_POST
def correction_resolve(request, correction_id):
    correction = get_object_or_404(PlaceCorrection.objects.visible_to(request.user).open(), pk=correction_id)
    services.resolve_correction(correction, by=request.user)
    messages.success(request, _("The report is marked as handled."))
    return redirect("places:mine")


@login_not_required
def place_report_thanks(request, place_id):
    place = get_object_or_404(Place.objects.published(), pk=place_id)
    return render(request, "places/report_thanks.html", {"place": place})


@login_not_required
@rate_limited("place_correction", limit=5, period_seconds=60 * 60)
def place_report(request, place_id):
    place = get_object_or_404(Place.objects.published(), pk=place_id)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_spam():
            services.report_correction(
                place, form.cleaned_data["kind"], form.cleaned_data["message"], form.cleaned_data["reporter_contact"]
            )
        return redirect("places:report_thanks", place_id=place.pk)  # a refresh does not send it twice
    return render(request, "places/report.html", {"place": place, "form": form})
