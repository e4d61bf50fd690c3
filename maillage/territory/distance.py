"""Great-circle distances. No PostGIS: the app computes distances itself (ARCHITECTURE.md)."""

import math

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def distance_km(lat1, lon1, lat2, lon2):
    """Haversine distance in kilometres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    delta_phi = math.radians(lat2 - lat1)
    delta_lambda = math.radians(lon2 - lon1)
    a = math.sin(delta_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat, lon, radius_km):
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle: a cheap indexable pre-filter.

    Longitudes are continuous around the centre: near the antimeridian they run past ±180.
    """
    angular_radius = radius_km / EARTH_RADIUS_KM
    delta_lat = math.degrees(angular_radius)
    if angular_radius >= math.radians(90 - abs(lat)):  # the circle reaches a pole: every longitude
        delta_lon = 180.0
    else:
        # The circle is widest poleward of its centre, hence asin(sin r / cos lat), not r / cos lat.
        ratio = math.sin(angular_radius) / math.cos(math.radians(lat))
        delta_lon = math.degrees(math.asin(min(1.0, ratio)))
    return lat - delta_lat, lat + delta_lat, lon - delta_lon, lon + delta_lon
