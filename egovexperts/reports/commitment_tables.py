"""How the commitment tracker's rows are shown: the Jinja2 table's context, the filter options,
the spreadsheet of an export. The rows come from commitments.py."""

from __future__ import annotations

from types import SimpleNamespace

import tablib
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .commitments import COLUMNS, CommitmentFilter, Tracker


def export_dataset(rows) -> tablib.Dataset:
    """The tracker's rows as a sheet: both agencies (recorded, in force today), the dates, status.

    Cells are escaped by egovexperts.imports.exports.render (egovexperts/core/spreadsheets.py)."""
    headers = [
        _("Trainee"),
        _("Email"),
        _("Cohort"),
        _("Committing agency (recorded)"),
        _("Agency in force today"),
        _("Start"),
        _("End"),
        _("Days left"),
        _("Status"),
        _("Broken on"),
        _("Waived on"),
        _("Reason for waiver"),
        _("Waiver recorded by"),
        _("Document"),
    ]
    dataset = tablib.Dataset(headers=[str(header) for header in headers], title=str(_("Commitments")))
    for row in rows:
        dataset.append(
            [
                row.trainee_name,
                row.trainee_email,
                row.cohort_name,
                row.agency_name,
                row.agency_today_name,
                row.starts_on,
                row.ends_on,
                "" if row.days_left is None else row.days_left,
                row.status_label,
                row.evaluation.broken_on or "",
                row.waived_on or "",
                row.waiver_reason,
                row.waived_by,
                row.document_ref,
            ]
        )
    return dataset


def filter_selects(filterset: CommitmentFilter, cohorts: list[tuple[int, str]]) -> list[SimpleNamespace]:
    """The select filters as (value, label) options for the Jinja2 partial the directory uses
    (templates/trainees/_filter_selects.jinja): a hundred agencies render faster there."""
    form = filterset.form
    selects = []
    for name in ("status", "agency_kind", "region", "agency", "cohort"):
        field = form[name]
        choices = [("", _("All")), *cohorts] if name == "cohort" else list(form.fields[name].choices)
        current = field.data if filterset.is_bound else ""
        selects.append(
            SimpleNamespace(
                name=name,
                label=field.label,
                choices=[(str(value), label) for value, label in choices],
                current=str(current or ""),
                errors=field.errors,
            )
        )
    return selects


_prefixes: dict[tuple, str | None] = {}


def _prefix(name: str, placeholder, suffix: str) -> str | None:
    """The start of a URL that rows complete with an id or slug, reversed once per URLconf."""
    key = (get_urlconf(), get_script_prefix(), name)
    if key not in _prefixes:
        try:
            _prefixes[key] = reverse(name, args=[placeholder]).removesuffix(suffix)
        except NoReverseMatch:
            _prefixes[key] = None
    return _prefixes[key]


def table_context(tracker: Tracker) -> dict:
    """What the table partial needs beside the rows: links and labels, translated once."""
    page = tracker.page
    number = page.number if page is not None else 1
    back = tracker.sorted_query + (f"&page={number}" if number > 1 else "")
    agency_url = _prefix("reports:agency", "slug", "slug/")  # the agency page, where there is one
    count = page.paginator.count if page is not None else 0
    rows = page.object_list if page is not None else []
    # Each agency's cell once per page: fifty rows name a few agencies.
    agencies = {}
    for row in rows:
        if row.agency_id not in agencies:
            href = f"{agency_url}{row.agency.agency.slug}/" if agency_url else None
            agencies[row.agency_id] = row.agency.linked(href)
    context = {
        "page": page,
        "rows": rows,
        "agencies": agencies,
        "headers": tracker.headers,
        "query": tracker.sorted_query,
        "agency_url": agency_url,
        "trainee_url": _prefix("trainees:trainee-detail", 0, "0/"),
        "cohort_url": _prefix("cohorts:cohort-detail", 0, "0/"),
        "waive_url": _prefix("reports:commitment-waive", 0, "0/waive/"),
        "back": back,
        "labels": {column.key: str(column.label) for column in COLUMNS}
        | {
            "count": ngettext("%(count)s commitment", "%(count)s commitments", count) % {"count": count},
            "page": (
                gettext("Page %(number)s of %(total)s") % {"number": number, "total": page.paginator.num_pages}
                if page is not None
                else ""
            ),
            "pages": gettext("Pages"),
            "previous": gettext("Previous"),
            "next": gettext("Next"),
            "actions": gettext("Actions"),
            "broken_on": gettext("since"),
            "waive": gettext("Waive"),
            "none": gettext("No commitment matches."),
        },
    }
    # Escaped once here rather than once per row (each label is repeated in every row's cells);
    # as attributes, which Jinja2 reads faster than a dictionary's keys (it tries an attribute first).
    context["labels"] = SimpleNamespace(**{key: escape(label) for key, label in context["labels"].items()})
    for key in ("agency_url", "trainee_url", "cohort_url", "waive_url", "back"):
        context[key] = escape(context[key]) if context[key] else context[key]
    return context
