"""Import one places file: read, map, clean, then upsert, merge duplicates, and report.

One transaction per file: a file applies whole or not at all. Re-importing the same file changes
nothing (rows are keyed by source and source id, and unchanged rows are skipped by their hash).
"""

import csv
import hashlib
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from maillage.places import search_index
from maillage.places.importers import normalize
from maillage.places.importers.communes import CommuneLocator
from maillage.places.importers.mappings import detect_mapping
from maillage.places.importers.normalize import clean_enumeration, clean_text
from maillage.places.importers.readers import read_records
from maillage.places.models import Place, PlaceSource
from maillage.territory.distance import distance_km
from maillage.territory.text import fold

DUPLICATE_DISTANCE_KM = 0.05
BATCH_SIZE = 500
MAX_SOURCE_ID_LENGTH = 240
SIMILAR_NAME_RATIO = 0.6

ENUMERATION_FIELDS = {
    "services": "services",
    "publics_specifiquement_adresses": "publics",
    "prise_en_charge_specifique": "specific_support",
    "frais_a_charge": "fees",
    "itinerance": "mobility",
    "dispositif_programmes_nationaux": "national_programmes",
    "formations_labels": "labels",
    "modalites_acces": "access_modes",
    "modalites_accompagnement": "support_modes",
}


class RowRejected(Exception):
    pass


@dataclass
class ImportReport:
    path: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    unchanged: int = 0
    rejections: list = field(default_factory=list)  # (row number, source id, reason)
    warnings: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def accepted(self):
        return self.created + self.updated + self.merged + self.unchanged

    def summary(self):
        share = 100 * self.accepted / self.rows if self.rows else 100
        return (
            f"{Path(self.path).name} [{self.source}]: {self.rows} rows, {self.accepted} accepted ({share:.1f} %: "
            f"{self.created} created, {self.updated} updated, {self.merged} merged into existing places, "
            f"{self.unchanged} unchanged), {len(self.rejections)} rejected, in {self.seconds:.1f} s"
        )


def _truncate(text, limit):
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def build_place_fields(raw, locator, warnings):
    """The Place fields of one mapped row, or RowRejected saying why it cannot be a place."""
    name = clean_text(raw.get("nom"))
    if not name:
        raise RowRejected("no name")
    postcode = normalize.clean_postcode(raw.get("code_postal"))
    insee = clean_text(raw.get("code_insee")).upper().zfill(5) if clean_text(raw.get("code_insee")) else ""
    commune_text = clean_text(raw.get("commune"))
    latitude, longitude, position_warning = normalize.clean_position(raw.get("latitude"), raw.get("longitude"))
    if position_warning:
        warnings[position_warning] += 1
    position = (latitude, longitude) if latitude is not None else None
    commune, commune_note = locator.locate(insee, postcode, commune_text, position)
    if commune_note:
        warnings[commune_note] += 1
    address = clean_text(raw.get("adresse"))
    if commune is None and latitude is None:
        raise RowRejected(
            f"commune not found and no position (postcode {postcode or '—'}, commune {commune_text or '—'})"
        )
    if not address and latitude is None:
        raise RowRejected("no address and no position")
    if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", insee) and commune and commune.insee_code != insee:
        warnings["INSEE code corrected from postcode and commune name"] += 1
    opening_hours, hours_valid = normalize.clean_opening_hours(raw.get("horaires"))
    if not hours_valid:
        warnings["opening hours unreadable, kept as text and flagged"] += 1
    phone = normalize.clean_phone(raw.get("telephone"), postcode)
    if clean_text(raw.get("telephone")) and not phone:
        warnings["phone number unreadable"] += 1
    fields = {
        "name": name[:250],
        "pivot": normalize.clean_pivot(raw.get("pivot")),
        "structure_parente": clean_text(raw.get("structure_parente"))[:250],
        "typologie": [part for part in normalize.clean_text(raw.get("typologie")).replace(";", "|").split("|") if part],
        "address": address[:250],
        "address_complement": clean_text(raw.get("complement_adresse"))[:250],
        "postcode": postcode or (commune.main_postcode if commune else ""),
        "commune_name": (commune.name if commune else commune_text)[:100],
        "commune_id": commune.insee_code if commune else None,
        "latitude": latitude,
        "longitude": longitude,
        "phone": phone,
        "emails": normalize.clean_emails(raw.get("courriels")),
        "websites": normalize.clean_websites(raw.get("site_web")),
        "opening_hours": opening_hours,
        "opening_hours_valid": hours_valid,
        "summary": _truncate(clean_text(raw.get("presentation_resume")), 280),
        "description": clean_text(raw.get("presentation_detail")),
        "accessibility_sheet_url": normalize.clean_url(raw.get("fiche_acces_libre")),
        "booking_url": normalize.clean_url(raw.get("prise_rdv")),
        "other_labels": clean_text(raw.get("autres_formations_labels")),
        # None when the file gives no date: a new place is then dated by its file (see import_file),
        # and an existing one keeps its date, so that the same rows downloaded again change nothing.
        "updated_on": normalize.clean_date(raw.get("date_maj")),
        "status": Place.Status.PUBLISHED if raw.get("__active", True) else Place.Status.ARCHIVED,
    }
    for schema_field, model_field in ENUMERATION_FIELDS.items():
        values, leftover = clean_enumeration(raw.get(schema_field), schema_field)
        fields[model_field] = values
        if leftover and schema_field not in {
            "publics_specifiquement_adresses",
            "prise_en_charge_specifique",
            "dispositif_programmes_nationaux",
            "formations_labels",
        }:
            # (those four share their legacy column: what one does not know, the other reads)
            warnings[f"unknown {schema_field} value ignored"] += 1
    return fields


def _content_hash(fields):
    payload = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _similar(name_a, name_b):
    a, b = fold(name_a), fold(name_b)
    return a in b or b in a or SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME_RATIO


class DuplicateIndex:
    """Every place and its sources, in memory: finding a duplicate costs no query.

    Loaded once per command (its size follows the database, not the files) and kept up to date
    as files are imported: by SIRET and postcode, and on a grid of 0.01° cells (about 1 km) for
    the 50 m test. A place is never a duplicate for a source that already describes it.
    """

    def __init__(self):
        self.by_siret, self.grid, self.sources = {}, {}, {}
        self.last_place_pk = self.last_source_pk = 0
        self.refresh()

    def refresh(self):
        """Add what was written since the last look: after each file, one query for its new rows.

        During a file the index does not grow (its own new places are never its duplicates), so
        memory follows the database, not the file being read.
        """
        sources = PlaceSource.objects.filter(pk__gt=self.last_source_pk).order_by("pk")
        for pk, place_id, source in sources.values_list("pk", "place_id", "source").iterator(chunk_size=5000):
            self.sources.setdefault(place_id, set()).add(source)
            self.last_source_pk = pk
        places = Place.objects.filter(pk__gt=self.last_place_pk).order_by("pk")
        columns = ("pk", "pivot", "postcode", "address", "name", "latitude", "longitude")
        for row in places.values_list(*columns).iterator(chunk_size=5000):
            self._index(*row)
            self.last_place_pk = row[0]

    def _index(self, pk, pivot, postcode, address, name, latitude, longitude):
        if len(pivot) == 14:
            self.by_siret.setdefault((pivot, postcode), []).append((pk, fold(address)))
        if latitude is not None:
            self.grid.setdefault(self._cell(latitude, longitude), []).append((pk, latitude, longitude, name))

    @staticmethod
    def _cell(latitude, longitude):
        return round(latitude * 100), round(longitude * 100)

    def find(self, fields, source):
        """The pk of the same place: same SIRET, postcode and address; or within 50 m with a similar name."""
        if len(fields["pivot"]) == 14:
            address = fold(fields["address"])
            for pk, known_address in self.by_siret.get((fields["pivot"], fields["postcode"]), []):
                if known_address == address and source not in self.sources.get(pk, ()):
                    return pk
        if fields["latitude"] is None:
            return None
        row, column = self._cell(fields["latitude"], fields["longitude"])
        for cell in ((row + dr, column + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)):
            for pk, latitude, longitude, name in self.grid.get(cell, []):
                if source in self.sources.get(pk, ()):
                    continue
                close = distance_km(latitude, longitude, fields["latitude"], fields["longitude"])
                if close <= DUPLICATE_DISTANCE_KM and _similar(name, fields["name"]):
                    return pk
        return None


def _merge_into(place, fields, save=True):
    """Complete an existing place with what another source knows; what it already has stays.

    Returns the names of the fields it changed (saved unless ``save`` is False, for a batch).
    """
    changed = []
    for name, value in fields.items():
        current = getattr(place, name)
        if name in {"status", "updated_on", "opening_hours_valid"}:
            continue
        if isinstance(current, list) and isinstance(value, list):
            union = current + [item for item in value if item not in current]
            if union != current:
                setattr(place, name, union)
                changed.append(name)
        elif current in ("", None) and value not in ("", None, []):
            setattr(place, name, value)
            changed.append(name)
    if "opening_hours" in changed:  # the hours and whether they could be read travel together
        place.opening_hours_valid = fields["opening_hours_valid"]
        changed.append("opening_hours_valid")
    if fields.get("updated_on") and fields["updated_on"] > place.updated_on:
        place.updated_on = fields["updated_on"]
        changed.append("updated_on")
    if changed and save:
        place.save(update_fields=changed)
    return changed


def _merge_batch(merges):
    """Merge a chunk's duplicates: one query to read their places, few to update, one to record sources.

    Places are updated in groups that changed the same fields: a bulk update of every place over
    the union of the fields (a CASE per field and row) cost more than the rest of the import.
    """
    if not merges:
        return
    places = Place.objects.in_bulk({place_id for place_id, _fields, _source in merges})
    changed_by_place = {}
    for place_id, fields, _source in merges:
        changed_by_place.setdefault(place_id, set()).update(_merge_into(places[place_id], fields, save=False))
    groups = {}
    for place_id, changed in changed_by_place.items():
        if changed:
            groups.setdefault(tuple(sorted(changed)), []).append(places[place_id])
    for changed, group in groups.items():
        if len(group) == 1:
            Place.objects.filter(pk=group[0].pk).update(**{name: getattr(group[0], name) for name in changed})
        else:
            Place.objects.bulk_update(group, changed, batch_size=BATCH_SIZE)
    PlaceSource.objects.bulk_create([PlaceSource(place_id=place_id, **source) for place_id, _fields, source in merges])


class FileIds:
    """The ids already met in this file, as 8-byte fingerprints: a repeated id gets a '#2' suffix.

    This is the only thing that grows with the file (about 70 bytes a row); rows themselves are
    streamed and handled by chunks.
    """

    def __init__(self):
        self.counts = Counter()

    def source_id(self, raw, fields):
        source_id = clean_text(raw.get("id"))
        if isinstance(raw.get("id"), float) and raw["id"].is_integer():
            source_id = str(int(raw["id"]))
        if not source_id:
            identity = f"{fields['name']}|{fields['address']}|{fields['postcode']}"
            source_id = hashlib.sha256(identity.encode()).hexdigest()[:16]
        elif len(source_id) > MAX_SOURCE_ID_LENGTH:  # the column's limit, with room for a "#2" suffix
            source_id = "sha256:" + hashlib.sha256(source_id.encode()).hexdigest()
        fingerprint = hashlib.blake2b(source_id.encode(), digest_size=8).digest()
        count = self.counts[fingerprint]
        self.counts[fingerprint] += 1
        return source_id if count == 0 else f"{source_id}#{count + 1}"  # the same id twice: both rows kept


def _create(pending):
    """Insert a batch of new places and their provenance: two queries per batch, not two per row."""
    if not pending:
        return
    places = Place.objects.bulk_create([place for place, _source in pending])
    PlaceSource.objects.bulk_create(
        [PlaceSource(place_id=place.pk, **source) for place, (_place, source) in zip(places, pending, strict=True)]
    )
    pending.clear()


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_file(path, source=None, dry_run=False, locator=None, duplicates=None):
    started = time.monotonic()
    mapping, default_source = detect_mapping(path, read_records)
    source = (source or default_source)[:100]  # PlaceSource.source's length
    report = ImportReport(path=str(path), source=source)
    locator = locator or CommuneLocator()
    # A dry run rolls its places back: it must not leave them in an index shared with other files.
    shared_index = duplicates is not None and not dry_run
    duplicates = duplicates if shared_index else DuplicateIndex()
    file_ids = FileIds()
    # A row without a date is dated by its file, so that importing the same file again changes nothing.
    fallback_date = date.fromtimestamp(Path(path).stat().st_mtime)
    now = timezone.now()

    def provenance(source_id, producer, content_hash):
        return {
            "source": source,
            "source_id": source_id,
            "producer": producer,
            "content_hash": content_hash,
            "first_imported_at": now,
            "last_imported_at": now,
        }

    with transaction.atomic():
        for chunk in _chunks(enumerate(read_records(path), start=1), BATCH_SIZE):
            prepared = []
            for row_number, record in chunk:
                report.rows += 1
                raw = mapping(record)
                try:
                    fields = build_place_fields(raw, locator, report.warnings)
                except RowRejected as rejection:
                    report.rejections.append((row_number, clean_text(raw.get("id")), str(rejection)))
                    continue
                source_id = file_ids.source_id(raw, fields)
                prepared.append((source_id, fields, _content_hash(fields), clean_text(raw.get("source"))[:250]))
            known = {
                source_id: (pk, place_id, content_hash)
                for pk, source_id, place_id, content_hash in PlaceSource.objects.filter(
                    source=source, source_id__in=[item[0] for item in prepared]
                ).values_list("pk", "source_id", "place_id", "content_hash")
            }
            pending, merges = [], []
            for source_id, fields, content_hash, producer in prepared:
                if source_id in known:
                    if _update(known[source_id], fields, content_hash, producer, now):
                        report.updated += 1
                    else:
                        report.unchanged += 1
                    continue
                duplicate_pk = duplicates.find(fields, source)
                if duplicate_pk is not None:
                    merges.append((duplicate_pk, fields, provenance(source_id, producer, content_hash)))
                    report.merged += 1
                else:
                    place = Place(**{**fields, "updated_on": fields["updated_on"] or fallback_date})
                    pending.append((place, provenance(source_id, producer, content_hash)))
                    report.created += 1
            _create(pending)
            _merge_batch(merges)
        if dry_run:
            transaction.set_rollback(True)
        elif report.created or report.updated or report.merged:
            search_index.directory_changed()  # bulk writes send no signal
    if shared_index:
        duplicates.refresh()  # the next file sees this one's places
    report.seconds = time.monotonic() - started
    return report


def refresh_planner_statistics():
    """After a bulk import, PostgreSQL's planner still believes the tables small until autovacuum
    runs, and picks slow plans (a scan of every place to fetch ten by id). SQLite needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE places_place, places_placesource")


def _update(known, fields, content_hash, producer, now):
    """Apply a changed row to its place; False when the row did not change."""
    place_source_pk, place_id, previous_hash = known
    if previous_hash == content_hash:
        return False
    place = Place.objects.get(pk=place_id)
    source_status = fields["status"]
    fields = {name: value for name, value in fields.items() if name != "status" and value is not None}
    # An import may archive a published place its source says is gone; it never publishes or un-archives.
    if place.status == Place.Status.PUBLISHED and source_status == Place.Status.ARCHIVED:
        fields["status"] = Place.Status.ARCHIVED
    owned = place.organization_id is not None or place.last_verified_on is not None
    if owned or PlaceSource.objects.filter(place_id=place_id).count() > 1:
        # What an owner typed, or another source said, is never erased: the file only fills blanks.
        _merge_into(place, fields)
    else:
        Place.objects.filter(pk=place_id).update(**fields)
    PlaceSource.objects.filter(pk=place_source_pk).update(
        content_hash=content_hash, last_imported_at=now, producer=producer
    )
    return True


REJECTIONS_CSV_HEADER = ["fichier", "source", "ligne", "id", "motif"]


def write_rejections(reports, path):
    """Each rejected row and why, as a CSV file (its folder is made if needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECTIONS_CSV_HEADER)
        for report in reports:
            for row_number, source_id, reason in report.rejections:
                writer.writerow([Path(report.path).name, report.source, row_number, source_id, reason])
