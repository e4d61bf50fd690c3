"""Build and load the communes reference file the project ships (territory/data/communes.csv.gz).

The file is built once from the public datasets in ../shared/data (see build_communes_reference)
and committed, so that a fresh machine needs nothing but the repository.
"""

import csv
import gzip
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from maillage.territory.models import Commune, PostalCode
from maillage.territory.text import fold

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "communes.csv.gz"
COLUMNS = [
    "insee_code",
    "name",
    "department_code",
    "latitude",
    "longitude",
    "population",
    "fragility_index",
    "postcodes",
    "parent",
]


def _read_csv(path, delimiter=",", encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as handle:
        yield from csv.DictReader(handle, delimiter=delimiter)


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _laposte_name(name):
    """'ST PIERRE' → 'Saint Pierre': La Poste writes names in capitals without accents."""
    words = name.strip().title().split()
    return " ".join({"St": "Saint", "Ste": "Sainte"}.get(word, word) for word in words)


def build_reference_rows(shared_data_dir):
    """Merge the IFN reference, the GPS and population files and La Poste's postcodes."""
    shared_data_dir = Path(shared_data_dir)
    communes = {}
    for row in _read_csv(shared_data_dir / "derived" / "communes_ref_ifn.csv"):
        insee = row["code_insee"].strip().zfill(5)
        communes[insee] = {
            "insee_code": insee,
            "name": row["nom"].strip(),
            "latitude": _float(row["latitude"]),
            "longitude": _float(row["longitude"]),
            "population": row["population_municipale"].strip() or None,
            "fragility_index": row["ifn2023_total_1_10"].strip() or None,
            "postcodes": set(),
        }
        if row["code_postal"].strip():
            communes[insee]["postcodes"].add(row["code_postal"].strip().zfill(5))
    for row in _read_csv(shared_data_dir / "communes" / "batch8_Communes_population.csv", delimiter=";"):
        insee = row["DEPCOM"].strip().zfill(5)
        commune = communes.setdefault(
            insee,
            {
                "insee_code": insee,
                "name": row["COM"].strip(),
                "latitude": None,
                "longitude": None,
                "population": None,
                "fragility_index": None,
                "postcodes": set(),
            },
        )
        commune["population"] = commune["population"] or row["PMUN"].strip() or None
    for row in _read_csv(shared_data_dir / "communes" / "batch8_data_gps.csv"):
        commune = communes.get(row["CODE_INSEE"].strip().zfill(5))
        if commune and commune["latitude"] is None:
            commune["latitude"], commune["longitude"] = _float(row["latitude"]), _float(row["longitude"])
        if commune and row["CODE_POSTAL"].strip():
            commune["postcodes"].add(row["CODE_POSTAL"].strip().zfill(5))
    # La Poste's base is Latin-1 and starts its header with '#'.
    with open(shared_data_dir / "communes" / "laposte_hexasmal_2024-01.csv", encoding="latin-1", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for insee, name, postcode, *_rest in reader:
            insee = insee.strip().zfill(5)
            if insee not in communes:
                # Overseas collectivities (Saint-Martin, Polynésie, Nouvelle-Calédonie…) and the newest
                # communes are only in La Poste's base: named from it, without position or population.
                communes[insee] = {
                    **dict.fromkeys(["latitude", "longitude", "population", "fragility_index"]),
                    "insee_code": insee,
                    "name": _laposte_name(name),
                    "postcodes": set(),
                }
            communes[insee]["postcodes"].add(postcode.strip().zfill(5))
    communes.update(_cities_with_arrondissements(communes))
    for insee in sorted(communes):
        commune = communes[insee]
        yield {
            **commune,
            "department_code": Commune.department_of(insee),
            "postcodes": "|".join(sorted(commune["postcodes"])),
            "parent": parent_of(insee),
        }


# Paris, Lyon and Marseille are communes made of arrondissements, each with its own INSEE code.
# The sources list only the arrondissements; the city itself is rebuilt from them.
CITIES_WITH_ARRONDISSEMENTS = {"75056": ("Paris", "751"), "69123": ("Lyon", "6938"), "13055": ("Marseille", "132")}


def parent_of(insee_code):
    for city_code, (_name, prefix) in CITIES_WITH_ARRONDISSEMENTS.items():
        if insee_code.startswith(prefix) and insee_code != city_code:
            return city_code
    return ""


def _cities_with_arrondissements(communes):
    for city_code, (name, prefix) in CITIES_WITH_ARRONDISSEMENTS.items():
        parts = [commune for insee, commune in communes.items() if insee.startswith(prefix)]
        weighted = [(commune, int(commune["population"] or 0)) for commune in parts if commune["latitude"] is not None]
        total = sum(weight for _commune, weight in weighted) or 1
        yield (
            city_code,
            {
                "insee_code": city_code,
                "name": name,
                "latitude": round(sum(c["latitude"] * w for c, w in weighted) / total, 6),
                "longitude": round(sum(c["longitude"] * w for c, w in weighted) / total, 6),
                "population": str(sum(int(commune["population"] or 0) for commune in parts)),
                "fragility_index": str(
                    round(sum(float(c["fragility_index"] or 0) * w for c, w in weighted) / total, 2)
                ),
                "postcodes": set().union(*(commune["postcodes"] for commune in parts)),
            },
        )


def write_reference_file(rows, path=REFERENCE_FILE):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({column: "" if row[column] is None else row[column] for column in COLUMNS})
        count += 1
    # mtime=0 keeps the committed file byte-identical when rebuilt from the same sources.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
        compressed.write(buffer.getvalue().encode("utf-8"))
    return count


def read_reference_file(path=REFERENCE_FILE):
    with gzip.open(path, mode="rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _decimal(value):
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


@transaction.atomic
def load_reference(rows, departments=None):
    """Insert or update communes and their postcodes; running it twice changes nothing."""
    communes, postcodes = [], []
    for row in rows:
        if departments and row["department_code"] not in departments:
            continue
        commune = Commune(
            insee_code=row["insee_code"],
            name=row["name"],
            department_code=row["department_code"],
            latitude=_float(row["latitude"]),
            longitude=_float(row["longitude"]),
            population=int(row["population"]) if row["population"] else None,
            fragility_index=_decimal(row["fragility_index"]),
            parent_id=row["parent"] or None,
        )
        commune.search_name = fold(commune.name)  # bulk_create bypasses save()
        communes.append(commune)
        postcodes.extend(
            PostalCode(code=code, commune_id=commune.insee_code) for code in row["postcodes"].split("|") if code
        )
    Commune.objects.bulk_create(
        communes,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["insee_code"],
        update_fields=[
            "name",
            "search_name",
            "department_code",
            "latitude",
            "longitude",
            "population",
            "fragility_index",
            "parent",
        ],
    )
    PostalCode.objects.bulk_create(postcodes, batch_size=2000, ignore_conflicts=True)
    return len(communes)
