"""Distances between communes, computed by the app itself (no PostGIS)."""

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from maillage.territory.distance import EARTH_RADIUS_KM, bounding_box, distance_km
from maillage.territory.models import Commune

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)
HALF_WAY_ROUND_THE_EARTH_KM = math.pi * EARTH_RADIUS_KM


def distance_between(a, b):
    return distance_km(a.latitude, a.longitude, b.latitude, b.longitude)


# Known distances -----------------------------------------------------------------------------------


def test_paris_is_about_660_km_from_marseille(communes):
    paris = Commune.objects.get(insee_code="75056")
    marseille = Commune.objects.get(insee_code="13055")

    assert distance_between(paris, marseille) == pytest.approx(660.5, abs=3)


def test_angers_is_about_265_km_from_paris(communes):
    paris = Commune.objects.get(insee_code="75056")
    angers = Commune.objects.get(insee_code="49007")

    assert distance_between(paris, angers) == pytest.approx(265, abs=10)


def test_a_quarter_of_the_equator_is_a_quarter_of_the_earth_round():
    assert distance_km(0, 0, 0, 90) == pytest.approx(HALF_WAY_ROUND_THE_EARTH_KM / 2)
    assert distance_km(90, 0, -90, 0) == pytest.approx(HALF_WAY_ROUND_THE_EARTH_KM)


def test_across_the_antimeridian_is_the_short_way():
    assert distance_km(0, 179.5, 0, -179.5) == pytest.approx(distance_km(0, 0, 0, 1))


# Properties ------------------------------------------------------------------------------------------


@given(points)
def test_a_place_is_at_zero_km_from_itself(a):
    assert distance_km(*a, *a) == 0


@given(points, points)
def test_the_distance_is_the_same_both_ways(a, b):
    assert distance_km(*a, *b) == pytest.approx(distance_km(*b, *a), abs=1e-9)


@given(points, points)
def test_the_distance_is_never_negative_nor_longer_than_half_the_earth(a, b):
    assert 0 <= distance_km(*a, *b) <= HALF_WAY_ROUND_THE_EARTH_KM + 1e-6


@given(points, points, points)
def test_going_through_a_third_place_is_never_shorter(a, b, c):
    assert distance_km(*a, *c) <= distance_km(*a, *b) + distance_km(*b, *c) + 1e-6


# The bounding box used as a cheap pre-filter --------------------------------------------------------------


def _inside(box, centre_lon, lat, lon):
    """The box is in longitudes continuous around its centre: they may run past ±180."""
    min_lat, max_lat, min_lon, max_lon = box
    unwrapped_lon = centre_lon + (lon - centre_lon + 180) % 360 - 180
    return min_lat <= lat <= max_lat and min_lon <= unwrapped_lon <= max_lon


away_from_the_poles = st.floats(min_value=-79.99, max_value=79.99, allow_nan=False)


@given(
    centre=st.tuples(away_from_the_poles, longitudes),
    radius_km=st.floats(min_value=0.1, max_value=2000, allow_nan=False),
    bearing=st.floats(min_value=0, max_value=360, allow_nan=False),
    fraction=st.floats(min_value=0, max_value=1, allow_nan=False),
)
@example(centre=(50, 0), radius_km=100, bearing=89, fraction=1)  # the circle is widest poleward of its centre
@example(centre=(75, 0), radius_km=500, bearing=64, fraction=1)
@example(centre=(79, 10), radius_km=2000, bearing=0, fraction=0.8)  # beyond the North Pole
@settings(max_examples=300)
def test_the_bounding_box_holds_every_point_on_or_inside_the_circle(centre, radius_km, bearing, fraction):
    """Points built at a given bearing and distance from the centre, up to the circle itself."""
    lat, lon = _destination(*centre, bearing, radius_km * fraction * (1 - 1e-9))
    assert distance_km(*centre, lat, lon) <= radius_km

    assert _inside(bounding_box(*centre, radius_km), centre[1], lat, lon)


def _destination(lat, lon, bearing_degrees, distance):
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_degrees)
    delta = distance / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta))
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def test_the_bounding_box_around_angers_keeps_its_neighbours_and_leaves_paris_out(communes):
    angers = Commune.objects.get(insee_code="49007")
    min_lat, max_lat, min_lon, max_lon = bounding_box(angers.latitude, angers.longitude, 20)

    in_box = Commune.objects.filter(
        latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
    ).values_list("insee_code", flat=True)

    assert {"49007", "49129", "49267"} <= set(in_box)  # Angers, Écouflant, Saint-Barthélemy-d'Anjou
    assert "75056" not in in_box
    assert "49099" not in in_box  # Cholet, about 50 km away


def test_a_box_whose_circle_reaches_a_pole_spans_every_longitude():
    _min_lat, max_lat, min_lon, max_lon = bounding_box(79, 10, 2000)

    assert max_lat >= 90
    assert max_lon - min_lon >= 360
