"""How the coverage page shows its report (coverage.py): the charts (charts.py) and the tables of
ministries and provinces, rendered by one Jinja2 partial (templates/reports/_coverage_report.jinja).

They repeat an element for each of some ninety agencies, 34 or 63 tiles and a column per quarter
since 2020: the Django template engine took longer to write them than the report took to count.
Their words are translated here, once per page; the page's head and summary stay in coverage.html.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from egovexperts.core.templating import render_partial
from trainees.models import Agency

from . import charts
from .coverage import Coverage, CoverageRow


def labels() -> SimpleNamespace:
    """The partial's words, translated and escaped once for the page (rows repeat them); as
    attributes, which Jinja2 reads faster than a dictionary's keys (it tries an attribute first)."""
    words = {
        # the tables of agencies
        "code": gettext("Code"),
        "agency": gettext("Agency"),
        "experts_in_post": gettext("Experts in post"),
        "active_commitments": gettext("Active commitments"),
        "broken": gettext("Broken"),
        "fulfilled": gettext("Fulfilled"),
        "next_end": gettext("Next commitment end"),
        "no_expert": gettext("no expert"),
        # the province map
        "provinces": gettext("Provinces and centrally-run cities"),
        "provinces_by_coverage": gettext("Provinces and centrally-run cities by coverage"),
        "coverage": gettext("Coverage"),
        "number": gettext("Number"),
        "provinces_and_cities": gettext("Provinces and cities"),
        # the regions
        "by_region": gettext("Coverage by region"),
        "by_region_note": gettext("Provinces and centrally-run cities with an expert in post, of those in the region."),
        "region": gettext("Region"),
        "with_expert": gettext("With an expert in post"),
        # the agencies losing their guarantee
        "losing": gettext("Losing its guarantee"),
        "losing_note": gettext("Agencies whose last running or signed commitment ends within 6 months."),
        "last_end": gettext("Last commitment ends"),
        "none_losing": gettext("No agency loses its last commitment in the next 6 months."),
        # the quarters
        "per_quarter": gettext("Commitments per quarter"),
        "per_quarter_note": gettext(
            "Running at the end of each quarter (above); fulfilled and broken during it (below, on its own scale)."
        ),
        "quarter": gettext("Quarter"),
        "running_at_end": gettext("Running at the end of the quarter"),
        "fulfilled_during": gettext("Fulfilled during the quarter"),
        "broken_during": gettext("Broken during the quarter"),
        "no_quarter": gettext("No quarter since 2020 up to this date."),
    }
    return SimpleNamespace(**{key: escape(word) for key, word in words.items()})


def _days_left(days: int) -> str:
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


def table_rows(rows: list[CoverageRow]) -> list[tuple]:
    """The rows of a table of agencies as the partial writes them: (slug, code, name, kind,
    covered, experts in post, active commitments, broken, fulfilled, next end). Plain tuples: the
    partial reads a hundred of them faster than the rows' attributes."""
    kinds = {value: escape(label) for value, label in Agency.Kind.choices}
    return [
        (
            row.agency.slug,
            row.code,
            row.agency.name_vi,
            kinds[row.agency.kind],
            row.experts_in_post > 0,
            row.experts_in_post,
            row.active_commitments,
            row.broken,
            row.fulfilled,
            row.next_end.strftime("%d/%m/%Y") if row.next_end else "–",
        )
        for row in rows
    ]


def tiles(tile_map: charts.ProvinceMap) -> list[tuple]:
    """The map's tiles as (state, slug, title, x, y, centre x, label, experts in post)."""
    return [
        (tile.state, tile.row.agency.slug, tile.title, tile.x, tile.y, tile.centre_x, tile.label, experts)
        for tile in tile_map.tiles
        for experts in (tile.row.experts_in_post,)
    ]


def report_html(request, report: Coverage) -> SafeString:
    """The charts and the two tables of agencies, as HTML."""
    words = labels()
    drawn = charts.all_charts(report)
    context = {
        "report": report,
        **drawn,
        "tiles": tiles(drawn["tile_map"]),
        "labels": words,
        "tables": [
            ("central", gettext("Ministries and ministry-level agencies"), table_rows(report.central)),
            ("provincial", words.provinces, table_rows(report.provincial)),
        ],
        "agency_url": reverse("reports:agency", args=["slug"]).removesuffix("slug/"),  # + each agency's slug
        "days_left": _days_left,
    }
    return render_partial(request, "reports/_coverage_report.jinja", context)
