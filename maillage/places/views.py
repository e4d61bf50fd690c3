"""The public directory (search, place pages) and its open data (Licence Ouverte 2.0)."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from maillage.places import exports, hours
from maillage.places.forms import PlaceSearchForm
from maillage.places.models import Place
from maillage.places.search import RADIUS_CHOICES_KM, for_display, search

# Files are built on each download; a shared cache may keep one for a while.
FILE_CACHE_SECONDS = 60 * 60


@login_not_required
@require_safe
def open_data(request):
    return render(request, "places/open_data.html", {"place_count": Place.objects.published().count()})


def _download(chunks, content_type, filename):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _open_file(view):
    return login_not_required(require_safe(cache_control(public=True, max_age=FILE_CACHE_SECONDS)(view)))


@_open_file
def places_csv(request):
    chunks = exports.csv_chunks(exports.standard_rows())
    return _download(chunks, "text/csv; charset=utf-8", "lieux-mediation-numerique.csv")


@_open_file
def places_json(request):
    chunks = exports.json_chunks(exports.standard_rows())
    return _download(chunks, "application/json", "lieux-mediation-numerique.json")


@_open_file
def places_geojson(request):
    chunks = exports.geojson_chunks(exports.standard_rows())
    return _download(chunks, "application/geo+json", "lieux-mediation-numerique.geojson")


@_open_file
def data_inclusion_structures(request):
    chunks = exports.json_array_chunks(exports.di_structures())
    return _download(chunks, "application/json", "data-inclusion-structures.json")


@_open_file
def data_inclusion_services(request):
    chunks = exports.json_array_chunks(exports.di_services())
    return _download(chunks, "application/json", "data-inclusion-services.json")


# Directory ---------------------------------------------------------------------------------------

RESULTS_PER_PAGE = 10


def _wider_radius(radius):
    return next((km for km in RADIUS_CHOICES_KM if km > radius), None)


@login_not_required
def place_search(request):
    form = PlaceSearchForm(request.GET or None)
    context = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        latitude, longitude, origin_label = form.origin()
        arguments = form.search_arguments()
        results = search(latitude, longitude, **arguments)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        for_display(page.object_list)
        query = request.GET.copy()
        query.pop("page", None)
        wider = _wider_radius(arguments["radius_km"])
        if wider:
            widened = query.copy()
            widened["radius"] = wider
        context.update(
            searched=True,
            page=page,
            origin_label=origin_label,
            radius_km=arguments["radius_km"],
            query=query.urlencode(),
            wider_radius=wider,
            wider_query=widened.urlencode() if wider else "",
        )
    return render(request, "places/search.html", context)


@login_not_required
def place_detail(request, place_id):
    place = get_object_or_404(Place.objects.published().select_related("commune"), pk=place_id)
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "opening": hours.status(place.opening_hours),
            "week": hours.week(place.opening_hours),
        },
    )
