"""One ministry's or province's page, printed for its leadership: its experts past and present,
their commitments and their attendance per course.

The page covers the agency and every predecessor whose records roll up to it (Tuyên Quang's page
lists the experts recorded at Hà Giang), through the one resolver. An abolished agency's page keeps
its own records and names the agency in force that carries them today.

Six queries whatever the agency's size (the agencies, kept per process, add one when cold):
posts, commitments, enrolments with their courses, and the three of the completion rule
(courses/progress.py).
Rows are plain values (no model instances) for the page's Jinja2 partials.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

from cohorts.models import Enrolment
from courses.completion import Progress
from courses.progress import Window, progress_table
from egovexperts.core.templating import render_partial
from trainees.agencies import AgencyDirectory, AsOf
from trainees.commitments import RUNNING, Evaluation, Post, Status, evaluate
from trainees.models import Agency, Assignment, RetentionCommitment


@dataclass(frozen=True, slots=True)
class _Post:
    pk: int
    trainee_id: int
    agency_id: int
    unit_id: int | None
    unit_name: str | None
    position: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    full_name: str
    email: str
    sort_key: str


@dataclass(slots=True)
class ExpertRow:
    trainee_id: int
    full_name: str
    email: str
    sort_key: str
    position: str  # of the post held today (in post) or of the last post here (former)
    agency: AsOf  # that post's agency: today, or as of its last day
    unit: AsOf | None
    since: datetime.date  # start of that post
    left_on: datetime.date | None = None  # former experts: last day of their last post here
    now_at: AsOf | None = None  # former experts: the agency of the post they hold today


@dataclass(slots=True)
class CommitmentRow:
    pk: int
    trainee_id: int
    full_name: str
    agency: AsOf  # the committing agency, carried today by its successor if merged
    starts_on: datetime.date
    ends_on: datetime.date
    waived_on: datetime.date | None
    waiver_reason: str
    evaluation: Evaluation  # the commitment rule's answer (trainees/commitments.py)

    @property
    def status(self) -> Status:
        return self.evaluation.status


@dataclass(frozen=True, slots=True)
class CourseColumn:
    year: int
    code: str
    title: str


@dataclass(slots=True)
class AttendanceRow:
    expert: ExpertRow
    cells: list[Progress | None]  # one per course column; None: not in that course


@dataclass
class AgencyReport:
    agency: Agency
    today: datetime.date
    carried_by: Agency | None  # the agency in force that carries an abolished agency today
    predecessors: list[Agency]  # whose records roll up to this agency, nearest first
    in_post: list[ExpertRow]
    former: list[ExpertRow]
    commitments: list[CommitmentRow]
    courses: list[CourseColumn] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)

    @property
    def handed_over_on(self) -> datetime.date | None:
        valid_to = self.agency.valid_to
        return valid_to + datetime.timedelta(days=1) if self.carried_by and valid_to else None

    @cached_property
    def running(self) -> list[CommitmentRow]:
        return [row for row in self.commitments if row.status in RUNNING]

    @cached_property
    def broken(self) -> int:
        return sum(row.status == Status.BROKEN for row in self.commitments)

    @cached_property
    def fulfilled(self) -> int:
        return sum(row.status == Status.FULFILLED for row in self.commitments)

    @cached_property
    def guaranteed_until(self) -> datetime.date | None:
        """The end of the last commitment still running: the day the agency's guarantee ends."""
        return max((row.ends_on for row in self.running), default=None)


def agency_by_slug(slug: str, directory: AgencyDirectory) -> Agency:
    for agency in directory.by_id.values():
        if agency.slug == slug:
            return agency
    raise Http404


def agency_report(*, slug: str, today: datetime.date | None = None) -> AgencyReport:
    today = today or timezone.localdate()
    directory = AgencyDirectory.cached()  # the agencies, once per process
    agency = agency_by_slug(slug, directory)
    predecessors = directory.predecessors_of(agency)
    lineage = [agency.pk, *(predecessor.pk for predecessor in predecessors)]
    carrier = directory.in_force(agency, today)

    # Query 1: every post of the trainees who held a post here or signed a commitment here. A
    # UNION of the two, unordered (sorted below), lets PostgreSQL read those trainees by key
    # (2 ms for a province of the scale data, 6 ms with an OR of the two).
    held_here = Assignment.objects.filter(agency__in=lineage).order_by().values("trainee_id")
    signed_here = RetentionCommitment.objects.filter(agency__in=lineage).order_by().values("trainee_id")
    columns = ("pk", "trainee_id", "agency_id", "unit_id", "unit__name", "position", "starts_on", "ends_on")
    names = ("trainee__full_name", "trainee__email", "trainee__sort_key")
    rows = Assignment.objects.filter(trainee__in=held_here.union(signed_here)).order_by().values_list(*columns, *names)
    posts = sorted((_Post(*values) for values in rows), key=lambda post: (post.trainee_id, post.starts_on, post.pk))
    by_trainee: dict[int, list[_Post]] = defaultdict(list)
    for post in posts:
        by_trainee[post.trainee_id].append(post)
    in_post, former = _experts(by_trainee, set(lineage), directory, today)
    report = AgencyReport(
        agency=agency,
        today=today,
        carried_by=carrier if carrier.pk != agency.pk else None,
        predecessors=predecessors,
        in_post=in_post,
        former=former,
        commitments=_commitments(lineage, by_trainee, directory, today),  # query 2
    )
    _attendance(report)  # queries 3 to 6
    return report


def _experts(by_trainee: dict[int, list[_Post]], lineage: set[int], directory: AgencyDirectory, today):
    """Experts in post here today (their post held today recorded here or at a predecessor), then
    former experts (every other trainee who held a post here), the latest to leave first."""
    in_post, former = [], []
    for posts in by_trainee.values():
        held = [post for post in posts if post.starts_on <= today and (post.ends_on is None or post.ends_on >= today)]
        current = held[-1] if held else None  # of two held on one day, the one started last
        if current is not None and current.agency_id in lineage:
            in_post.append(_row(current, directory, today))
            continue
        here = [post for post in posts if post.agency_id in lineage and post.starts_on <= today]
        if not here:
            continue  # signed a commitment here without a post here: listed with the commitments
        last = max(here, key=lambda post: (post.ends_on or today, post.starts_on, post.pk))
        row = _row(last, directory, min(last.ends_on or today, today))
        row.left_on = last.ends_on
        row.now_at = directory.as_of(current.agency_id, today) if current is not None else None
        former.append(row)
    in_post.sort(key=lambda row: (row.sort_key, row.trainee_id))
    former.sort(key=lambda row: (row.left_on or today, row.sort_key), reverse=True)
    return in_post, former


def _row(post: _Post, directory: AgencyDirectory, on: datetime.date) -> ExpertRow:
    return ExpertRow(
        trainee_id=post.trainee_id,
        full_name=post.full_name,
        email=post.email,
        sort_key=post.sort_key,
        position=post.position,
        agency=directory.as_of(post.agency_id, on),
        unit=directory.unit_as_of(post.unit_id, post.unit_name, on),
        since=post.starts_on,
    )


def _commitments(lineage: list[int], by_trainee, directory: AgencyDirectory, today) -> list[CommitmentRow]:
    """The commitments signed here or at a predecessor, each with the rule's status over the
    trainee's posts read above."""
    signed = (
        RetentionCommitment.objects.filter(agency__in=lineage)
        .order_by("trainee__sort_key", "starts_on", "pk")
        .values_list(
            "pk", "trainee_id", "trainee__full_name", "agency_id", "starts_on", "ends_on", "waived_on", "waiver_reason"
        )
    )

    rows = []
    for pk, trainee_id, full_name, agency_id, starts_on, ends_on, waived_on, waiver_reason in signed:
        posts = [Post(post.agency_id, post.starts_on, post.ends_on) for post in by_trainee.get(trainee_id, [])]
        evaluation = evaluate(
            agency_id=agency_id,
            starts_on=starts_on,
            ends_on=ends_on,
            waived=waived_on is not None,
            posts=posts,
            carrier=directory.carrier,
            today=today,
        )
        agency = directory.as_of(agency_id, today)
        rows.append(
            CommitmentRow(pk, trainee_id, full_name, agency, starts_on, ends_on, waived_on, waiver_reason, evaluation)
        )
    return rows


def _attendance(report: AgencyReport) -> None:
    """Each expert's progress per course (the completion rule), one column per course: the same
    course given to several cohorts is one column."""
    experts = report.in_post + report.former
    if not experts:
        return
    # Query 3: their enrolments, each with its cohort's courses (one row per course); 4 to 6: the
    # completion rule's courses, sessions and attendance (courses/progress.py).
    enrolments = Enrolment.objects.filter(trainee__in=[row.trainee_id for row in experts]).order_by()
    windows, column_of = {}, {}
    enrolment_columns = ("pk", "trainee_id", "cohort_id", "enrolled_on", "ended_on")
    course_columns = ("cohort__courses__pk", "cohort__courses__year", "cohort__courses__code", "cohort__courses__title")
    for pk, trainee_id, cohort_id, enrolled_on, ended_on, course_id, *course in enrolments.values_list(
        *enrolment_columns, *course_columns
    ):
        windows[pk] = Window(trainee_id, cohort_id, enrolled_on, ended_on)
        if course_id is not None:
            column_of[course_id] = CourseColumn(*course)
    columns = sorted(set(column_of.values()), key=lambda column: (column.year, column.code, column.title))
    index = {column: position for position, column in enumerate(columns)}
    cells: dict[int, list[Progress | None]] = {row.trainee_id: [None] * len(columns) for row in experts}
    for (trainee_id, course_id), progress in progress_table(windows.values()).items():
        cells[trainee_id][index[column_of[course_id]]] = progress
    report.courses = columns
    report.attendance = [AttendanceRow(row, cells[row.trainee_id]) for row in experts]


def rows_html(request, report: AgencyReport) -> dict:
    """The rows of the page's four tables, rendered by Jinja2 with words translated once."""
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
        "labels": labels,
        "statuses": {value: str(label) for value, label in Status.choices},
        "running": RUNNING,
        "days_left": days_left,
        "trainee_url": reverse("trainees:trainee-detail", args=[0]).removesuffix("0/"),
    }
    parts = {"in_post": report.in_post, "former": report.former, "commitments": report.commitments}
    parts["attendance"] = report.attendance
    return {
        f"{part}_html": render_partial(request, "reports/_agency_rows.jinja", {**context, "part": part, "rows": rows})
        for part, rows in parts.items()
    }
