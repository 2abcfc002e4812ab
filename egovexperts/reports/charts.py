"""The coverage page's charts as geometry for server-side SVG (templates/reports/_coverage_report.jinja).

No script and no charting library: numbers are computed here, the template writes <rect> and
<text> with them (as Python writes numbers: a Vietnamese decimal comma would break a
coordinate), and the Content-Security-Policy has nothing to allow. Colours are CSS classes
(static/css/reports.css), the same for the chart, its legend and print.

The province map is a tile grid: one square per province or centrally-run city in force on the
date, placed by the layout of its era in trainees/data/tile_grid.json (the 63 units before
1 July 2025, the 34 since; a renamed or reclassified unit keeps its predecessor's tile).
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from trainees.reference import DATA_DIR

from .coverage import Coverage, CoverageRow, QuarterRow

TILE = 40  # SVG units per tile; the picture scales to its box
GAP = 3


@functools.cache
def tile_layouts() -> dict:
    return json.loads((DATA_DIR / "tile_grid.json").read_text(encoding="utf-8"))


def layout_on(on: datetime.date) -> dict:
    """The tile layout of the era `on` falls in."""
    for layout in tile_layouts()["layouts"]:
        starts = layout["valid_from"] and datetime.date.fromisoformat(layout["valid_from"])
        ends = layout["valid_to"] and datetime.date.fromisoformat(layout["valid_to"])
        if (not starts or starts <= on) and (not ends or on <= ends):
            return layout
    raise LookupError(on)  # the layouts cover every date: tests/reports/test_charts.py


# Coverage states of a province, worst first: (CSS class, legend).
STATES = [
    ("none", _("No expert in post")),
    ("uncommitted", _("Experts in post, no commitment running")),
    ("losing", _("Last commitment ends within 6 months")),
    ("guaranteed", _("Experts in post and a commitment running")),
]


def state_of(row: CoverageRow, report: Coverage) -> str:
    if not row.covered:
        return "none"
    if not row.active_commitments:
        return "uncommitted"
    if row.agency.pk in report.losing_ids:
        return "losing"
    return "guaranteed"


@dataclass(frozen=True)
class Tile:
    row: CoverageRow
    label: str
    state: str
    x: int
    y: int
    title: str  # the tooltip: name and experts in post

    @property
    def centre_x(self) -> float:
        return self.x + (TILE - GAP) / 2


@dataclass(frozen=True)
class LegendEntry:
    state: str
    label: str
    rows: list

    @property
    def names(self) -> str:
        return ", ".join(row.agency.short_name for row in self.rows)


@dataclass(frozen=True)
class ProvinceMap:
    tiles: list[Tile]
    width: int
    height: int
    legend: list[LegendEntry]
    size = TILE - GAP


def province_map(report: Coverage) -> ProvinceMap:
    layout = layout_on(report.on)
    labels = tile_layouts()["labels"]
    tiles, experts = [], {}  # the words for each number of experts, translated once
    for row in report.provincial:
        column, line = layout["tiles"][row.agency.slug]
        count = row.experts_in_post
        if count not in experts:
            experts[count] = ngettext("%(count)s expert in post", "%(count)s experts in post", count) % {"count": count}
        title = f"{row.name}: {experts[count]}"
        tiles.append(Tile(row, labels[row.agency.slug], state_of(row, report), column * TILE, line * TILE, title))
    legend = [LegendEntry(state, label, [t.row for t in tiles if t.state == state]) for state, label in STATES]
    return ProvinceMap(tiles, layout["columns"] * TILE - GAP, layout["rows"] * TILE - GAP, legend)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int
    y: int  # top of the label line; the bar sits below it
    width: float  # of the covered part, in SVG units
    total_width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_height: int = 16
    bar_height: int = 14


def region_bars(report: Coverage) -> BarChart:
    """Provinces with an expert in post per region, against the region's provinces; each bar
    under its region's name (names run to forty letters in Vietnamese)."""
    plot_width, step = 300, 42
    largest = max((region.total for region in report.regions), default=1)
    bars = [
        Bar(
            str(region.label),
            region.covered,
            region.total,
            index * step,
            round(plot_width * region.covered / largest, 1),
            round(plot_width * region.total / largest, 1),
        )
        for index, region in enumerate(report.regions)
    ]
    return BarChart(bars, plot_width + 60, max(len(bars) * step - 8, 0))


@dataclass(frozen=True)
class Column:
    label: str
    x: int
    active_top: float  # y of the running bar's top (it stands on the upper base line)
    active: float  # bar heights, in SVG units
    fulfilled: float
    broken: float
    year: int | None  # shown under the first quarter of each year
    quarter: QuarterRow
    title: str  # the tooltip: the quarter's figures


@dataclass(frozen=True)
class QuarterChart:
    columns: list[Column]
    width: float
    active_max: int
    ended_max: int
    left: int = 44  # room for the scale's numbers
    step: int = 18
    bar: int = 7
    top: int = 100  # height of the upper panel: running at the quarter's end
    base_offset: int = 6  # room above the panel for the scale's top number
    gap: int = 14
    bottom: int = 60  # height of the lower panel: fulfilled and broken during the quarter

    @property
    def base(self) -> int:
        """y of the upper panel's base line; the lower panel hangs from base + gap."""
        return self.top + self.base_offset

    @property
    def lower(self) -> int:
        return self.base + self.gap

    @property
    def height(self) -> int:
        return self.lower + self.bottom + 18


def _height(value: int, largest: int, full: int) -> float:
    """A bar's height; one of a few beside hundreds still shows."""
    return max(round(full * value / largest, 1), 2) if value else 0


def quarter_chart(report: Coverage) -> QuarterChart:
    """Commitments running at each quarter's end (upper panel), fulfilled and broken during it
    (lower panel, on its own scale: a few a quarter against hundreds running)."""
    quarters = report.quarters
    active_max = max((q.active for q in quarters), default=0)
    ended_max = max((max(q.fulfilled, q.broken) for q in quarters), default=0)
    top, bottom, left, step = QuarterChart.top, QuarterChart.bottom, QuarterChart.left, QuarterChart.step
    base = QuarterChart.top + QuarterChart.base_offset
    columns = []
    counts = gettext("%(active)s running, %(fulfilled)s fulfilled, %(broken)s broken")  # translated once
    for index, q in enumerate(quarters):
        active = _height(q.active, active_max, top)
        label = str(q.label)
        columns.append(
            Column(
                label,
                left + index * step,
                round(base - active, 1),
                active,
                _height(q.fulfilled, ended_max, bottom),
                _height(q.broken, ended_max, bottom),
                q.year if q.quarter == 1 else None,
                q,
                f"{label}: {counts % {'active': q.active, 'fulfilled': q.fulfilled, 'broken': q.broken}}",
            )
        )
    return QuarterChart(columns, left + max(len(columns), 4) * step + 4, active_max, ended_max)


def all_charts(report: Coverage) -> dict:
    """The page's charts, by the names its templates use."""
    return {
        "tile_map": province_map(report),
        "region_chart": region_bars(report),
        "quarter_chart": quarter_chart(report),
    }
