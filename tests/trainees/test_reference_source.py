"""Cross-checks of the reference data in ``trainees/data``.

The pure-JSON tests check the internal consistency of the provinces and
ministries files (counts at key dates, successor chains, unique slugs,
codes and abbreviations).  The ``vietnamadminunits`` tests compare the
provincial names and official codes with that MIT-licensed package, which
ships the 63 units in force just before 1 July 2025 and the 34 units in
force from 1 July 2025.
"""

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "trainees" / "data"

PROVINCE_KINDS = {"province", "city"}
MINISTRY_KINDS = {"ministry", "ministry_level"}
REGIONS = {
    "northern_midlands_mountains",
    "red_river_delta",
    "north_central_coast",
    "central_highlands",
    "southeast",
    "mekong_delta",
}
CHANGES = {"merged", "renamed", "reclassified"}
FIELDS = {
    "slug",
    "name_vi",
    "name_en",
    "short_name",
    "abbreviations",
    "kind",
    "region",
    "code",
    "code_history",
    "valid_from",
    "valid_to",
    "successor",
    "change",
}


def _load(name):
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)["agencies"]


PROVINCES = _load("provinces.json")
MINISTRIES = _load("ministries.json")


def _d(value):
    return date.fromisoformat(value) if value else None


def in_force(row, on):
    start, end = _d(row["valid_from"]), _d(row["valid_to"])
    return (start is None or start <= on) and (end is None or on <= end)


def rows_on(rows, on):
    return [r for r in rows if in_force(r, on)]


def code_on(row, on):
    """The official code a row carried on a given date."""
    for entry in sorted(row["code_history"], key=lambda e: e["valid_to"]):
        if on <= _d(entry["valid_to"]):
            return entry["code"]
    return row["code"]


def by_slug(rows):
    return {r["slug"]: r for r in rows}


def resolve(rows, slug, on):
    """Follow the successor chain from ``slug`` to the unit in force on ``on``."""
    index = by_slug(rows)
    seen = []
    row = index[slug]
    while not in_force(row, on):
        assert row["slug"] not in seen, f"successor cycle: {seen + [row['slug']]}"
        seen.append(row["slug"])
        assert row["successor"], f"{row['slug']} ends without successor"
        row = index[row["successor"]]
    return row


def boundary_dates(rows):
    """Every date on which the set of units in force may change, plus today."""
    dates = {date.today()}
    for r in rows:
        for key in ("valid_from", "valid_to"):
            if r[key]:
                d = _d(r[key])
                dates.update({d - timedelta(days=1), d, d + timedelta(days=1)})
        for entry in r["code_history"]:
            d = _d(entry["valid_to"])
            dates.update({d, d + timedelta(days=1)})
    return sorted(dates)


def normalize_dash(text):
    return " ".join(text.replace("\u2013", "-").replace("\u2014", "-").split())


def match_forms(row):
    forms = {row["short_name"], *row["abbreviations"]}
    return {normalize_dash(f).casefold() for f in forms}


# ---------------------------------------------------------------------------
# Shared structure checks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "kinds"),
    [(PROVINCES, PROVINCE_KINDS), (MINISTRIES, MINISTRY_KINDS)],
    ids=["provinces", "ministries"],
)
class TestStructure:
    def test_fields(self, rows, kinds):
        for r in rows:
            assert set(r) == FIELDS, r["slug"]
            assert r["kind"] in kinds, r["slug"]
            assert isinstance(r["abbreviations"], list), r["slug"]
            assert r["name_vi"] and r["name_en"] and r["short_name"], r["slug"]

    def test_slugs_unique(self, rows, kinds):
        counts = Counter(r["slug"] for r in rows)
        assert [s for s, n in counts.items() if n > 1] == []

    def test_successor_slugs_exist(self, rows, kinds):
        slugs = {r["slug"] for r in rows}
        for r in rows:
            if r["successor"]:
                assert r["successor"] in slugs, r["slug"]

    def test_validity_and_change(self, rows, kinds):
        for r in rows:
            if r["valid_from"] and r["valid_to"]:
                assert _d(r["valid_from"]) <= _d(r["valid_to"]), r["slug"]
            if r["valid_to"]:
                assert r["change"] in CHANGES, r["slug"]
                assert r["successor"], r["slug"]
            else:
                assert r["change"] == "" and r["successor"] == "", r["slug"]

    def test_successor_starts_in_time(self, rows, kinds):
        index = by_slug(rows)
        for r in rows:
            if r["successor"]:
                nxt = index[r["successor"]]
                day_after = _d(r["valid_to"]) + timedelta(days=1)
                assert in_force(nxt, day_after), (r["slug"], nxt["slug"])

    def test_abolished_units_resolve_to_one_unit_in_force_today(self, rows, kinds):
        today = date.today()
        in_force_today = {r["slug"] for r in rows_on(rows, today)}
        for r in rows:
            if r["valid_to"] and _d(r["valid_to"]) < today:
                target = resolve(rows, r["slug"], today)
                assert target["slug"] in in_force_today, r["slug"]

    def test_abbreviations_not_shared_while_in_force(self, rows, kinds):
        for on in boundary_dates(rows):
            seen = {}
            for r in rows_on(rows, on):
                for form in match_forms(r):
                    assert form not in seen, (on, form, seen.get(form), r["slug"])
                    seen[form] = r["slug"]


# ---------------------------------------------------------------------------
# Provinces (pure JSON)
# ---------------------------------------------------------------------------


def _kinds_on(on):
    return Counter(r["kind"] for r in rows_on(PROVINCES, on))


def test_sorted_by_code_then_slug():
    keys = [(r["code"], r["slug"]) for r in PROVINCES]
    assert keys == sorted(keys)


def test_province_regions_and_codes_well_formed():
    for r in PROVINCES:
        assert r["region"] in REGIONS, r["slug"]
        assert len(r["code"]) == 2 and r["code"].isdigit(), r["slug"]
        for entry in r["code_history"]:
            assert set(entry) == {"code", "valid_to"}, r["slug"]
            assert len(entry["code"]) == 2 and entry["code"].isdigit(), r["slug"]


def test_63_units_before_1_july_2025():
    assert len(rows_on(PROVINCES, date(2024, 12, 31))) == 63
    assert _kinds_on(date(2024, 12, 31)) == Counter(city=5, province=58)
    assert len(rows_on(PROVINCES, date(2025, 6, 30))) == 63
    assert _kinds_on(date(2025, 6, 30)) == Counter(city=6, province=57)


def test_34_units_from_1_july_2025():
    assert len(rows_on(PROVINCES, date(2025, 7, 1))) == 34
    assert _kinds_on(date(2025, 7, 1)) == Counter(city=6, province=28)


def test_34_units_on_2026_11_23():
    assert len(rows_on(PROVINCES, date(2026, 11, 23))) == 34
    assert _kinds_on(date(2026, 11, 23)) == Counter(city=9, province=25)


def test_hue_renamed_on_1_january_2025():
    index = by_slug(PROVINCES)
    assert resolve(PROVINCES, "thua-thien-hue", date(2025, 1, 1))["slug"] == "hue"
    assert index["hue"]["kind"] == "city"
    assert index["hue"]["code"] == index["thua-thien-hue"]["code"] == "46"


def test_codes_unique_among_units_in_force():
    for on in boundary_dates(PROVINCES):
        codes = Counter(code_on(r, on) for r in rows_on(PROVINCES, on))
        assert [c for c, n in codes.items() if n > 1] == [], on


def test_reclassifications_keep_code():
    index = by_slug(PROVINCES)
    for r in PROVINCES:
        if r["change"] in {"renamed", "reclassified"}:
            assert index[r["successor"]]["code"] == r["code"], r["slug"]


# ---------------------------------------------------------------------------
# Ministries (pure JSON)
# ---------------------------------------------------------------------------


def _ministry_kinds_on(on):
    return Counter(r["kind"] for r in rows_on(MINISTRIES, on))


def test_ministries_have_no_region():
    for r in MINISTRIES:
        assert r["region"] == "", r["slug"]


@pytest.mark.parametrize("on", [date(2025, 3, 1), date(2025, 7, 1), date(2026, 11, 23), date.today()])
def test_ministries_from_1_march_2025(on):
    assert _ministry_kinds_on(on) == Counter(ministry=14, ministry_level=3)


def test_ministries_until_28_february_2025():
    assert _ministry_kinds_on(date(2025, 2, 28)) == Counter(ministry=18, ministry_level=4)


def test_ministry_codes_unique_among_units_in_force():
    for on in boundary_dates(MINISTRIES):
        codes = Counter(code_on(r, on) for r in rows_on(MINISTRIES, on))
        assert [c for c, n in codes.items() if c and n > 1] == [], on


# ---------------------------------------------------------------------------
# Cross-check against vietnamadminunits
# ---------------------------------------------------------------------------

# The package's 63-unit table is the state just before 1 July 2025 (Huế is
# already a centrally-run city); its 34-unit table is the state of 1 July 2025.
LEGACY_DAY = date(2025, 6, 30)
MERGER_DAY = date(2025, 7, 1)


@pytest.fixture(scope="module")
def vau_database():
    pytest.importorskip("vietnamadminunits")
    from vietnamadminunits.database import get_data

    return get_data


def _package_provinces(get_data, table):
    fields = ["province", "provinceShort", "provinceCode", "provinceKey"]
    return {r["provinceCode"]: r for r in get_data(fields=fields, table=table)}


def _compare(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for code, row in ours.items():
        pkg = theirs[code]
        assert normalize_dash(row["name_vi"]) == normalize_dash(pkg["province"]), code
        assert normalize_dash(pkg["provinceShort"]).casefold() in match_forms(row), code
        expected_kind = "city" if pkg["province"].startswith("Thành phố ") else "province"
        assert row["kind"] == expected_kind, code


def test_package_63_units_before_1_july_2025(vau_database):
    theirs = _package_provinces(vau_database, "admin_units_legacy")
    assert len(theirs) == 63
    ours = {code_on(r, LEGACY_DAY): r for r in rows_on(PROVINCES, LEGACY_DAY)}
    _compare(ours, theirs)


def test_package_codes_of_2024(vau_database):
    theirs = _package_provinces(vau_database, "admin_units_legacy")
    on = date(2024, 12, 31)
    assert sorted(code_on(r, on) for r in rows_on(PROVINCES, on)) == sorted(theirs)


def test_package_34_units_from_1_july_2025(vau_database):
    theirs = _package_provinces(vau_database, "admin_units")
    assert len(theirs) == 34
    ours = {code_on(r, MERGER_DAY): r for r in rows_on(PROVINCES, MERGER_DAY)}
    _compare(ours, theirs)


def test_package_codes_still_in_force_today(vau_database):
    theirs = _package_provinces(vau_database, "admin_units")
    today = date.today()
    assert sorted(code_on(r, today) for r in rows_on(PROVINCES, today)) == sorted(theirs)


def test_package_merger_map(vau_database):
    try:
        from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE
    except (ImportError, AttributeError):
        pytest.skip("merger map not available in this version of vietnamadminunits")

    old = _package_provinces(vau_database, "admin_units_legacy")
    new = _package_provinces(vau_database, "admin_units")
    old_code_by_key = {r["provinceKey"]: code for code, r in old.items()}
    new_code_by_key = {r["provinceKey"]: code for code, r in new.items()}
    expected = {
        old_code_by_key[old_key]: new_code_by_key[new_key]
        for new_key, old_keys in DICT_PROVINCE.items()
        for old_key in old_keys
    }
    assert len(expected) == 63

    actual = {}
    for r in rows_on(PROVINCES, LEGACY_DAY):
        target = resolve(PROVINCES, r["slug"], MERGER_DAY)
        actual[code_on(r, LEGACY_DAY)] = code_on(target, MERGER_DAY)
    assert actual == expected
