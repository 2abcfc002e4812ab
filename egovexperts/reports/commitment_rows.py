"""What the commitment tracker reads for its rows (commitments.py shows them): a row's values,
the default order read as two ranges of an index, and the posts of a page's trainees.

The tracker as it opens (no filter, the default order) is the page organizers read most: its
queries are prepared (egovexperts/core/prepared.py), built and compiled once per process (and
per window of rows), since the ORM took longer to build them than the database to run them.
Filtered lists go through the ORM, each filter giving the query another shape.
"""

from __future__ import annotations

import datetime
import functools
from collections import namedtuple
from collections.abc import Iterable

from django.db.models import Case, Count, DateField, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.functional import cached_property

from cohorts.models import Enrolment
from egovexperts.core.prepared import PreparedQuery, Slot
from trainees.commitments import Post
from trainees.models import Assignment, RetentionCommitment, Trainee

PAGE_SIZE = 50

ROW_FIELDS = (
    "pk",
    "trainee_id",
    "trainee_name",
    "trainee_email",
    "cohort_id",
    "agency_id",
    "starts_on",
    "ends_on",
    "waived_on",
    "waiver_reason",
    "document_ref",
)


def latest_enrolment():
    """The enrolments of the outer row's trainee, the latest first."""
    return Enrolment.objects.filter(trainee_id=OuterRef("trainee_id")).order_by("-enrolled_on", "-pk")


def _with_names(queryset: QuerySet[RetentionCommitment]) -> QuerySet[RetentionCommitment]:
    trainee = Trainee.objects.filter(pk=OuterRef("trainee_id"))
    return queryset.annotate(
        trainee_name=Subquery(trainee.values("full_name")[:1]),
        trainee_email=Subquery(trainee.values("email")[:1]),
        cohort_id=Subquery(latest_enrolment().values("cohort_id")[:1]),
    )


def row_values(queryset: QuerySet[RetentionCommitment], *, authors: bool = False):
    """What a row shows, as values: trainee and cohort by subqueries, which the database runs
    for the rows of the page only (after sorting and limiting narrow rows, not before). `authors`
    adds who recorded each waiver (django-simple-history keeps the user of each change)."""
    queryset = _with_names(queryset)
    if not authors:
        return queryset.values_list(*ROW_FIELDS, named=True)
    waiver = RetentionCommitment.history.filter(id=OuterRef("pk"), waived_on__isnull=False)
    author = Subquery(waiver.order_by("history_date").values("history_user__email")[:1])
    queryset = queryset.annotate(waived_by=Case(When(waived_on__isnull=False, then=author)))
    return queryset.values_list(*ROW_FIELDS, "waived_by", named=True)


class SoonestEndFirst:
    """The default order, for a Paginator: the commitments still to end, the soonest first, then
    those ended, the latest first; the same rows as ordered(queryset, "end"), read as two ranges
    of the index on (ends_on, id) rather than by sorting every commitment."""

    def __init__(self, queryset: QuerySet[RetentionCommitment], *, today: datetime.date):
        self.queryset, self.today = queryset, today

    @cached_property
    def running(self):
        return row_values(self.queryset.filter(ends_on__gt=self.today).order_by("ends_on", "pk"))

    @cached_property
    def ended(self):
        return row_values(self.queryset.filter(ends_on__lte=self.today).order_by("-ends_on", "-pk"))

    @cached_property
    def counts(self) -> tuple[int, int]:
        """How many there are, and how many still to end: one query."""
        running = Count("pk", filter=Q(ends_on__gt=self.today))
        counts = self.queryset.order_by().aggregate(total=Count("pk"), running=running)
        return counts["total"], counts["running"]

    def _rows(self, running: bool, start: int, stop: int) -> list:
        return list((self.running if running else self.ended)[start:stop])

    @property
    def running_count(self) -> int:
        return self.counts[1]

    def count(self) -> int:
        return self.counts[0]

    def __getitem__(self, window: slice) -> list:
        start, stop = window.start or 0, window.stop
        rows = self._rows(True, start, stop) if start < self.running_count else []
        if stop > self.running_count:
            rows += self._rows(False, max(start - self.running_count, 0), stop - self.running_count)
        return rows


class EverySoonestEndFirst(SoonestEndFirst):
    """The same, of every commitment (the tracker as it opens), through prepared queries."""

    def __init__(self, *, today: datetime.date):
        super().__init__(RetentionCommitment.objects.all(), today=today)

    @cached_property
    def counts(self) -> tuple[int, int]:
        return COUNTS.rows(today=self.today)[0]

    def _rows(self, running: bool, start: int, stop: int) -> list:
        row = _row_class()
        return [row(*values) for values in _window(running, start, stop).rows(today=self.today)]


def _counts():
    running = Count("pk", filter=Q(ends_on__gt=Slot("today", DateField())))
    every = RetentionCommitment.objects.order_by().annotate(every=Value(1, IntegerField())).values("every")
    return every.annotate(total=Count("pk"), running=running).values_list("total", "running")  # one row


COUNTS = PreparedQuery(_counts, convert=True)


def _ordered_range(running: bool) -> QuerySet[RetentionCommitment]:
    today = Slot("today", DateField())
    if running:
        return RetentionCommitment.objects.filter(ends_on__gt=today).order_by("ends_on", "pk")
    return RetentionCommitment.objects.filter(ends_on__lte=today).order_by("-ends_on", "-pk")


@functools.cache
def _row_class() -> type:
    """Rows named as row_values() names them, in the order of the prepared query's SELECT."""
    query = _with_names(RetentionCommitment.objects.all()).values_list(*ROW_FIELDS).query
    return namedtuple("Row", query.selected)


@functools.lru_cache(maxsize=64)
def _window(running: bool, start: int, stop: int) -> PreparedQuery:
    """A window of rows of one range, prepared once per window (the first pages are the ones read)."""
    rows = lambda: _with_names(_ordered_range(running)).values_list(*ROW_FIELDS)[start:stop]  # noqa: E731
    return PreparedQuery(rows, convert=True)


# --- Posts of a page's trainees ------------------------------------------------------------


def _page_posts():
    trainees = [Slot(f"trainee{index}", IntegerField()) for index in range(PAGE_SIZE)]
    held = Assignment.objects.filter(trainee__id__in=trainees).order_by("starts_on", "pk")
    return held.values_list("trainee_id", "agency_id", "starts_on", "ends_on")


# As many trainees as a page has rows; a page with fewer fills the others with no trainee's id.
PAGE_POSTS = PreparedQuery(_page_posts, convert=True)


def posts_of(trainees: Iterable[int] | QuerySet) -> dict[int, list[Post]]:
    """The posts of some trainees, oldest first: one query, prepared for a page's trainees."""
    posts: dict[int, list[Post]] = {}
    if isinstance(trainees, QuerySet) or len(trainees := set(trainees)) > PAGE_SIZE:
        held = Assignment.objects.filter(trainee_id__in=trainees).order_by("starts_on", "pk")
        rows = held.values_list("trainee_id", "agency_id", "starts_on", "ends_on")
    else:
        slots = dict.fromkeys((f"trainee{index}" for index in range(PAGE_SIZE)), 0)
        slots.update((f"trainee{index}", pk) for index, pk in enumerate(trainees))
        rows = PAGE_POSTS.rows(**slots)
    for trainee_id, *post in rows:
        posts.setdefault(trainee_id, []).append(Post(*post))
    return posts
