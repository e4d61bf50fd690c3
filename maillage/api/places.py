"""GET /places (nearest first, around a position) and GET /places/{id}: the published places.

Each place is a row of standard-mediation-num v1.0.1 (``exports.standard_row``, the same as the
open data files), with the opening status in words and the address of its page on the site.
"""

import math
from typing import Literal

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import create_model

from maillage.api.errors import INVALID, answers
from maillage.places import exports, hours
from maillage.places.models import Place, PlaceSource
from maillage.places.schema import ENUMERATIONS, FIELDS
from maillage.places.search import for_display, search
from maillage.places.vocabulary import NEEDS

PAGE_SIZE = 20
MAX_RADIUS_KM = 100

# search() filters by need key (the words of the site's search). Every official service is the
# whole of one need (tests/api checks it), so any mix of services is searched need by need.
NEED_BY_SERVICE = {services[0]: key for key, (_label, services) in NEEDS.items() if len(services) == 1}
ServiceOrNeed = Literal[(*ENUMERATIONS["services"], *NEEDS)]

router = Router(tags=["places"])


# Schemas -----------------------------------------------------------------------------------------

_POSITION = {"latitude", "longitude"}

StandardPlace = create_model(
    "StandardPlace",
    __base__=Schema,
    __doc__="Every column of standard-mediation-num v1.0.1, as in the open data files.",
    **{column: (float | None, None) if column in _POSITION else (str, ...) for column in FIELDS},
)


class PlaceOut(StandardPlace):
    opening_status: str = Field(description="Whether the place is open now, in one sentence.")
    url: str = Field(description="The place's page on this site.")


class NearbyPlaceOut(PlaceOut):
    distance_km: float = Field(description="As the crow flies from the searched position.")


class PlacePage(Schema):
    count: int = Field(description="Places found in all pages.")
    page: int
    pages: int
    results: list[NearbyPlaceOut]


class PlaceFilters(Schema):
    lat: float = Field(ge=-90, le=90, description="Latitude of the searched position (WGS 84).")
    lon: float = Field(ge=-180, le=180, description="Longitude of the searched position (WGS 84).")
    radius_km: float = Field(10, gt=0, le=MAX_RADIUS_KM, description=f"At most {MAX_RADIUS_KM} km.")
    services: list[ServiceOrNeed] = Field(
        default_factory=list,
        description="Repeatable. Official service values of the standard, or need keys of the site's "
        "search (e.g. demarches, emails); a place offering any of them matches.",
    )
    free: bool = Field(False, description="Only places with free help (frais_a_charge Gratuit).")
    page: int = Field(1, ge=1)


# Views -------------------------------------------------------------------------------------------


def _place_out(request, place, opening):
    return {
        **exports.standard_row(place),
        "opening_status": opening.sentence,
        "url": request.build_absolute_uri(reverse("places:detail", kwargs={"place_id": place.pk})),
    }


def _search(filters):
    """search() takes one need at a time: one search per need wanted, merged, nearest first."""
    needs = list(dict.fromkeys(value if value in NEEDS else NEED_BY_SERVICE[value] for value in filters.services))
    merged = {}
    for need in needs or [None]:
        for result in search(filters.lat, filters.lon, filters.radius_km, need=need, free=filters.free):
            merged.setdefault(result.place_id, result)
    return sorted(merged.values(), key=lambda result: (result.distance_km, result.place_id))


@router.get(
    "/places", response={200: PlacePage, **INVALID, **answers(404)}, url_name="places_list", operation_id="list_places"
)
def places_list(request, filters: Query[PlaceFilters]):
    """Published places within `radius_km` of a position, nearest first, 20 a page."""
    results = _search(filters)
    pages = math.ceil(len(results) / PAGE_SIZE)
    if filters.page > max(pages, 1):
        raise HttpError(404, f"Page {filters.page} does not exist: there are {pages} pages of results.")
    shown = for_display(results[(filters.page - 1) * PAGE_SIZE : filters.page * PAGE_SIZE])
    prefetch_related_objects([result.place for result in shown], _sources())
    return {
        "count": len(results),
        "page": filters.page,
        "pages": pages,
        "results": [
            {**_place_out(request, result.place, result.opening), "distance_km": round(result.distance_km, 2)}
            for result in shown
        ],
    }


@router.get(
    "/places/{int:id}", response={200: PlaceOut, **answers(404)}, url_name="place_detail", operation_id="get_place"
)
def place_detail(request, id: int):
    """One published place (404 for any other)."""
    place = get_object_or_404(Place.objects.published().prefetch_related(_sources()), pk=id)
    return _place_out(request, place, hours.status(place.opening_hours, postcode=place.postcode))


def _sources():
    return Prefetch("sources", queryset=PlaceSource.objects.order_by("pk").only("pk", "place_id", "producer"))
