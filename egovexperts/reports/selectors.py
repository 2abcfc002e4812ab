"""The programme dashboard: figures from every app, computed in a fixed number of queries.

The figures aggregate every attendance row of the programme (hundreds of thousands), so
they are cached under a version of the data: the highest ids of the tables they read, of
their history tables (every save, import and revert writes a history row) and of the import
log (its revert time too: a revert changes many rows at once). Any recorded change gives a new version, hence fresh
figures; time moves the version every CACHE_MINUTES. The page caches its rendered figures
under the same version (see reports/dashboard.html).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Course, Session
from egovexperts.imports.models import ImportRun
from trainees.agencies import AgencyDirectory
from trainees.commitments import Status as CommitmentStatus
from trainees.models import Assignment, RetentionCommitment, Trainee
from trainees.selectors import commitments_with_status

from . import coverage, dashboard_progress

CACHE_MINUTES = 5
LIST_LENGTH = 10


@dataclass
class CourseRate:
    course: Course
    attended: int
    counted: int

    @property
    def percent(self):
        return round(self.attended * 100 / self.counted, 1) if self.counted else None


@dataclass
class BehindRow:
    trainee_id: int
    full_name: str
    course: Course
    percent: object
    required: int
    at_risk: bool


@dataclass
class Dashboard:
    as_of: datetime.datetime
    cohorts: list
    next_sessions: list
    unrecorded_sessions: list
    unrecorded_count: int
    course_rates: list  # the lowest rates first, LIST_LENGTH * 2 at most
    course_count: int
    behind: list
    behind_count: int
    at_risk_count: int
    commitments_ending: list = field(default_factory=list)
    commitments_broken: list = field(default_factory=list)
    commitments_ending_count: int = 0  # the lists show LIST_LENGTH; the tracker has them all
    commitments_broken_count: int = 0
    # Provinces and cities, then ministries and ministry-level agencies, with an expert in post today.
    coverage: tuple[int, int, int, int] = (0, 0, 0, 0)


def _fingerprint(
    models=(Attendance, Session, Course, Enrolment, Cohort, RetentionCommitment, Assignment, Trainee),
) -> str:
    """Highest ids of the tables the dashboard reads (one query, each an index lookup)."""
    # Table and column names come from the models' own metadata, never from input (hence nosec).
    columns = [f"SELECT MAX({m._meta.pk.column}) FROM {m._meta.db_table}" for m in [*models, ImportRun]]  # nosec B608
    columns += [f"SELECT MAX(history_id) FROM {m.history.model._meta.db_table}" for m in models]  # nosec B608
    # A revert restores values in bulk and keeps the run's id: its time counts too.
    columns.append(f"SELECT MAX(reverted_at) FROM {ImportRun._meta.db_table}")  # nosec B608
    with connection.cursor() as cursor:
        # Table names come from the models, not from input.
        cursor.execute("SELECT " + ", ".join(f"({column})" for column in columns))
        return ":".join(str(value or 0) for value in cursor.fetchone())


def dashboard_version(*, now: datetime.datetime | None = None, **tables) -> str:
    """Changes whenever the figures may have: with the data, and every CACHE_MINUTES."""
    now = now or timezone.now()
    return f"{int(now.timestamp() // (CACHE_MINUTES * 60))}:{_fingerprint(**tables)}"


def dashboard(*, now: datetime.datetime | None = None, version: str | None = None) -> Dashboard:
    now = now or timezone.now()
    key = f"reports:dashboard:{version or dashboard_version(now=now)}"
    figures = cache.get(key)
    if figures is None:
        figures = compute_dashboard(now=now)
        cache.set(key, figures, CACHE_MINUTES * 60)
    return figures


def _commitments(today: datetime.date, directory: AgencyDirectory | None = None):
    """Commitments ending soon and broken ones; only plausible candidates are evaluated."""
    soon = today + datetime.timedelta(days=settings.COMMITMENT_ENDING_SOON_DAYS)
    departed = Assignment.objects.filter(
        trainee=OuterRef("trainee_id"),
        ends_on__isnull=False,
        ends_on__lt=OuterRef("ends_on"),
        ends_on__lte=today,
        # A departure the day before the start breaks it too. Two days, not one: SQLite compares
        # the shifted date as a "YYYY-MM-DD 00:00:00" string. Python evaluates candidates exactly.
        ends_on__gte=OuterRef("starts_on") - datetime.timedelta(days=2),
    )
    # Those with a departure are found once, as a set: an OR with EXISTS would make PostgreSQL
    # look for posts once per commitment (15 ms at 10,000 commitments, most of a cache miss).
    departures = RetentionCommitment.objects.filter(Exists(departed)).values("pk")
    candidates = RetentionCommitment.objects.filter(waived_on__isnull=True).filter(
        Q(ends_on__gt=today, ends_on__lte=soon) | Q(pk__in=departures, starts_on__lte=today)
    )
    evaluated = commitments_with_status(candidates.order_by("ends_on", "pk"), today=today, directory=directory)
    ending = [c for c in evaluated if c.evaluation.status == CommitmentStatus.ENDING_SOON]
    broken = [c for c in evaluated if c.evaluation.status == CommitmentStatus.BROKEN]
    broken.sort(key=lambda c: c.evaluation.broken_on, reverse=True)
    agencies = directory or AgencyDirectory.cached()
    for commitment in ending + broken:  # the committing agency as of today, as every page shows it
        commitment.agency_as_of = agencies.as_of(commitment.agency_id, today)
    return ending, broken


def _posts_and_commitments(now: datetime.datetime):
    """Commitments ending soon and broken, and today's coverage: they read only posts and
    commitments, so they are kept under a version of those tables alone, and a change of
    attendance (the common one: marks during a class) does not compute them again."""
    key = f"reports:dashboard:commitments:{dashboard_version(now=now, models=(RetentionCommitment, Assignment))}"
    figures = cache.get(key)
    if figures is None:
        directory = AgencyDirectory.cached()
        today = timezone.localdate(now)
        figures = (*_commitments(today, directory), coverage.summary(on=today, directory=directory))
        cache.set(key, figures, CACHE_MINUTES * 60)
    return figures


def compute_dashboard(*, now: datetime.datetime) -> Dashboard:
    cohorts = list(Cohort.objects.select_related("programme"))
    sessions = Session.objects.select_related("course__cohort")
    next_sessions = list(sessions.upcoming(now).order_by("starts_at", "pk")[:LIST_LENGTH])
    unrecorded = sessions.held(now).filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
    unrecorded_list = list(unrecorded.order_by("-starts_at", "-pk")[:LIST_LENGTH])
    unrecorded_count = unrecorded.count() if len(unrecorded_list) == LIST_LENGTH else len(unrecorded_list)

    courses = {course.pk: course for course in Course.objects.select_related("cohort").order_by("year", "code")}
    # Attendance figures per cohort, recomputed only for the cohorts changed since last time.
    kept = dashboard_progress.cohort_figures(
        now=now, cohort_ids={cohort.pk for cohort in cohorts}, courses={pk: c.cohort_id for pk, c in courses.items()}
    )
    rates = {pk: CourseRate(course, 0, 0) for pk, course in courses.items()}
    behind = []
    for cohort in cohorts:  # as Cohort.objects.with_counts() would count them
        enrolments = kept[cohort.pk].enrolments if cohort.pk in kept else {}
        cohort.enrolled_count = sum(enrolments.values())
        cohort.active_count = enrolments.get(Enrolment.Status.ACTIVE, 0)
        cohort.completed_count = enrolments.get(Enrolment.Status.COMPLETED, 0)
        cohort.withdrawn_count = enrolments.get(Enrolment.Status.WITHDRAWN, 0)
    for figures in kept.values():
        for course_id, (attended, counted) in figures.rates.items():
            if course_id in rates:
                rates[course_id].attended, rates[course_id].counted = attended, counted
        behind.extend(figures.behind)
    behind.sort(reverse=True)
    behind_count = sum(figures.behind_count for figures in kept.values())
    at_risk = sum(figures.at_risk_count for figures in kept.values())
    shown = behind[: LIST_LENGTH * 2]
    names = dict(Trainee.objects.filter(pk__in=[row[2] for row in shown]).values_list("pk", "full_name"))
    behind_rows = [
        BehindRow(trainee_id, names.get(trainee_id, ""), courses[course_id], p.percent, p.required_percent, p.at_risk)
        for _risk, _percent, trainee_id, course_id, p in shown
    ]
    held_rates = sorted((rate for rate in rates.values() if rate.counted), key=lambda rate: rate.percent)
    ending, broken, today_coverage = _posts_and_commitments(now)
    return Dashboard(
        as_of=now,
        cohorts=cohorts,
        next_sessions=next_sessions,
        unrecorded_sessions=unrecorded_list,
        unrecorded_count=unrecorded_count,
        course_rates=held_rates[: LIST_LENGTH * 2],
        course_count=len(held_rates),
        behind=behind_rows,
        behind_count=behind_count,
        at_risk_count=at_risk,
        commitments_ending=ending[:LIST_LENGTH],
        commitments_broken=broken[:LIST_LENGTH],
        commitments_ending_count=len(ending),
        commitments_broken_count=len(broken),
        coverage=today_coverage,
    )
