"""Loads the official lists of provinces and ministries (trainees/data/) into Agency rows.

Called from data migrations with the historical model, so a later correction of the data
files ships as a new migration that calls load_agencies() again: rows are matched by slug
and updated in place, never duplicated.
"""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("provinces.json", "ministries.json")
FIELDS = ("name_vi", "name_en", "short_name", "abbreviations", "kind", "region", "code", "code_history", "change")


def read_agencies() -> list[dict]:
    rows = []
    for name in FILES:
        rows.extend(json.loads((DATA_DIR / name).read_text(encoding="utf-8"))["agencies"])
    return rows


def load_agencies(agency_model) -> int:
    rows = read_agencies()
    by_slug = {}
    for row in rows:
        defaults = {field: row[field] for field in FIELDS}
        defaults["valid_from"] = row["valid_from"]
        defaults["valid_to"] = row["valid_to"]
        by_slug[row["slug"]], _ = agency_model.objects.update_or_create(slug=row["slug"], defaults=defaults)
    for row in rows:
        agency = by_slug[row["slug"]]
        agency.successor = by_slug[row["successor"]] if row["successor"] else None
        agency.save(update_fields=["successor"])
    return len(rows)
