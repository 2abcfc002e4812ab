"""The commitment tracker: every retention commitment with its status today, filtered and sorted.

Rows show the rule's own answer (trainees/commitments.py over the trainee's posts). Filters and
sorts by status use the rule's SQL twin, and filters by agency the resolver, so that they read
each commitment once, whatever their number. A page is three queries of its own (the count, the
page's rows, their trainees' posts); agencies and cohort names are kept between requests. What the
rows read is in commitment_rows.py; how they are shown (HTML table, select options, spreadsheet)
in commitment_tables.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.directory import CHOICES_KEY, filter_choices
from cohorts.directory import directory as trainee_filter
from cohorts.models import Cohort, Enrolment
from egovexperts.core.text import fold
from trainees.agencies import AgencyDirectory, AsOf
from trainees.commitments import RUNNING, Evaluation, Status, breach_date_sql, evaluate, status_sql
from trainees.models import Agency, RetentionCommitment
from trainees.selectors import with_status

from .commitment_rows import (
    PAGE_SIZE,
    EverySoonestEndFirst,
    SoonestEndFirst,
    latest_enrolment,
    posts_of,
    row_values,
)

MAX_WINDOW_DAYS = 3650

# The order of statuses when sorting by status: what needs attention first.
STATUS_ORDER = [Status.BROKEN, Status.ENDING_SOON, Status.ACTIVE, Status.PENDING, Status.FULFILLED, Status.WAIVED]


class CommitmentFilter(django_filters.FilterSet):
    """The tracker's filters. Agency kind, region and agency apply to the agency in force today."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, method="with_status", empty_label=_("All")
    )
    agency_kind = django_filters.ChoiceFilter(
        label=_("Agency kind"), choices=Agency.Kind.choices, method="with_kind", empty_label=_("All")
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Agency.Region.choices, method="in_region", empty_label=_("All")
    )
    agency = django_filters.ChoiceFilter(label=_("Agency"), method="at_agency", empty_label=_("All"))
    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.order_by("starts_on", "pk"), method="in_cohort", empty_label=_("All")
    )
    ending_within = django_filters.NumberFilter(
        label=_("Ending within (days)"),
        method="ending_within_days",
        min_value=0,
        max_value=MAX_WINDOW_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_WINDOW_DAYS, "inputmode": "numeric"}),
    )

    class Meta:
        model = RetentionCommitment
        fields = ["status", "agency_kind", "region", "agency", "cohort", "ending_within"]

    def __init__(self, data, *, queryset, directory: AgencyDirectory, today: datetime.date):
        super().__init__(data, queryset=queryset)
        self.directory, self.today = directory, today
        in_force = sorted(directory.agencies_in_force(today), key=lambda agency: (agency.kind, agency.short_name))
        self.filters["agency"].extra["choices"] = [(str(agency.pk), agency.short_name) for agency in in_force]

    def _carried_by(self, keep) -> list[int]:
        """Ids of the agencies (recorded) whose agency in force today passes `keep`."""
        return [pk for pk in self.directory.by_id if keep(self.directory.in_force(pk, self.today))]

    def with_kind(self, queryset, name, value):
        return queryset.filter(agency_id__in=self._carried_by(lambda agency: agency.kind == value))

    def in_region(self, queryset, name, value):
        return queryset.filter(agency_id__in=self._carried_by(lambda agency: agency.region == value))

    def at_agency(self, queryset, name, value):
        # Commitments signed by the agency or by any it took over.
        return queryset.filter(agency_id__in=[agency.pk for agency in self.directory.lineage(int(value))])

    def in_cohort(self, queryset, name, value):
        return queryset.filter(Exists(Enrolment.objects.filter(cohort=value, trainee_id=OuterRef("trainee_id"))))

    def with_status(self, queryset, name, value):
        return annotate_status(queryset, today=self.today, directory=self.directory).filter(status=value)

    def ending_within_days(self, queryset, name, value):
        last_day = self.today + datetime.timedelta(days=int(value))
        queryset = annotate_status(queryset, today=self.today, directory=self.directory)
        return queryset.filter(status__in=RUNNING, ends_on__lte=last_day)


def annotate_status(queryset, *, today: datetime.date, directory: AgencyDirectory):
    """The status in SQL (trainees/commitments.py), added only when a filter or the sort needs
    it: the expression is long, and the rows shown get theirs from the rule itself."""
    if "status" in queryset.query.annotations:
        return queryset
    return with_status(queryset, today=today, directory=directory)


@dataclass(frozen=True)
class Column:
    key: str
    label: str


COLUMNS = [
    Column("trainee", _("Trainee")),
    Column("cohort", _("Cohort")),
    Column("agency", _("Committing agency")),
    Column("start", _("Start")),
    Column("end", _("End")),
    Column("days", _("Days left")),
    Column("status", _("Status")),
]
DEFAULT_SORT = "end"


def sort_of(data: QueryDict) -> str:
    sort = data.get("sort", DEFAULT_SORT)
    return sort if sort.removeprefix("-") in {column.key for column in COLUMNS} else DEFAULT_SORT


def ordered(queryset, sort: str, *, today: datetime.date, directory: AgencyDirectory):
    if sort.removeprefix("-") == "status":
        # The rank straight from the rule's SQL: one breach subquery per row (see status_sql).
        if "broken_on" not in queryset.query.annotations:
            spans = directory.carrier_spans()
            queryset = queryset.annotate(broken_on=breach_date_sql(today=today, spans=spans))
        ranks = {status: rank for rank, status in enumerate(STATUS_ORDER)}
        queryset = queryset.annotate(status_rank=status_sql(today=today, values=ranks))
    if sort.removeprefix("-") == "cohort":
        queryset = queryset.annotate(cohort_name=Subquery(latest_enrolment().values("cohort__name")[:1]))
    return queryset.order_by(*_ordering(sort, today, directory))


def agency_order(directory: AgencyDirectory, today: datetime.date) -> Case:
    """Each recorded agency's rank by the folded short name of the agency in force today."""
    names = {pk: fold(directory.in_force(pk, today).short_name) for pk in directory.by_id}
    ranks = {pk: rank for rank, pk in enumerate(sorted(names, key=lambda pk: (names[pk], pk)))}
    whens = [When(agency_id=pk, then=Value(rank)) for pk, rank in ranks.items()]
    return Case(*whens, default=Value(len(ranks)), output_field=IntegerField())


def _ordering(sort: str, today: datetime.date, directory: AgencyDirectory) -> list:
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key in ("end", "days"):
        if descending:
            return [F("ends_on").desc(), "-pk"]
        # Those still running first, the soonest end first; then those ended, the latest first
        # (as SoonestEndFirst reads them from the index, ties included).
        running = Case(When(ends_on__gt=today, then=F("ends_on")))
        running_id = Case(When(ends_on__gt=today, then=F("pk")))
        return [running.asc(nulls_last=True), F("ends_on").desc(), running_id.asc(nulls_last=True), F("pk").desc()]
    if key == "trainee":
        keys = [F("trainee__sort_key")]
    elif key == "cohort":  # those in no cohort last, on either database
        cohort = F("cohort_name")
        return [
            cohort.desc(nulls_last=True) if descending else cohort.asc(nulls_last=True),
            "-pk" if descending else "pk",
        ]
    elif key == "agency":
        # By the name of the agency in force today, as the rows show it: each recorded agency's
        # place in that order, from the resolver, as one CASE (no subquery per row).
        keys = [agency_order(directory, today), F("agency_id")]
    elif key == "start":
        keys = [F("starts_on")]
    else:  # status: what needs attention first (status_rank, see ordered())
        keys = [F("status_rank"), F("ends_on")]
    return [*(k.desc() if descending else k.asc() for k in keys), "-pk" if descending else "pk"]


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    sort_query: str  # the filters with the sort this header's link asks for
    direction: str | None  # aria-sort of the column sorted by: "ascending" or "descending"


@dataclass(slots=True)
class TrackerRow:
    """One commitment as plain values, for the tracker's Jinja2 partial and its exports."""

    pk: int
    trainee_id: int
    trainee_name: str
    trainee_email: str
    cohort_id: int | None
    cohort_name: str
    agency: AsOf  # short names: the agency in force today, the recorded one beside it when it differs
    agency_name: str  # recorded, in full
    agency_today_name: str  # the agency in force today that carries it, in full
    starts_on: datetime.date
    ends_on: datetime.date
    evaluation: Evaluation
    status_label: str
    waived_on: datetime.date | None
    waiver_reason: str
    waived_by: str
    document_ref: str
    agency_id: int = 0  # recorded

    @property
    def dates(self) -> tuple[str, str]:
        """Start and end as the table shows them (dd/mm/yyyy)."""
        return f"{self.starts_on:%d/%m/%Y}", f"{self.ends_on:%d/%m/%Y}"

    @property
    def days_left(self) -> int | None:
        """Days until the end of a commitment that still holds (or has yet to start)."""
        holds = self.evaluation.status in (*RUNNING, Status.PENDING)
        return self.evaluation.days_remaining if holds else None


@dataclass
class Tracker:
    filter: CommitmentFilter
    page: Page | None  # of TrackerRow; None when the filters are invalid
    sort: str
    today: datetime.date
    query: str  # the filters, without page and sort, for links
    headers: list[Header]
    cohorts: list[tuple[int, str]]  # the cohort options

    @property
    def sorted_query(self) -> str:
        """The filters and the sort: pagination and exports keep both."""
        return "&".join(part for part in (self.query, f"sort={self.sort}") if part)


def headers_of(query: QueryDict, sort: str) -> list[Header]:
    headers = []
    for column in COLUMNS:
        current = sort.removeprefix("-") == column.key
        descending = sort.startswith("-")
        link = query.copy()
        link["sort"] = f"-{column.key}" if current and not descending else column.key
        direction = ("descending" if descending else "ascending") if current else None
        headers.append(Header(column.key, column.label, link.urlencode(), direction))
    return headers


def filtered(
    data: QueryDict | None, *, today: datetime.date, directory: AgencyDirectory
) -> tuple[CommitmentFilter, QuerySet[RetentionCommitment] | None]:
    """The filtered commitments, None when the filters are invalid (`status` annotated when a
    filter uses it)."""
    queryset = RetentionCommitment.objects.all()
    filterset = CommitmentFilter(data or None, queryset=queryset, directory=directory, today=today)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None
    return filterset, filterset.qs


def _unfiltered(filterset: CommitmentFilter) -> bool:
    """No filter narrows the list (the tracker as it opens, or only sorted or paged)."""
    if not filterset.is_bound:
        return True
    return all(filterset.form.cleaned_data.get(name) in (None, "") for name in filterset.filters)


def rows_of(
    values: list,
    *,
    today: datetime.date,
    directory: AgencyDirectory,
    cohort_names: dict[int, str],
    trainees: QuerySet | None = None,
) -> list[TrackerRow]:
    """Rows from row_values(), in their order, with their status: one query (their trainees' posts,
    through `trainees`, a subquery of their ids, when there are many).

    The status comes from the rule itself (commitments.evaluate) over the posts: lists filter and
    sort by its SQL twin, rows show what the rule says.
    """
    posts = posts_of(trainees if trainees is not None else [value.trainee_id for value in values])
    labels = {value: str(label) for value, label in Status.choices}  # translated once
    rows = []
    for value in values:
        shown = directory.as_of(value.agency_id, today)
        evaluation = evaluate(
            agency_id=value.agency_id,
            starts_on=value.starts_on,
            ends_on=value.ends_on,
            waived=value.waived_on is not None,
            posts=posts.get(value.trainee_id, ()),
            carrier=directory.carrier,
            today=today,
        )
        rows.append(
            TrackerRow(
                pk=value.pk,
                trainee_id=value.trainee_id,
                trainee_name=value.trainee_name,
                trainee_email=value.trainee_email,
                cohort_id=value.cohort_id,
                cohort_name=cohort_names.get(value.cohort_id, ""),
                agency=shown,
                agency_name=directory.by_id[value.agency_id].name_vi,
                agency_today_name=shown.agency.name_vi,
                starts_on=value.starts_on,
                ends_on=value.ends_on,
                evaluation=evaluation,
                status_label=labels[evaluation.status],
                waived_on=value.waived_on,
                waiver_reason=value.waiver_reason,
                waived_by=getattr(value, "waived_by", None) or "",
                document_ref=value.document_ref,
                agency_id=value.agency_id,
            )
        )
    return rows


def tracker(
    data: QueryDict, *, page_number=None, today: datetime.date | None = None, per_page: int = PAGE_SIZE
) -> Tracker:
    """A page of the tracker: the count, the page's rows, their trainees' posts (three queries;
    agencies and cohorts are kept). SQL computes statuses only where a filter or the sort needs
    them; the rows shown get theirs from the rule."""
    today = today or timezone.localdate()
    directory = AgencyDirectory.cached()
    cohorts = cohort_choices(directory)
    filterset, queryset = filtered(data, today=today, directory=directory)
    sort = sort_of(data)
    query = data.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    page = None
    if queryset is not None:
        if sort == DEFAULT_SORT and _unfiltered(filterset):
            values = EverySoonestEndFirst(today=today)  # prepared: the tracker as it opens
        elif sort == DEFAULT_SORT:
            values = SoonestEndFirst(queryset, today=today)
        else:
            values = row_values(ordered(queryset, sort, today=today, directory=directory))
        page = Paginator(values, per_page).get_page(page_number)
        rows = list(page.object_list)
        page.object_list = rows_of(rows, today=today, directory=directory, cohort_names=dict(cohorts))
    headers = headers_of(query, sort)
    return Tracker(
        filter=filterset, page=page, sort=sort, today=today, query=query.urlencode(), headers=headers, cohorts=cohorts
    )


def export_rows(data: QueryDict, *, today: datetime.date | None = None) -> list[TrackerRow]:
    """Every filtered commitment, in the tracker's order."""
    today = today or timezone.localdate()
    directory = AgencyDirectory.cached()
    _filterset, queryset = filtered(data, today=today, directory=directory)
    if queryset is None:
        return []
    values = list(row_values(ordered(queryset, sort_of(data), today=today, directory=directory), authors=True))
    names = dict(cohort_choices(directory))
    trainees = queryset.order_by().values("trainee_id")  # a subquery, not thousands of parameters
    return rows_of(values, today=today, directory=directory, cohort_names=names, trainees=trainees)


def cohort_choices(directory: AgencyDirectory) -> list[tuple[int, str]]:
    """The cohorts as (id, name), kept in the cache with the directory's filter options (read
    straight from the cache first: building the directory's filter only to find them costs more)."""
    kept = cache.get(f"{CHOICES_KEY}:{timezone.localdate()}")
    return (kept or filter_choices(trainee_filter(None, agencies=directory)))["cohort"]
