"""Which places may take a request: near enough, offering the need, speaking the language,
providing the support. Ranked by distance and by how many open requests each already has."""

from dataclasses import dataclass

from django.db.models import Count, Q

from maillage.helprequests.models import HelpRequest, Status
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS, SPECIFIC_SUPPORT
from maillage.territory.distance import distance_km

# Ranking: each open request a place already has counts as this many kilometres further away.
LOAD_PENALTY_KM = 2
ENGLISH = "Langues étrangères (anglais)"
OTHER_LANGUAGES = "Langues étrangères (autres)"
SIGN_LANGUAGE_SUPPORT = "Surdité"


@dataclass
class Offer:
    place: Place
    distance_km: float
    load: int

    @property
    def rank(self):
        return self.distance_km + LOAD_PENALTY_KM * self.load


def _required_support(help_request):
    """The schema values a place must list in its specific support to serve this person."""
    required = {value for key in help_request.specific_support for value in SPECIFIC_SUPPORT.get(key, ("", []))[1]}
    language = help_request.language
    if language == "lsf":
        required.add(SIGN_LANGUAGE_SUPPORT)
    elif language == "en":
        required.add(ENGLISH)
    elif language:
        required.add(OTHER_LANGUAGES)
    return required


def can_serve(place, help_request, distance):
    if place.organization_id is None or distance > place.request_radius_km:
        return False
    services = NEEDS.get(help_request.need, ("", []))[1]
    if services and not set(services) & set(place.services):
        return False
    return _required_support(help_request) <= set(place.specific_support)


def _position(help_request):
    commune = help_request.commune
    return (commune.latitude, commune.longitude) if commune and commune.latitude is not None else None


def _place_position(place):
    if place.latitude is not None:
        return place.latitude, place.longitude
    commune = place.commune
    return (commune.latitude, commune.longitude) if commune and commune.latitude is not None else None


def _loads(place_ids):
    open_statuses = [Status.CLAIMED, Status.APPOINTMENT, Status.REFERRED]
    return dict(
        Place.objects.filter(pk__in=place_ids)
        .annotate(load=Count("help_requests", filter=Q(help_requests__status__in=open_statuses)))
        .values_list("pk", "load")
    )


def eligible_places(help_request):
    """The places that may take this request, best first."""
    position = _position(help_request)
    if position is None:
        return []
    candidates = []
    for place in Place.objects.published().filter(organization__isnull=False).select_related("commune"):
        place_position = _place_position(place)
        if place_position is None:
            continue
        distance = distance_km(*position, *place_position)
        if can_serve(place, help_request, distance):
            candidates.append((place, distance))
    loads = _loads([place.pk for place, _distance in candidates])
    offers = [Offer(place, distance, loads.get(place.pk, 0)) for place, distance in candidates]
    return sorted(offers, key=lambda offer: (offer.rank, offer.place.pk))


def _usable(places):
    positions = {place.pk: _place_position(place) for place in places}
    usable = [place for place in places if positions[place.pk] and place.status == Place.Status.PUBLISHED]
    return usable, positions


def _offers(help_request, places, positions, loads):
    position = _position(help_request)
    if position is None:
        return []
    offers = [
        Offer(place, distance, loads.get(place.pk, 0))
        for place in places
        if can_serve(place, help_request, distance := distance_km(*position, *positions[place.pk]))
    ]
    return sorted(offers, key=lambda offer: (offer.rank, offer.place.pk))


def offers_among(help_request, places):
    """Which of ``places`` may take this request, best first."""
    usable, positions = _usable(places)
    return _offers(help_request, usable, positions, _loads([place.pk for place in usable]))


def offers_for(places):
    """Requests waiting for a place that one of ``places`` may take: [(request, best offer)], oldest first."""
    usable, positions = _usable(places)
    loads = _loads([place.pk for place in usable])
    waiting = HelpRequest.objects.filter(status__in=[Status.NEW, Status.ESCALATED]).select_related("commune")
    waiting = waiting.prefetch_related("commune__postcodes")  # commune.label, without a query per request
    found = []
    for help_request in waiting.order_by("created_at"):
        offers = _offers(help_request, usable, positions, loads)
        if offers:
            found.append((help_request, offers[0]))
    return found
