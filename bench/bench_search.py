"""Directory search at 20,000 published places: server time of the API and of the HTML results page, p50/p95.

The floor is an empty view behind the same middleware, measured in the same run. Places are the
real ones of ../shared/data plus synthetic ones drawn around them up to 20,000.
"""

import random
import statistics
import time

from django.test import Client, override_settings

from bench.bench_import import SHARED, synthetic_file
from maillage.places.importers.communes import CommuneLocator
from maillage.places.importers.pipeline import import_file, refresh_planner_statistics
from maillage.places.models import Place

TARGET_PLACES = 20_000
REQUESTS = 200
ORIGINS = [
    (47.4712, -0.5518),
    (48.8566, 2.3522),
    (45.7640, 4.8357),
    (43.2965, 5.3698),
    (44.8378, -0.5792),
    (45.8336, 1.2611),
    (46.1591, -1.1520),
    (49.0400, 3.9590),
    (42.6976, 9.4509),
    (47.2184, -1.5536),
]


def _fill(work_dir):
    locator = CommuneLocator()
    if SHARED.is_dir() and not Place.objects.exists():
        for path in [
            *sorted((SHARED / "client-application").glob("*.json")),
            *sorted((SHARED / "france-services").glob("*.geojson")),
            SHARED / "inclusion-numerique-stack" / "aidants-connect_structures.csv",
        ]:
            import_file(path, locator=locator)
    missing = TARGET_PLACES - Place.objects.published().count()
    if missing > 0:
        import_file(synthetic_file(work_dir / "search-synthetic.csv", missing, seed=7), locator=locator)
    refresh_planner_statistics()  # as import_places does
    return Place.objects.published().count()


def _timings(client, urls):
    timings = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def _percentile(values, share):
    return statistics.quantiles(values, n=100)[share - 1]


def run(work_dir):
    count = _fill(work_dir)
    generator = random.Random(49)
    urls, api_urls = [], []
    for _request in range(REQUESTS):
        latitude, longitude = generator.choice(ORIGINS)
        need = generator.choice(["demarches", "telephone", "", "acces"])
        urls.append(f"/lieux/?latitude={latitude}&longitude={longitude}&need={need}&radius=10&free=on")
        services = f"&services={need}" if need else ""
        api_urls.append(f"/api/v1/places?lat={latitude}&lon={longitude}&radius_km=10{services}&free=true")
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        _timings(client, urls[:20] + api_urls[:20] + ["/__floor__/"] * 20)  # warm up caches, index, connections
        floor = _timings(client, ["/__floor__/"] * REQUESTS)
        layout = _timings(client, ["/__floor__/layout/"] * REQUESTS)
        search = _timings(client, urls)
        api = _timings(client, api_urls)
    floor_p95 = _percentile(floor, 95)
    return [
        ("published places in the directory", count, "places", None),
        ("floor: empty view, same middleware, p50", _percentile(floor, 50), "ms", None),
        ("floor: empty view, same middleware, p95", floor_p95, "ms", None),
        ("empty page in the layout, same middleware, p95", _percentile(layout, 95), "ms", floor_p95),
        ("API /api/v1/places (10 km, need, free), p50", _percentile(api, 50), "ms", _percentile(floor, 50)),
        ("API /api/v1/places (10 km, need, free), p95", _percentile(api, 95), "ms", floor_p95),
        ("/lieux/ results page (10 km, need, free), p50", _percentile(search, 50), "ms", _percentile(floor, 50)),
        ("/lieux/ results page (10 km, need, free), p95", _percentile(search, 95), "ms", floor_p95),
        (
            "/lieux/ results page p95 / empty page in the layout p95",
            _percentile(search, 95) / _percentile(layout, 95),
            "ratio",
            None,
        ),
    ]
