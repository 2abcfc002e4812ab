"""How the agency page shows its report (agency.py): the rows of its four tables, rendered by
Jinja2 with words translated once, and the way through its pages when it has several."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from egovexperts.core.templating import render_partial
from trainees.commitments import RUNNING, Status

from .agency import AgencyReport
from .paged import Section


@dataclass(frozen=True)
class ContentsEntry:
    """A table of the report and the pages that show it."""

    anchor: str
    title: str
    total: int
    first_page: int
    pages: str  # "page 3" or "pages 1–5"; empty for an empty table


def titles() -> dict[str, str]:
    return {
        "in_post": gettext("Experts in post today"),
        "former": gettext("Former experts"),
        "commitments": gettext("Retention commitments"),
        "attendance": gettext("Attendance per course"),
    }


def anchor(section: Section) -> str:
    return section.name.replace("_", "-")


def contents(report: AgencyReport) -> list[ContentsEntry]:
    """Where each table is, for a report of several pages."""
    entries = []
    for name, title in titles().items():
        section = report.sections[name]
        first, last = section.pages
        if not section.total:
            pages = ""
        elif first == last:
            pages = gettext("page %(number)s") % {"number": first}
        else:
            pages = gettext("pages %(first)s–%(last)s") % {"first": first, "last": last}
        entries.append(ContentsEntry(anchor(section), title, section.total, first, pages))
    return entries


def rows_range(section: Section) -> str:
    """Which of a table's rows the page shows, when it shows some of them only."""
    if not section.partial:
        return ""
    return gettext("rows %(first)s–%(last)s of %(total)s") % {
        "first": section.first + 1,
        "last": section.last,
        "total": section.total,
    }


def page_html(request, report: AgencyReport) -> dict:
    """The rows of the page's tables and the page's place among the others, for agency.html."""
    labels = {
        "since": gettext("from"),
        "no_post": gettext("no post recorded"),
        "broken_on": gettext("broken on"),
        "completed": gettext("completed"),
        "at_risk": gettext("at risk"),
        # the columns' names, which a phone shows beside each value (the table's head is hidden)
        "position": gettext("Position"),
        "agency": gettext("Agency"),
        "in_post_since": gettext("In post since"),
        "last_post": gettext("Last post here"),
        "left_on": gettext("Left on"),
        "now_at": gettext("Now at"),
        "committing_agency": gettext("Committing agency"),
        "start": gettext("Start"),
        "end": gettext("End"),
        "status": gettext("Status"),
    }

    def days_left(days: int) -> str:
        return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}

    context = {
        "labels": SimpleNamespace(**labels),  # Jinja2 reads attributes faster than a dictionary's keys
        "statuses": {value: str(label) for value, label in Status.choices},
        "running": RUNNING,
        "days_left": days_left,
        "trainee_url": reverse("trainees:trainee-detail", args=[0]).removesuffix("0/"),
    }
    html = {
        f"{name}_html": render_partial(
            request, "reports/_agency_rows.jinja", {**context, "part": name, "rows": section.rows}
        )
        for name, section in report.sections.items()
        if section.rows
    }
    ranges = {name: rows_range(section) for name, section in report.sections.items()}
    pages = None
    if report.pages > 1:
        pages = {
            "contents": contents(report),
            "label": gettext("Page %(number)s of %(total)s") % {"number": report.page, "total": report.pages},
        }
    return {**html, "ranges": ranges, "pages": pages}
