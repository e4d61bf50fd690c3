"""Stream records out of place files, one dict at a time: memory does not grow with the file.

CSV (`,` or `;`, UTF-8 with or without BOM, or Latin-1), JSON arrays (or an object holding one
array) and GeoJSON FeatureCollections (properties, plus the point's coordinates).
"""

import csv
from pathlib import Path

import ijson

SNIFF_BYTES = 64 * 1024


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
        header = handle.readline()
        delimiter = ";" if header.count(";") > header.count(",") else ","
        handle.seek(0)
        for row in csv.DictReader(handle, delimiter=delimiter):
            yield {key.strip(): value for key, value in row.items() if key is not None}


def _json_prefix(path):
    """'item' for a top-level array, '<key>.item' for the first array of a top-level object (GeoJSON: features)."""
    with open(path, "rb") as handle:
        for prefix, event, _value in ijson.parse(handle):
            if event == "start_array" and "." not in prefix:
                return f"{prefix}.item" if prefix else "item"
    raise ValueError(f"{path}: no array of records found")


def read_json(path):
    prefix = _json_prefix(path)
    with open(path, "rb") as handle:
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
    raise ValueError(f"{path.name}: unknown format (expected .csv, .json or .geojson)")
