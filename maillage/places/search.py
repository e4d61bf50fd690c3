"""Public search of help places: by need, around a commune (or a position), nearest first."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.places import hours, search_index
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS, PUBLICS, SPECIFIC_SUPPORT, SUPPORT_MODES

RADIUS_CHOICES_KM = (5, 10, 20, 50)
SATURDAY = 5


@dataclass
class Result:
    place_id: int
    distance_km: float
    latitude: float
    longitude: float
    place: Place | None = None
    opening: hours.OpeningStatus | None = None

    @property
    def distance_words(self):
        if self.distance_km < 1:
            return _("%(metres)s m away") % {"metres": max(50, int(round(self.distance_km * 1000, -1)))}
        return _("%(km)s km away") % {"km": f"{self.distance_km:.1f}".replace(".", ",")}


def search(
    latitude,
    longitude,
    radius_km,
    need=None,
    free=False,
    open_now=False,
    open_saturday=False,
    support_modes=(),
    specific_support=(),
    publics=(),
    moment=None,
):
    """Published places within ``radius_km``, nearest first: their ids and distances.

    Searched in the in-memory index (``search_index``); the places of the page shown are loaded
    afterwards by ``for_display``.
    """
    moment = moment or timezone.now()
    index = search_index.current()
    wanted_values = {
        "services": NEEDS[need][1] if need else (),
        "support_modes": [value for key in support_modes for value in SUPPORT_MODES[key][1]],
        "specific_support": [value for key in specific_support for value in SPECIFIC_SUPPORT[key][1]],
        "publics": [value for key in publics for value in PUBLICS[key][1]],
        "fees": ["Gratuit"] if free else (),
    }
    wanted = {
        position: index.wanted_mask(column, wanted_values[column])
        for position, column in enumerate(search_index.MASKED_COLUMNS)
        if wanted_values[column]
    }
    results = []
    for entry, distance in index.around(latitude, longitude, radius_km, wanted):
        if open_now and not hours.is_open(entry.opening_hours, moment, entry.postcode):
            continue
        if open_saturday and not hours.is_open_on_weekday(entry.opening_hours, SATURDAY, moment, entry.postcode):
            continue
        results.append(Result(entry.place_id, distance, entry.latitude, entry.longitude))
    results.sort(key=lambda result: (result.distance_km, result.place_id))
    return results


def for_display(results, moment=None):
    """Load the places of the results shown (a page) in one query, with whether they are open."""
    places = Place.objects.published().in_bulk([result.place_id for result in results])
    # A place unpublished since the index was built (by another process) is left out of the page.
    shown = [result for result in results if result.place_id in places]
    for result in shown:
        result.place = places[result.place_id]
        result.opening = hours.status(result.place.opening_hours, moment, result.place.postcode)
    return shown
