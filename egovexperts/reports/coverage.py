"""Coverage of the ministries and provinces as of any date: who has a trained expert in post,
whose commitments hold, and whose last guarantee ends soon.

One row per agency in force on the date, of the kinds the programme covers: the ministries and
ministry-level agencies of the Government, and the provinces and centrally-run cities. Government
agencies (Vietnam Television, the Academy of Sciences, ...) are not in the programme's list of
agencies bound by a commitment, and the reference data holds none: they get no row.

It is a historical query, not today's data renamed: the posts held on the date (Assignment
history) and the commitments' states on that date, each carried to the agency in force on that
date by the one resolver (a post recorded at Hà Giang counts for Hà Giang in 2021 and for Tuyên
Quang from 1 July 2025). Five queries at most whatever the number of trainees; the roll-up in Python
walks the few dozen rows per agency or per commitment group that SQL returns. The queries are
prepared (egovexperts/core/prepared.py): built and compiled once per process, since the ORM took
longer to build them than the database to run the shortest.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import tablib
from django.db.models import Count, DateField, IntegerField, Q, Value
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from egovexperts.core.prepared import PreparedQuery, Slot
from trainees.agencies import AgencyDirectory
from trainees.commitment_status import (
    FIELDS,
    evaluate_on,
    may_be_broken,
    status_by_dates,
    waived_as_of,
)
from trainees.commitments import RUNNING, Post, Status
from trainees.models import Agency, Assignment, RetentionCommitment

KINDS = (Agency.Kind.MINISTRY, Agency.Kind.MINISTRY_LEVEL, Agency.Kind.PROVINCE, Agency.Kind.CITY)
CENTRAL = (Agency.Kind.MINISTRY, Agency.Kind.MINISTRY_LEVEL)
GUARANTEE_MONTHS = 6
FIRST_QUARTER = datetime.date(2020, 1, 1)  # the first cohort began in 2020


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, or that month's last day (31 August + 6 months = end of February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(slots=True)
class CoverageRow:
    agency: Agency
    code: str  # the official code on the date (codes were reassigned on 1 July 2025)
    experts_in_post: int = 0
    active_commitments: int = 0
    broken: int = 0
    fulfilled: int = 0
    next_end: datetime.date | None = None  # the first end of a running commitment
    guaranteed_until: datetime.date | None = None  # the last end of a running or signed commitment

    @property
    def name(self) -> str:
        return self.agency.name_vi

    @property
    def kind(self) -> str:
        return self.agency.kind

    @property
    def is_central(self) -> bool:
        return self.agency.kind in CENTRAL

    @property
    def covered(self) -> bool:
        return self.experts_in_post > 0


@dataclass(slots=True)
class QuarterRow:
    year: int
    quarter: int
    ends_on: datetime.date  # the quarter's last day, or the date of the report in its own quarter
    active: int = 0  # running at the end of the quarter
    fulfilled: int = 0  # fulfilled during the quarter
    broken: int = 0  # broken during the quarter

    @property
    def label(self) -> str:
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}


@dataclass(slots=True)
class RegionRow:
    region: str
    label: str
    covered: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.covered * 100 / self.total) if self.total else 0


@dataclass
class Coverage:
    on: datetime.date
    rows: list[CoverageRow]  # ministries, ministry-level agencies, then provinces and cities by code
    quarters: list[QuarterRow] = field(default_factory=list)

    @cached_property
    def central(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.is_central]

    @cached_property
    def provincial(self) -> list[CoverageRow]:
        return [row for row in self.rows if not row.is_central]

    @cached_property
    def central_covered(self) -> int:
        return sum(row.covered for row in self.central)

    @cached_property
    def provincial_covered(self) -> int:
        return sum(row.covered for row in self.provincial)

    @cached_property
    def uncovered(self) -> list[CoverageRow]:
        return [row for row in self.rows if not row.covered]

    @cached_property
    def losing_guarantee(self) -> list[tuple[CoverageRow, int]]:
        """Agencies whose last running or signed commitment ends within GUARANTEE_MONTHS, soonest
        first, each with the days left."""
        limit = add_months(self.on, GUARANTEE_MONTHS)
        losing = [row for row in self.rows if row.guaranteed_until and row.guaranteed_until <= limit]
        losing.sort(key=lambda row: (row.guaranteed_until, row.agency.pk))
        return [(row, (row.guaranteed_until - self.on).days) for row in losing]

    @cached_property
    def losing_ids(self) -> set[int]:
        return {row.agency.pk for row, _days in self.losing_guarantee}

    @cached_property
    def regions(self) -> list[RegionRow]:
        covered, total = Counter(), Counter()
        for row in self.provincial:
            total[row.agency.region] += 1
            covered[row.agency.region] += row.covered
        return [
            RegionRow(value, label, covered[value], total[value])
            for value, label in Agency.Region.choices
            if total[value]
        ]


def summary(*, on: datetime.date, directory: AgencyDirectory | None = None) -> tuple[int, int, int, int]:
    """(provincial agencies with an expert in post, provincial agencies, central ones with, central ones).

    One or two queries: the dashboard's line, without the commitments.
    """
    directory = directory or AgencyDirectory.cached()
    rows = _rows(directory, on)
    _count_experts(rows, directory, on)
    provincial = [row for row in rows.values() if not row.is_central]
    central = [row for row in rows.values() if row.is_central]
    return (
        sum(row.covered for row in provincial),
        len(provincial),
        sum(row.covered for row in central),
        len(central),
    )


def coverage(*, on: datetime.date) -> Coverage:
    """Every agency's row on `on`, and the commitments per quarter since 2020: five queries at most
    (four while the agencies are kept in the process, two when no post ended by the date)."""
    directory = AgencyDirectory.cached()  # the agencies, kept per process while they stay unchanged
    rows = _rows(directory, on)
    posts = _count_experts(rows, directory, on)  # queries 2a and 2b: posts held on the date
    quarters = _quarters(on)
    _count_commitments(rows, quarters, directory, on, departures=posts.ended)  # queries 3 and 4
    return Coverage(on=on, rows=sorted(rows.values(), key=_order), quarters=quarters)


def _on() -> Slot:
    """The date of a report, in its prepared queries."""
    return Slot("on", DateField())


def _held_twice():
    """The posts held on the date by trainees who hold a closed post that day, each trainee's in
    the order they started."""
    held = Assignment.objects.held_on(_on())
    closed = held.filter(ends_on__isnull=False).values("trainee_id")
    ordered = held.filter(trainee_id__in=closed).order_by("trainee_id", "starts_on", "pk")
    return ordered.values_list("trainee_id", "agency_id")


def _posts_per_agency():
    """Per agency, its posts; those not begun by the date, those ended before it and those held
    that day but closed since. Held on the date: every post but the first two. Two reads, each of
    an index: every post by agency (its agency's index), and only those with a start after the
    date or an end (the index on trainee and dates); one scan of every post, comparing dates,
    took twice as long. The last two also say whether queries 2b and 4 can find anything (a
    trainee holds two posts on a day only if one is closed; a commitment is broken only by a
    departure)."""
    on, none = _on(), Value(0, IntegerField())
    every = Assignment.objects.order_by().values_list("agency_id")
    every = every.annotate(posts=Count("*"), future=none, ended=none, held_closed=none)
    dated = Assignment.objects.filter(Q(starts_on__gt=on) | Q(ends_on__isnull=False)).order_by()
    dated = dated.values_list("agency_id").annotate(
        posts=none,
        future=Count("pk", filter=Q(starts_on__gt=on)),
        ended=Count("pk", filter=Q(ends_on__lt=on)),
        held_closed=Count("pk", filter=Q(starts_on__lte=on, ends_on__gte=on)),
    )
    return every.union(dated, all=True)


POSTS_PER_AGENCY = PreparedQuery(_posts_per_agency, convert=True)
HELD_TWICE = PreparedQuery(_held_twice)
COMMITMENT_GROUPS = PreparedQuery(
    lambda: RetentionCommitment.objects.order_by()
    .values_list("agency_id", "starts_on", "ends_on", "waived_on")
    .annotate(commitments=Count("*")),  # not Count("pk"): an index of these columns alone can answer it
    convert=True,
)
# Those a departure may have broken, each with its trainee's posts (one row per post; the posts
# are read only for these few).
CANDIDATES = PreparedQuery(
    lambda: RetentionCommitment.objects.filter(may_be_broken(_on()))
    .order_by("pk", "trainee__assignments__starts_on", "trainee__assignments__pk")
    .values_list(
        *FIELDS,
        "trainee__assignments__agency_id",
        "trainee__assignments__starts_on",
        "trainee__assignments__ends_on",
    ),
    convert=True,
)


def _order(row: CoverageRow) -> tuple:
    """Ministries, then ministry-level agencies, in the Government's order (the reference data's);
    then provinces and cities by official code."""
    if row.is_central:
        return (0, row.kind != Agency.Kind.MINISTRY, row.agency.pk)
    return (1, row.code, row.agency.pk)


def _rows(directory: AgencyDirectory, on: datetime.date) -> dict[int, CoverageRow]:
    return {agency.pk: CoverageRow(agency, agency.code_on(on)) for agency in directory.agencies_in_force(on, KINDS)}


@dataclass(frozen=True)
class _Posts:
    held_closed: int  # posts held on the date and closed since
    ended: int  # posts that ended before the date


def _count_experts(rows: dict[int, CoverageRow], directory: AgencyDirectory, on: datetime.date) -> _Posts:
    """Each trainee once, under the agency in force that carries the post they held on `on`.

    Query 2a counts the posts held that day per agency. A trainee holding two that day (a
    promotion recorded before the old post was closed) counts once, for the one started last,
    as in Trainee.objects.with_current_post(): one of the two is then a closed post, since a
    trainee has one open post at most, so query 2b reads the posts held that day by trainees
    with a closed one (few; none to read when no post held that day is closed), and the others
    are taken out of the count.
    """
    counts, held_closed, ended = Counter(), 0, 0
    for agency_id, posts, future, gone, closed in POSTS_PER_AGENCY.rows(on=on):
        counts[agency_id] += posts - future - gone
        held_closed, ended = held_closed + closed, ended + gone
    if held_closed:
        for _trainee_id, posts in groupby(HELD_TWICE.rows(on=on), key=itemgetter(0)):
            for _trainee_id, agency_id in list(posts)[:-1]:  # all but the one started last
                counts[agency_id] -= 1
    for agency_id, experts in counts.items():
        row = rows.get(directory.in_force(agency_id, on).pk)
        if row is not None:
            row.experts_in_post += experts
    return _Posts(held_closed, ended)


def _quarters(on: datetime.date) -> list[QuarterRow]:
    quarters = []
    year, quarter = FIRST_QUARTER.year, 1
    while datetime.date(year, 3 * quarter - 2, 1) <= on:
        last_day = add_months(datetime.date(year, 3 * quarter - 2, 1), 3) - datetime.timedelta(days=1)
        quarters.append(QuarterRow(year, quarter, min(last_day, on)))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return quarters


def _count_commitments(
    rows: dict[int, CoverageRow],
    quarters: list[QuarterRow],
    directory: AgencyDirectory,
    on: datetime.date,
    *,
    departures: int,
) -> None:
    """States on `on` per agency, and per quarter for the chart, through trainees/commitment_status.

    Query 3 counts every commitment by groups of equal agency and dates; query 4 lists those a
    departure may have broken, with their trainee's posts (none to read when no post ended before
    the date: `departures`): they are taken out of their group and evaluated one by one through
    commitments.py.
    """
    groups = Counter({tuple(key): count for *key, count in COMMITMENT_GROUPS.rows()})
    candidates, posts = [], {}
    for pk, values in groupby(CANDIDATES.rows(on=on) if departures else (), key=itemgetter(0)):
        values = list(values)
        candidates.append(dict(zip(FIELDS, values[0][: len(FIELDS)], strict=True)))
        posts[pk] = [Post(*post[len(FIELDS) :]) for post in values if post[len(FIELDS)] is not None]
    for row in candidates:
        groups[row["agency_id"], row["starts_on"], row["ends_on"], row["waived_on"]] -= 1
    per_dates, statuses = Counter(), {}  # agencies share sets of dates (a cohort's): each decided once
    for (agency_id, starts_on, ends_on, waived_on), count in groups.items():
        if count:
            dates = starts_on, ends_on, waived_on
            if dates not in statuses:
                statuses[dates] = status_by_dates(starts_on=starts_on, ends_on=ends_on, waived_on=waived_on, on=on)
            _add(rows.get(directory.in_force(agency_id, on).pk), statuses[dates], ends_on, count)
            per_dates[dates] += count
    # The chart needs no agency: each set of dates is followed through the quarters once.
    for (starts_on, ends_on, waived_on), count in per_dates.items():

        def status_at(day, starts_on=starts_on, ends_on=ends_on, waived_on=waived_on):
            return status_by_dates(starts_on=starts_on, ends_on=ends_on, waived_on=waived_on, on=day)

        _add_quarters(quarters, status_at, count)

    for row in candidates:
        evaluation = evaluate_on(row, posts[row["pk"]], directory=directory, on=on)

        def status_at(day, row=row, broken_on=evaluation.broken_on):
            # evaluate() on an earlier day finds the same first breach if it came by then:
            # a breach depends on the posts, the day only caps the search.
            if waived_as_of(row["waived_on"], day):
                return Status.WAIVED
            if broken_on is not None and broken_on <= day:
                return Status.BROKEN
            return status_by_dates(starts_on=row["starts_on"], ends_on=row["ends_on"], waived_on=None, on=day)

        _add(rows.get(directory.in_force(row["agency_id"], on).pk), evaluation.status, row["ends_on"], 1)
        _add_quarters(quarters, status_at, 1)


def _add(row: CoverageRow | None, status: Status, ends_on: datetime.date, count: int) -> None:
    if row is None:  # an agency outside the rows (not in force on the date, or of another kind)
        return
    if status in RUNNING:
        row.active_commitments += count
        row.next_end = min(row.next_end or ends_on, ends_on)
    if status in (*RUNNING, Status.PENDING):
        row.guaranteed_until = max(row.guaranteed_until or ends_on, ends_on)
    row.broken += count * (status == Status.BROKEN)
    row.fulfilled += count * (status == Status.FULFILLED)


def _add_quarters(quarters: list[QuarterRow], status_at, count: int) -> None:
    before = status_at(FIRST_QUARTER - datetime.timedelta(days=1))
    for quarter in quarters:
        now = status_at(quarter.ends_on)
        quarter.active += count * (now in RUNNING)
        quarter.fulfilled += count * (now == Status.FULFILLED and before != Status.FULFILLED)
        quarter.broken += count * (now == Status.BROKEN and before != Status.BROKEN)
        before = now


EXPORT_COLUMNS = ("code", "name", "kind", "experts_in_post", "active_commitments", "broken", "fulfilled")


def dataset(*, on: datetime.date) -> tablib.Dataset:
    """The rows of the page, for CSV and XLSX (cells are escaped by egovexperts.imports.exports.render)."""
    data = tablib.Dataset(headers=list(EXPORT_COLUMNS), title=f"coverage {on:%Y-%m-%d}")
    for row in coverage(on=on).rows:
        data.append([getattr(row, column) for column in EXPORT_COLUMNS])
    return data
