"""The completion rule of completion.py, computed in SQL for many trainees at once.

`progress_of()` in completion.py decides for one trainee from a list of sessions; pages that
show hundreds of trainees (cohort page, dashboard) need the same answer from two grouped
queries instead. tests/courses/test_progress.py checks both agree on a table of cases.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cohorts.models import Enrolment

from .completion import ATTENDED_STATUSES, EXCUSED_STATUS, Progress
from .models import Attendance, Course, Session


@dataclass(frozen=True)
class Window:
    """The days a trainee's enrolment in a cohort covers."""

    trainee_id: int
    cohort_id: int
    enrolled_on: datetime.date
    ended_on: datetime.date | None = None


def _counts_in_window(days: list[tuple[datetime.date, bool]], window: Window) -> tuple[int, int]:
    held = upcoming = 0
    for day, was_held in days:
        if day < window.enrolled_on or (window.ended_on is not None and day > window.ended_on):
            continue
        if was_held:
            held += 1
        else:
            upcoming += 1
    return held, upcoming


def _session_span(days_by_course: dict, course_rows: list[tuple[int, int, int]]) -> dict[int, tuple]:
    """Per cohort, the first and last day of its courses' sessions (not cancelled)."""
    days_by_cohort = defaultdict(list)
    for pk, cohort_id, _percent in course_rows:
        days_by_cohort[cohort_id].extend(day for day, _held in days_by_course[pk])
    return {cohort_id: (min(days), max(days)) for cohort_id, days in days_by_cohort.items() if days}


def _covers_all(window: Window, span: dict[int, tuple]) -> bool:
    """The window includes the day of every session (not cancelled) of its cohort's courses."""
    if window.cohort_id not in span:
        return True
    first, last = span[window.cohort_id]
    return window.enrolled_on <= first and (window.ended_on is None or window.ended_on >= last)


def progress_table(
    windows: Iterable[Window], *, now: datetime.datetime | None = None, course_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Progress]:
    """Progress keyed by (trainee id, course id) for every course of each window's cohort.

    Three queries whatever the number of trainees, sessions or attendance rows.
    """
    now = now or timezone.now()
    windows = list(windows)
    cohort_ids = {window.cohort_id for window in windows}
    trainee_ids = {window.trainee_id for window in windows}
    if not windows:
        return {}
    courses = Course.objects.filter(cohort_id__in=cohort_ids)
    if course_ids is not None:
        courses = courses.filter(pk__in=list(course_ids))
    course_rows = list(courses.values_list("pk", "cohort_id", "min_attendance_percent"))
    selected = [pk for pk, _cohort, _percent in course_rows]

    # Query 2: the sessions that count for someone (not cancelled), as (local day, held): held
    # once begun and recorded; begun but not recorded yet, it is still pending (completion.py).
    days_by_course: dict[int, list[tuple[datetime.date, bool]]] = defaultdict(list)
    # The local day comes from the database (TruncDate in the current time zone): a thousand
    # sessions converted one by one in Python cost more than the query.
    sessions = (
        Session.objects.filter(course_id__in=selected)
        .exclude(status=Session.Status.CANCELLED)
        .annotate(
            day=TruncDate("starts_at"),
            held=Q(starts_at__lte=now) & Exists(Attendance.objects.filter(session=OuterRef("pk"))),
        )
    )
    for course_id, day, held in sessions.order_by().values_list("course_id", "day", "held"):
        days_by_course[course_id].append((day, held))

    # Query 3: attendance per (trainee, course), only of started sessions inside the enrolment.
    day = OuterRef("session_day")
    enrolled_that_day = Enrolment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        trainee_id=OuterRef("trainee_id"),
        cohort_id=OuterRef("session__course__cohort_id"),
        enrolled_on__lte=day,
    )
    inside = Exists(enrolled_that_day)
    if len(trainee_ids) <= 500:
        # A trainee all of whose windows cover the days of every session of query 2 (most
        # trainees) needs no look at the enrolments; looking for theirs made the query twice as
        # long (a province's agency page at scale: 7 ms instead of 3). The others keep the check.
        span = _session_span(days_by_course, course_rows)
        partial = {window.trainee_id for window in windows if not _covers_all(window, span)}
        inside = Q(trainee_id__in=trainee_ids - partial) | Q(inside, trainee_id__in=partial)
    attendance = Attendance.objects.annotate(session_day=TruncDate("session__starts_at")).filter(
        inside, session__course_id__in=selected, session__starts_at__lte=now
    )
    attendance = attendance.exclude(session__status=Session.Status.CANCELLED)
    duration = ExpressionWrapper(F("session__ends_at") - F("session__starts_at"), output_field=DurationField())
    attended = Q(status__in=ATTENDED_STATUSES)
    counts = {
        (row["trainee_id"], row["session__course_id"]): row
        for row in attendance.values("trainee_id", "session__course_id").annotate(
            attended=Count("pk", filter=attended),
            excused=Count("pk", filter=Q(status=EXCUSED_STATUS)),
            duration=Sum(duration, filter=attended),
        )
    }

    courses_by_cohort: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, cohort_id, percent in course_rows:
        courses_by_cohort[cohort_id].append((pk, percent))
    table: dict[tuple[int, int], Progress] = {}
    # Most trainees of a cohort share the same window: count sessions once per window.
    window_counts: dict[tuple, tuple[int, int]] = {}
    for window in windows:
        for course_id, percent in courses_by_cohort[window.cohort_id]:
            key = (course_id, window.enrolled_on, window.ended_on)
            if key not in window_counts:
                window_counts[key] = _counts_in_window(days_by_course[course_id], window)
            held, upcoming = window_counts[key]
            row = counts.get((window.trainee_id, course_id))
            hours = row["duration"].total_seconds() / 3600 if row and row["duration"] else 0.0
            table[(window.trainee_id, course_id)] = Progress(
                required_percent=percent,
                held=held,
                attended=row["attended"] if row else 0,
                excused=row["excused"] if row else 0,
                upcoming=upcoming,
                hours=round(hours, 2),
            )
    return table


def windows_of(enrolments: Iterable) -> list[Window]:
    return [Window(e.trainee_id, e.cohort_id, e.enrolled_on, e.ended_on) for e in enrolments]
