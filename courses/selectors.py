"""Reads of courses, sessions and attendance for pages, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from django.db.models import Count, DateField, FilteredRelation, IntegerField, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrolment
from egovexperts.core.prepared import PreparedQuery, Slot
from trainees.agencies import AgencyDirectory, AsOf

from . import rules
from .models import AbsenceNotice, Attendance, Course, Material, Session
from .progress import progress_table, windows_of
from .services import eligible_enrolments, enrolled_in


def course_list() -> QuerySet[Course]:
    return Course.objects.select_related("cohort")


def session_list() -> QuerySet[Session]:
    return Session.objects.select_related("course__cohort")


def material_list() -> QuerySet[Material]:
    return Material.objects.select_related("course", "session")


@dataclass
class CurriculumYear:
    year: int
    courses: list


def curriculum(cohort: Cohort) -> list[CurriculumYear]:
    """Years, then courses, then sessions of a cohort (two queries)."""
    courses = (
        Course.objects.filter(cohort=cohort)
        .annotate(session_count=Count("sessions", filter=~Q(sessions__status=Session.Status.CANCELLED)))
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at", "pk")))
        .order_by("year", "code")
    )
    return [CurriculumYear(year, list(items)) for year, items in groupby(courses, key=lambda c: c.year)]


@dataclass(frozen=True)
class CohortProgress:
    """A trainee's progress over all courses of a cohort."""

    attended: int
    counted: int
    upcoming: int
    hours: float
    courses: int
    completed: int
    at_risk: int

    @property
    def percent(self):
        return round(self.attended * 100 / self.counted, 1) if self.counted else None


def cohort_progress(enrolments, *, now: datetime.datetime | None = None) -> dict[int, CohortProgress]:
    """Progress of each enrolment's trainee over the cohort's courses, keyed by trainee id."""
    table = progress_table(windows_of(enrolments), now=now)
    rows: dict[int, list] = {}
    for (trainee_id, _course_id), progress in table.items():
        rows.setdefault(trainee_id, []).append(progress)
    return {
        trainee_id: CohortProgress(
            attended=sum(p.attended for p in items),
            counted=sum(p.counted for p in items),
            upcoming=sum(p.upcoming for p in items),
            hours=round(sum(p.hours for p in items), 1),
            courses=len(items),
            completed=sum(1 for p in items if p.completed),
            at_risk=sum(1 for p in items if p.at_risk),
        )
        for trainee_id, items in rows.items()
    }


def course_progress_rows(course: Course, *, now: datetime.datetime | None = None) -> list:
    """Enrolments of the course's cohort, each with `.progress` in this course (four queries)."""
    enrolments = list(
        Enrolment.objects.filter(cohort_id=course.cohort_id)
        .select_related("trainee")
        .order_by("trainee__sort_key", "trainee_id")
    )
    table = progress_table(windows_of(enrolments), now=now, course_ids=[course.pk])
    for enrolment in enrolments:
        enrolment.progress = table.get((enrolment.trainee_id, course.pk))
    return enrolments


# --- Attendance grid --------------------------------------------------------------


@dataclass(slots=True)
class GridRow:
    """One row of the attendance grid, as plain values for its Jinja2 partial."""

    trainee_id: int
    full_name: str
    agency: AsOf | str  # the agency in force today, the recorded one beside it ("" without a post)
    status: str
    status_label: str
    note: str
    notice: str  # the trainee's advance notice of absence, if any
    url: str  # where the row's marks are posted


def grid_labels() -> dict[str, str]:
    """The grid's words, translated once per page rather than once per row (a grid has hundreds)."""
    labels = {value: capfirst(str(label)) for value, label in Attendance.Status.choices}
    labels.update(
        note=_("Note"),
        notice=_("Notice of absence"),
        excuse=_("Excuse"),
        nobody=_("Nobody in the cohort was enrolled on the day of this session."),
    )
    return labels


def _grid_query(*, one_trainee: bool) -> PreparedQuery:
    """The grid's rows: each enrolment joined to its trainee's current post, mark and notice of absence.

    A grid is read in one round trip rather than four, and as a prepared query: it is read on
    every load of a page that organizers keep open during a class.
    """

    def build():
        session = Slot("session", IntegerField())
        enrolments = enrolled_in(Slot("cohort", IntegerField()), Slot("day", DateField()))
        if one_trainee:
            enrolments = enrolments.filter(trainee_id=Slot("trainee", IntegerField()))
        return (
            enrolments.annotate(
                mark=FilteredRelation("trainee__attendances", condition=Q(trainee__attendances__session=session)),
                notice=FilteredRelation(
                    "trainee__absence_notices", condition=Q(trainee__absence_notices__session=session)
                ),
            )
            .order_by("trainee__sort_key", "trainee_id")
            .values_list(
                "trainee_id",
                "trainee__full_name",
                "trainee__current_post__agency_id",
                "mark__status",
                "mark__note",
                "notice__reason",
            )
        )

    return PreparedQuery(build)


_GRID = _grid_query(one_trainee=False)
_GRID_ROW = _grid_query(one_trainee=True)


def attendance_grid(session: Session, *, trainee_id: int | None = None) -> list[GridRow]:
    """One row per trainee for whom the session counts, in Vietnamese name order (one query; the
    agencies, kept per process, are resolved in Python: AgencyDirectory.cached)."""
    values = {"session": session.pk, "cohort": session.course.cohort_id, "day": rules.day_of(session.starts_at)}
    people = _GRID.rows(**values) if trainee_id is None else _GRID_ROW.rows(**values, trainee=trainee_id)
    agencies, today = AgencyDirectory.cached(), timezone.localdate()
    prefix = reverse("courses:attendance-record", args=[session.pk, 0]).removesuffix("0/")
    labels = {value: str(label) for value, label in Attendance.Status.choices}  # translated once
    return [
        GridRow(
            pk,
            name,
            agencies.as_of(agency_id, today) or "",
            status or "",
            labels.get(status, ""),
            note or "",
            notice or "",
            f"{prefix}{pk}/",
        )
        for pk, name, agency_id, status, note, notice in people
    ]


def grid_summary(rows: list[GridRow]) -> dict[str, int]:
    counts = Counter(row.status or "unmarked" for row in rows)
    return {status: counts.get(status, 0) for status in ("present", "late", "absent", "excused", "unmarked")}


def session_summary(session: Session) -> dict[str, int]:
    """The grid's counters without its rows (two queries)."""
    eligible = eligible_enrolments(session).count()
    counts = dict(
        Attendance.objects.filter(session=session, trainee__in=eligible_enrolments(session).values("trainee_id"))
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    summary = {status: counts.get(status, 0) for status in ("present", "late", "absent", "excused")}
    summary["unmarked"] = eligible - sum(summary.values())
    return summary


def trainee_attendance(trainee_id: int) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(trainee_id=trainee_id)
        .select_related("session__course")
        .order_by("-session__starts_at", "-pk")
    )


def trainee_learning(trainee) -> dict:
    """What a trainee's profile shows of their cohorts and courses: enrolments, progress per course,
    attendance and absence notices, in a fixed number of queries (a section of
    `trainees.selectors.trainee_profile`, wired in egovexperts/apps.py)."""
    enrolments = list(trainee.enrolments.select_related("cohort", "nominated_by").order_by("-enrolled_on"))
    table = progress_table(windows_of(enrolments))
    courses = {course.pk: course for course in Course.objects.filter(pk__in={pk for _t, pk in table})}
    progress = sorted(
        ((courses[course_id], item) for (_t, course_id), item in table.items()),
        key=lambda pair: (pair[0].year, pair[0].code),
    )
    return {
        "enrolments": enrolments,
        "progress": progress,
        "attendance": trainee_attendance(trainee.pk),
        "notices": AbsenceNotice.objects.filter(trainee=trainee).select_related("session__course"),
    }
