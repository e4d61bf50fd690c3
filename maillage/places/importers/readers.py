"""Stream records out of place files, one dict at a time: memory does not grow with the file.

CSV (`,` or `;`, UTF-8 with or without BOM, or Latin-1), JSON arrays (or an object holding one
array) and GeoJSON FeatureCollections (properties, plus the point's coordinates).

A file that cannot be read to its end (cut short inside a quoted field, a row that stops before the
header's columns, JSON that breaks off or is not JSON) raises ``FileRefused`` when the reading
reaches the fault: the importer reads inside one transaction, so nothing of the file is applied.
"""

import csv
from contextlib import contextmanager
from pathlib import Path

import ijson

SNIFF_BYTES = 64 * 1024


class FileRefused(ValueError):
    """A file that cannot be read whole, and why: nothing of it is imported."""


def _text_encoding(path):
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A cut multi-byte character at the very end of the sample is still UTF-8.
        if error.start < len(head) - 4:
            return "latin-1"
    return "utf-8-sig"


def read_csv(path):
    encoding = _text_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        first_line = handle.readline()
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        handle.seek(0)
        # strict: a quoted field still open at the end of the file is an error, not a last value.
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            keys = [key.strip() for key in next(reader, [])]
            for row in reader:
                if not row:
                    continue  # a blank line
                if len(row) < len(keys):
                    raise FileRefused(
                        f"{path.name}, line {reader.line_num}: {len(row)} columns where the header has "
                        f"{len(keys)}. The file may be cut short. Nothing of it was imported."
                    )
                yield dict(zip(keys, row, strict=False))  # values past the header's columns: no name, left out
        except UnicodeDecodeError:
            raise FileRefused(
                f"{path.name}, after line {reader.line_num}: characters that are not {encoding} "
                "(save the file as UTF-8). Nothing of it was imported."
            ) from None
        except csv.Error as error:
            raise FileRefused(
                f"{path.name}, line {reader.line_num}: unreadable CSV ({error}). A quoted field that never "
                "closes means the file is cut short. Nothing of it was imported."
            ) from None


@contextmanager
def _json_errors(path):
    try:
        yield
    except ijson.JSONError as error:
        raise FileRefused(
            f"{path.name}: not valid JSON ({str(error).splitlines()[0].strip()}). The file may be cut short, or "
            "not be JSON. "
            "Nothing of it was imported."
        ) from None


def _json_prefix(path):
    """'item' for a top-level array, '<key>.item' for the first array of a top-level object (GeoJSON: features)."""
    with open(path, "rb") as handle, _json_errors(path):
        for prefix, event, _value in ijson.parse(handle):
            if event == "start_array" and "." not in prefix:
                return f"{prefix}.item" if prefix else "item"
    raise FileRefused(f"{path.name}: no list of places found. Nothing of it was imported.")


def read_json(path):
    prefix = _json_prefix(path)
    with open(path, "rb") as handle, _json_errors(path):
        for item in ijson.items(handle, prefix, use_float=True):
            if isinstance(item, dict) and item.get("type") == "Feature":
                record = dict(item.get("properties") or {})
                geometry = item.get("geometry") or {}
                if geometry.get("type") == "Point" and len(geometry.get("coordinates") or []) >= 2:
                    record.setdefault("__longitude", geometry["coordinates"][0])
                    record.setdefault("__latitude", geometry["coordinates"][1])
                yield record
            else:
                yield item


def read_records(path):
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in {".json", ".geojson"}:
        return read_json(path)
    raise FileRefused(f"{path.name}: unknown format (expected .csv, .json or .geojson)")
