"""Place import: rows per second and memory, against the floor of merely reading the file.

The real places files of ../shared/data are imported, then a synthetic CSV of 20,000 rows built
from their rows (new ids, positions shifted) measures throughput and shows that memory does not
grow with the file: the 20,000-row file peaks no higher than the 5,000-row one.
"""

import csv
import random
import time
import tracemalloc
from pathlib import Path

from django.db import transaction

from maillage.places.importers.communes import CommuneLocator
from maillage.places.importers.pipeline import DuplicateIndex, import_file
from maillage.places.importers.readers import read_records
from maillage.places.models import Place, PlaceSource

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
COLUMNS = [
    "id",
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "telephone",
    "services",
    "date_maj",
]


def synthetic_file(path, rows, seed=49):
    generator = random.Random(seed)
    source_rows = [
        row
        for row in read_records(SHARED / "client-application" / "lieux-de-mediation-numerique.cnfs.json")
        if row.get("latitude")
    ]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        for number in range(rows):
            row = generator.choice(source_rows)
            writer.writerow(
                {
                    "id": f"synthetic-{number}",
                    "nom": f"{row['nom']} {number}",
                    "adresse": row["adresse"],
                    "code_postal": row["code_postal"],
                    "commune": row["commune"],
                    "latitude": float(row["latitude"]) + generator.uniform(-0.05, 0.05),
                    "longitude": float(row["longitude"]) + generator.uniform(-0.05, 0.05),
                    "telephone": row.get("telephone", ""),
                    "services": row.get("services", ""),
                    "date_maj": "2024-01-01",
                }
            )
    return path


def _floor(path):
    """Reading and parsing the file, nothing else: the least an import can cost."""
    started, rows = time.perf_counter(), 0
    for _record in read_records(path):
        rows += 1
    return rows / (time.perf_counter() - started)


def _timed_import(path, locator):
    """Speed and memory in two runs: tracing memory slows Python down several times."""
    started = time.perf_counter()
    report = import_file(path, locator=locator)
    seconds = time.perf_counter() - started
    _reset()
    tracemalloc.start()
    import_file(path, locator=locator)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return report, seconds, peak


def _reset():
    with transaction.atomic():
        PlaceSource.objects.all().delete()
        Place.objects.all().delete()


def run(work_dir):
    locator = CommuneLocator()
    results = []
    if SHARED.is_dir():
        files = [
            *sorted((SHARED / "client-application").glob("*.json")),
            *sorted(p for p in (SHARED / "mednum-cli-inputs").glob("*.json") if not p.name.endswith(".config.json")),
            *sorted((SHARED / "france-services").glob("*.geojson")),
            SHARED / "inclusion-numerique-stack" / "aidants-connect_structures.csv",
            SHARED / "inclusion-numerique-stack" / "20230405-3925-cnfs.csv",
        ]
        started, rows = time.perf_counter(), 0
        duplicates = DuplicateIndex()  # as import_places does: one index for all the files
        for path in files:
            rows += import_file(path, locator=locator, duplicates=duplicates).rows
        results.append(
            ("every places file of ../shared/data, rows/s", rows / (time.perf_counter() - started), "rows/s", None)
        )
        started = time.perf_counter()
        duplicates = DuplicateIndex()
        for path in files:
            import_file(path, locator=locator, duplicates=duplicates)
        results.append(
            ("the same files again (nothing changes), rows/s", rows / (time.perf_counter() - started), "rows/s", None)
        )
    peaks = {}
    for size in (5_000, 20_000):
        _reset()
        path = synthetic_file(work_dir / f"synthetic-{size}.csv", size)
        report, seconds, peak = _timed_import(path, locator)
        peaks[size] = peak
        results.append(
            (
                f"synthetic CSV of {size:,} rows into an empty directory, rows/s",
                report.rows / seconds,
                "rows/s",
                _floor(path),
            )
        )
        results.append(("  peak Python memory during that import", peak / 2**20, "MiB", None))
    results.append(("memory of the 20,000-row import / the 5,000-row one", peaks[20_000] / peaks[5_000], "ratio", None))
    return results
