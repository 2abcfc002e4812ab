"""The coverage charts: every province in force on any date has a tile of its own on the map."""

import datetime

import pytest

from egovexperts.reports.charts import layout_on, province_map, quarter_chart, region_bars, tile_layouts
from egovexperts.reports.coverage import coverage
from trainees.models import Agency

pytestmark = pytest.mark.django_db

D = datetime.date


def dates_to_check():
    """Each day a provincial unit began or ended, the day around it, and a few landmarks."""
    days = {D(2019, 12, 28), D(2021, 12, 31), D(2025, 6, 30), D(2025, 7, 1), D(2026, 12, 4), D(2030, 1, 1)}
    for valid_from, valid_to in Agency.objects.filter(kind__in=Agency.PROVINCIAL_KINDS).values_list(
        "valid_from", "valid_to"
    ):
        for day in filter(None, (valid_from, valid_to)):
            days |= {day - datetime.timedelta(days=1), day, day + datetime.timedelta(days=1)}
    return sorted(days)


def test_every_province_in_force_on_every_date_has_a_tile_of_its_own():
    labels = tile_layouts()["labels"]
    for day in dates_to_check():
        layout = layout_on(day)
        in_force = Agency.objects.in_force(day).filter(kind__in=Agency.PROVINCIAL_KINDS)
        slugs = list(in_force.values_list("slug", flat=True))
        assert len(slugs) in (63, 34), day
        missing = [slug for slug in slugs if slug not in layout["tiles"]]
        assert not missing, (day, missing)
        tiles = [tuple(layout["tiles"][slug]) for slug in slugs]
        assert len(set(tiles)) == len(tiles), f"two provinces share a tile on {day}"
        assert all(0 <= x < layout["columns"] and 0 <= y < layout["rows"] for x, y in tiles), day
        names = [labels[slug] for slug in slugs]
        assert len(set(names)) == len(names), f"two tiles share a label on {day}"


def test_the_map_of_a_date_has_a_tile_per_province_of_that_date():
    assert len(province_map(coverage(on=D(2021, 12, 31))).tiles) == 63
    today = province_map(coverage(on=D(2026, 12, 4)))
    assert len(today.tiles) == 34
    assert {tile.state for tile in today.tiles} == {"none"}  # no trainee in this test


def test_charts_have_no_bar_when_there_is_no_data():
    report = coverage(on=D(2021, 12, 31))
    assert all(bar.width == 0 for bar in region_bars(report).bars)
    assert len(region_bars(report).bars) == 6
    chart = quarter_chart(report)
    assert len(chart.columns) == 8 and chart.active_max == 0
    assert all(column.active == 0 for column in chart.columns)
