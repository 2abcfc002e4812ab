"""Reads of the trainee portal: my schedule, my progress, the expert network, the library.

Each returns rows with everything its page shows, in a fixed number of queries.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cohorts.models import Enrolment
from courses.completion import Progress, SessionFact, progress_of
from courses.models import AbsenceNotice, Attendance, Course, Material, Session
from egovexperts.core.text import fold
from egovexperts.notifications.models import OutboundMessage
from trainees.agencies import AgencyDirectory, AsOf, show_current_posts
from trainees.models import Agency, PostChangeRequest, RetentionCommitment, Trainee
from trainees.selectors import commitments_with_status

STAYING = (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)

# --- Schedule ----------------------------------------------------------------------


def enrolled_sessions(trainee: Trainee) -> QuerySet[Session]:
    """Sessions of the courses of the trainee's cohorts, up to the day of a withdrawal.

    The one visibility rule of the portal: any other session is someone else's (404).
    All conditions sit in one filter() call so that they apply to the same enrolment row.
    """
    return Session.objects.filter(
        Q(course__cohort__enrolments__status__in=STAYING)
        | Q(starts_at__date__lte=F("course__cohort__enrolments__ended_on")),
        course__cohort__enrolments__trainee=trainee,
    )


@dataclass
class Schedule:
    months: list[tuple[datetime.date, list[Session]]]  # upcoming but the next one, by month
    past: list[Session]  # most recent first
    next_session: Session | None


def schedule(trainee: Trainee, *, now: datetime.datetime | None = None) -> Schedule:
    """Four queries: sessions with their course, published materials, my attendance, my notices.

    Each session carries `.material_list`, `.my_attendance` and `.my_notice` (or None).
    """
    now = now or timezone.now()
    sessions = list(
        enrolled_sessions(trainee)
        .select_related("course")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.published().order_by("title"), to_attr="material_list"),
            Prefetch("attendances", queryset=Attendance.objects.filter(trainee=trainee), to_attr="mine"),
            Prefetch("absence_notices", queryset=AbsenceNotice.objects.filter(trainee=trainee), to_attr="notices"),
        )
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        session.my_attendance = session.mine[0] if session.mine else None
        session.my_notice = session.notices[0] if session.notices else None
        session.notice_open = session.starts_at > now and not session.is_cancelled
    upcoming = [session for session in sessions if session.ends_at >= now]
    past = [session for session in reversed(sessions) if session.ends_at < now]

    def month(session: Session) -> datetime.date:
        return timezone.localtime(session.starts_at).date().replace(day=1)

    next_session = next((session for session in upcoming if not session.is_cancelled), None)
    later = [session for session in upcoming if session is not next_session]
    months = [(first_day, list(group)) for first_day, group in itertools.groupby(later, key=month)]
    return Schedule(months=months, past=past, next_session=next_session)


def calendar_sessions(trainee: Trainee) -> QuerySet[Session]:
    """Sessions of the calendar feed, cancelled ones included so that calendars drop them."""
    return enrolled_sessions(trainee).select_related("course").order_by("starts_at", "pk")


# --- Progress ----------------------------------------------------------------------


@dataclass
class CourseProgress:
    course: Course
    progress: Progress

    @property
    def required_sessions(self) -> int:
        """Sessions to attend, out of those held and still to come, to meet the minimum share."""
        return math.ceil((self.progress.counted + self.progress.upcoming) * self.progress.required_percent / 100)


@dataclass
class YearProgress:
    year: int
    courses: list[CourseProgress] = field(default_factory=list)

    @property
    def hours(self) -> float:
        return sum(row.progress.hours for row in self.courses)

    @property
    def required_hours(self) -> float:
        return float(sum(row.course.required_hours for row in self.courses))

    @property
    def completed(self) -> int:
        return sum(1 for row in self.courses if row.progress.completed)


@dataclass
class MyProgress:
    years: list[YearProgress]
    commitments: list[RetentionCommitment]


def my_progress(trainee: Trainee, *, now: datetime.datetime | None = None) -> MyProgress:
    """Seven queries: enrolments, courses, sessions, my attendance, three for the commitments.

    Each course's progress comes from the completion rule (courses/completion.py).
    """
    now = now or timezone.now()
    enrolments = {enrolment.cohort_id: enrolment for enrolment in Enrolment.objects.filter(trainee=trainee)}
    courses = list(Course.objects.filter(cohort__in=enrolments).order_by("year", "code"))
    sessions = (
        Session.objects.filter(course__in=courses)
        .annotate(recorded=Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .values("pk", "course_id", "starts_at", "ends_at", "status", "recorded")
    )
    statuses = dict(Attendance.objects.filter(trainee=trainee).values_list("session_id", "status"))
    facts: dict[int, list[SessionFact]] = defaultdict(list)
    for session in sessions:
        facts[session["course_id"]].append(
            SessionFact(
                day=timezone.localdate(session["starts_at"]),
                hours=(session["ends_at"] - session["starts_at"]).total_seconds() / 3600,
                started=session["starts_at"] <= now,
                cancelled=session["status"] == Session.Status.CANCELLED,
                status=statuses.get(session["pk"]),
                recorded=session["recorded"],
            )
        )
    years: dict[int, YearProgress] = {}
    for course in courses:
        enrolment = enrolments[course.cohort_id]
        progress = progress_of(
            facts[course.pk],
            required_percent=course.min_attendance_percent,
            enrolled_on=enrolment.enrolled_on,
            ended_on=enrolment.ended_on,
        )
        years.setdefault(course.year, YearProgress(course.year)).courses.append(CourseProgress(course, progress))
    agencies = AgencyDirectory.cached()
    commitments = commitments_with_status(
        RetentionCommitment.objects.filter(trainee=trainee).order_by("starts_on"), directory=agencies
    )
    for commitment in commitments:  # the committing agency, carried today by its successor if merged
        commitment.agency_as_of = agencies.as_of(commitment.agency_id, name="name_vi")
    return MyProgress(years=list(years.values()), commitments=commitments)


def my_post_change_requests(trainee: Trainee) -> QuerySet[PostChangeRequest]:
    return PostChangeRequest.objects.filter(trainee=trainee).select_related("agency")


def my_current_post(trainee: Trainee) -> Trainee:
    """The trainee with the post held today, its agency and unit as of today (one query)."""
    trainee = Trainee.objects.with_current_post().get(pk=trainee.pk)
    show_current_posts([trainee])
    return trainee


def pending_post_changes() -> list[PostChangeRequest]:
    """Requests awaiting an organizer, each with the trainee's current post for comparison."""
    requests = list(
        PostChangeRequest.objects.filter(status=PostChangeRequest.Status.PENDING)
        .select_related("agency")
        .prefetch_related(Prefetch("trainee", queryset=Trainee.objects.with_current_post()))
        .order_by("created_at", "pk")
    )
    show_current_posts([request.trainee for request in requests])
    return requests


def invitation_rows(*, query: str = "", page: int | str = 1, per_page: int = 50) -> Page:
    """Trainees with their account and the time of their last invitation; two queries."""
    last_invited = OutboundMessage.objects.filter(kind="invitation", recipient=OuterRef("email")).order_by(
        "-created_at"
    )
    trainees = Trainee.objects.select_related("user").annotate(
        last_invited_at=Subquery(last_invited.values("created_at")[:1])
    )
    if query.strip():
        trainees = trainees.search(query)
    return Paginator(trainees.in_vietnamese_order(), per_page).get_page(page)


# --- Expert network ----------------------------------------------------------------


@dataclass(frozen=True)
class Expert:
    """One row of the network; contact details are empty unless the expert opted in."""

    full_name: str
    position: str
    agency: AsOf | None  # in force today, the recorded one beside it
    unit: AsOf | None
    province: str  # the province or city in force today
    email: str
    phone: str


def experts(*, query: str = "", page: int | str = 1, per_page: int = 50) -> tuple[Page, list[Expert]]:
    """The programme's experts (enrolled, not withdrawn) in Vietnamese name order; two queries."""
    in_programme = Enrolment.objects.filter(trainee=OuterRef("pk"), status__in=STAYING)
    trainees = Trainee.objects.filter(Exists(in_programme)).with_current_post()
    if query.strip():
        trainees = trainees.search(query)
    page_obj = Paginator(trainees.in_vietnamese_order(), per_page).get_page(page)
    show_current_posts(page_obj.object_list)
    rows = [
        Expert(
            full_name=trainee.full_name,
            position=trainee.current_position or "",
            agency=trainee.agency_as_of,
            unit=trainee.unit_as_of,
            province=_province(trainee.agency_as_of),
            email=trainee.email if trainee.share_contact else "",
            phone=trainee.phone if trainee.share_contact else "",
        )
        for trainee in page_obj.object_list
    ]
    return page_obj, rows


def _province(agency: AsOf | None) -> str:
    return agency.name if agency and agency.agency.kind in Agency.PROVINCIAL_KINDS else ""


# --- Lecture library ---------------------------------------------------------------


def downloadable_materials(user) -> QuerySet[Material]:
    """Materials with a file that `user` may download: the ones the library lists for them."""
    return Material.objects.visible_to(user).exclude(file="")


@dataclass
class LibraryCourse:
    course: Course
    sessions: list[tuple[Session | None, list[Material]]]  # None: materials of the whole course


@dataclass
class Library:
    years: list[tuple[int, list[LibraryCourse]]]
    all_years: list[int]
    count: int


def library(user, *, query: str = "", year: int | None = None) -> Library:
    """One query. The search folds accents in Python: titles are Vietnamese, and the
    library holds at most a few thousand rows."""
    materials = list(
        Material.objects.visible_to(user)
        .select_related("course", "session")
        .order_by("-course__year", "course__code", F("session__starts_at").asc(nulls_first=True), "title", "pk")
    )
    all_years = sorted({material.course.year for material in materials}, reverse=True)
    words = fold(query).split()
    if year:
        materials = [material for material in materials if material.course.year == year]
    if words:
        materials = [material for material in materials if all(word in _haystack(material) for word in words)]
    years = []
    for year_value, in_year in itertools.groupby(materials, key=lambda material: material.course.year):
        courses = []
        for _course_id, in_course in itertools.groupby(in_year, key=lambda material: material.course_id):
            in_course = list(in_course)
            groups = [
                (session, list(group))
                for session, group in itertools.groupby(in_course, key=lambda material: material.session)
            ]
            courses.append(LibraryCourse(course=in_course[0].course, sessions=groups))
        years.append((year_value, courses))
    return Library(years=years, all_years=all_years, count=len(materials))


def _haystack(material: Material) -> str:
    session = material.session
    parts = [material.title, material.course.code, material.course.title, material.course.title_en]
    if session is not None:
        parts += [session.title, session.lecturers]
    return fold(" ".join(parts))
