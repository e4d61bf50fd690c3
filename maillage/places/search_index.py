"""The published places kept in memory for the public search: positions on a grid, criteria as bit masks.

Reading thousands of rows (and decoding their JSON lists) for every search cost 20–25 ms around a
big city; the same search in memory costs a few. The index is rebuilt when the directory changes:
any save or delete of a place (signals) and every import bump a revision kept in the cache, which
every process compares with the one its index was built from. A process whose cache is not shared
(the local-memory default) sees other processes' changes at the latest after MAX_AGE_SECONDS.
"""

import math
import threading
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from maillage.territory.distance import EARTH_RADIUS_KM

REVISION_KEY = "places:search-index-revision"
MAX_AGE_SECONDS = 300
CELL_DEGREES = 0.1

# Criteria columns of Place kept as bit masks, one vocabulary per column.
MASKED_COLUMNS = ("services", "support_modes", "specific_support", "publics", "fees")


@dataclass(frozen=True, slots=True)
class Entry:
    place_id: int
    latitude: float
    longitude: float
    masks: tuple  # one int per MASKED_COLUMNS
    opening_hours: str
    postcode: str


class DirectoryIndex:
    def __init__(self, rows):
        self.vocabularies = {column: {} for column in MASKED_COLUMNS}
        self.cells = {}
        self.size = 0
        for row in rows:
            place_id, latitude, longitude, commune_latitude, commune_longitude, opening_hours, postcode = row[:7]
            if latitude is None:  # a place without its own position is placed at its commune's centre
                latitude, longitude = commune_latitude, commune_longitude
            if latitude is None:
                continue
            masks = tuple(
                self._mask(column, values or ()) for column, values in zip(MASKED_COLUMNS, row[7:], strict=True)
            )
            entry = Entry(place_id, latitude, longitude, masks, opening_hours, postcode)
            self.cells.setdefault(_cell(latitude, longitude), []).append(entry)
            self.size += 1

    def _mask(self, column, values):
        vocabulary = self.vocabularies[column]
        mask = 0
        for value in values:
            mask |= 1 << vocabulary.setdefault(value, len(vocabulary))
        return mask

    def wanted_mask(self, column, values):
        """The bits of the values wanted; 0 when no place has any of them (so nothing matches)."""
        vocabulary = self.vocabularies[column]
        return sum(1 << vocabulary[value] for value in set(values) if value in vocabulary)

    def around(self, latitude, longitude, radius_km, wanted):
        """(entry, distance in km) within the radius whose masks share a bit with each wanted mask.

        ``wanted`` maps a column's position in MASKED_COLUMNS to its wanted mask.
        """
        latitude_span = math.degrees(radius_km / EARTH_RADIUS_KM)
        cosine = max(math.cos(math.radians(min(89.0, abs(latitude) + latitude_span))), 0.01)
        longitude_span = min(180.0, latitude_span / cosine)
        first_row, first_column = _cell(latitude - latitude_span, longitude - longitude_span)
        last_row, last_column = _cell(latitude + latitude_span, longitude + longitude_span)
        checks = list(wanted.items())
        origin_phi = math.radians(latitude)
        origin_cos = math.cos(origin_phi)
        half_chord_limit = math.sin(radius_km / EARTH_RADIUS_KM / 2) ** 2
        sin, cos, radians = math.sin, math.cos, math.radians
        if last_column - first_column + 1 >= COLUMNS_PER_TURN:  # the circle goes round the Earth
            first_column, last_column = 0, COLUMNS_PER_TURN - 1
        for row in range(first_row, last_row + 1):
            for column in range(first_column, last_column + 1):
                for entry in self.cells.get((row, _wrapped(column)), ()):
                    masks = entry.masks
                    if any(not masks[position] & mask for position, mask in checks):
                        continue
                    # Haversine, compared before the square root and the arc sine.
                    a = (
                        sin(radians(entry.latitude - latitude) / 2) ** 2
                        + origin_cos * cos(radians(entry.latitude)) * sin(radians(entry.longitude - longitude) / 2) ** 2
                    )
                    if a <= half_chord_limit:
                        yield entry, 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _cell(latitude, longitude):
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)


COLUMNS_PER_TURN = round(360 / CELL_DEGREES)


def _wrapped(column):
    """Grid columns run on around the antimeridian (Wallis-et-Futuna, a search near ±180°)."""
    first = math.floor(-180 / CELL_DEGREES)
    return (column - first) % COLUMNS_PER_TURN + first


_built = {"revision": None, "at": 0.0, "index": None}
_lock = threading.Lock()


def current():
    """The index of the published places as they are now (rebuilt if the directory changed)."""
    revision = cache.get(REVISION_KEY)
    if revision is None:
        cache.add(REVISION_KEY, uuid.uuid4().hex, None)
        revision = cache.get(REVISION_KEY)
    built = _built
    if (
        built["index"] is not None
        and built["revision"] == revision
        and time.monotonic() - built["at"] < MAX_AGE_SECONDS
    ):
        return built["index"]
    with _lock:
        if _built["revision"] == revision and time.monotonic() - _built["at"] < MAX_AGE_SECONDS:
            return _built["index"]
        index = _build()
        _built.update(revision=revision, at=time.monotonic(), index=index)
        return index


def _build():
    from maillage.places.models import Place

    columns = ["pk", "latitude", "longitude", "commune__latitude", "commune__longitude", "opening_hours", "postcode"]
    return DirectoryIndex(Place.objects.published().values_list(*columns, *MASKED_COLUMNS).iterator(chunk_size=2000))


def directory_changed():
    """Make every process rebuild its index: now (for this transaction) and once it commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump():
    cache.set(REVISION_KEY, uuid.uuid4().hex, None)
