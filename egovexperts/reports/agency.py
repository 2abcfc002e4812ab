"""One ministry's or province's page, printed for its leadership: its experts past and present,
their commitments and their attendance per course.

The page covers the agency and every predecessor whose records roll up to it (Tuyên Quang's page
lists the experts recorded at Hà Giang), through the one resolver. An abolished agency's page keeps
its own records and names the agency in force that carries them today.

Seven queries whatever the agency's size (the agencies, kept per process, add one when cold):
posts, commitments, enrolments, courses, and the three of the completion rule (courses/progress.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from cohorts.models import Enrolment
from courses.completion import Progress
from courses.models import Course
from courses.progress import progress_table, windows_of
from trainees.agencies import AgencyDirectory, AsOf
from trainees.commitments import Status
from trainees.models import Agency, Assignment, RetentionCommitment
from trainees.selectors import evaluate_commitment

RUNNING = (Status.ACTIVE, Status.ENDING_SOON)


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
    commitment: RetentionCommitment  # with `.evaluation` from the commitment rule
    agency: AsOf  # the committing agency, carried today by its successor if merged

    @property
    def status(self) -> Status:
        return self.commitment.evaluation.status


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
        return max((row.commitment.ends_on for row in self.running), default=None)


def agency_by_slug(slug: str, directory: AgencyDirectory) -> Agency:
    for agency in directory.by_id.values():
        if agency.slug == slug:
            return agency
    raise Http404


def agency_report(*, slug: str, today: datetime.date | None = None) -> AgencyReport:
    today = today or timezone.localdate()
    directory = AgencyDirectory.cached()  # query 0: the agencies, once per process
    agency = agency_by_slug(slug, directory)
    predecessors = directory.predecessors_of(agency)
    lineage = [agency.pk, *(predecessor.pk for predecessor in predecessors)]
    carrier = directory.in_force(agency, today)

    # Query 1: every post of the trainees who held a post here or signed a commitment here.
    here = Q(trainee__in=Assignment.objects.filter(agency__in=lineage).values("trainee_id")) | Q(
        trainee__in=RetentionCommitment.objects.filter(agency__in=lineage).values("trainee_id")
    )
    posts = list(
        Assignment.objects.filter(here)
        .select_related("trainee", "unit")
        .only(
            "trainee__full_name",
            "trainee__email",
            "trainee__sort_key",
            "agency_id",
            "unit__name",
            "position",
            "starts_on",
            "ends_on",
        )
        .order_by("trainee_id", "starts_on", "pk")
    )
    by_trainee: dict[int, list[Assignment]] = defaultdict(list)
    for post in posts:
        by_trainee[post.trainee_id].append(post)
    in_post, former = _experts(by_trainee, set(lineage), directory, today)

    # Query 2: the commitments signed here, their status by the rule over the posts above.
    commitments = []
    signed = RetentionCommitment.objects.filter(agency__in=lineage).select_related("trainee")
    for commitment in signed.order_by("trainee__sort_key", "starts_on", "pk"):
        commitment.evaluation = evaluate_commitment(
            commitment, posts=by_trainee.get(commitment.trainee_id, []), directory=directory, today=today
        )
        commitments.append(CommitmentRow(commitment, directory.as_of(commitment.agency_id, today)))

    report = AgencyReport(
        agency=agency,
        today=today,
        carried_by=carrier if carrier.pk != agency.pk else None,
        predecessors=predecessors,
        in_post=in_post,
        former=former,
        commitments=commitments,
    )
    _attendance(report)
    return report


def _experts(by_trainee, lineage: set[int], directory: AgencyDirectory, today: datetime.date):
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


def _row(post: Assignment, directory: AgencyDirectory, on: datetime.date) -> ExpertRow:
    trainee = post.trainee
    return ExpertRow(
        trainee_id=post.trainee_id,
        full_name=trainee.full_name,
        email=trainee.email,
        sort_key=trainee.sort_key,
        position=post.position,
        agency=directory.as_of(post.agency_id, on),
        unit=directory.unit_as_of(post.unit_id, post.unit.name if post.unit else None, on),
        since=post.starts_on,
    )


def _attendance(report: AgencyReport) -> None:
    """Each expert's progress per course (the completion rule), one column per course: the same
    course given to several cohorts is one column."""
    experts = report.in_post + report.former
    if not experts:
        return
    # Query 3: their enrolments; query 4: the courses of those cohorts; 5 to 7: progress_table.
    enrolments = list(Enrolment.objects.filter(trainee__in=[row.trainee_id for row in experts]))
    cohorts = {enrolment.cohort_id for enrolment in enrolments}
    courses = Course.objects.filter(cohort__in=cohorts).values_list("pk", "year", "code", "title")
    column_of = {pk: CourseColumn(year, code, title) for pk, year, code, title in courses}
    columns = sorted(set(column_of.values()), key=lambda column: (column.year, column.code, column.title))
    index = {column: position for position, column in enumerate(columns)}
    cells: dict[int, list[Progress | None]] = {row.trainee_id: [None] * len(columns) for row in experts}
    for (trainee_id, course_id), progress in progress_table(windows_of(enrolments)).items():
        cells[trainee_id][index[column_of[course_id]]] = progress
    report.courses = columns
    report.attendance = [AttendanceRow(row, cells[row.trainee_id]) for row in experts]
