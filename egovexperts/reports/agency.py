"""One ministry's or province's page, printed for its leadership: its experts past and present,
their commitments and their attendance per course.

The page covers the agency and every predecessor whose records roll up to it (Tuyên Quang's page
lists the experts recorded at Hà Giang), through the one resolver. An abolished agency's page keeps
its own records and names the agency in force that carries them today.

A real agency has a handful of experts, and its page holds everything. One with hundreds (the
scale data gives a province two hundred) would print as tens of sheets and take as long to build:
its four tables (experts in post, former experts, commitments, attendance) are read as one
document cut into pages of 50 rows (paged.py), each page under the same summary figures, which
count every row. Rows are built for the page only; the attendance, four queries of its own, is
read only for a page that shows some of it.

Queries, whatever the agency's size (the agencies, kept per process, add one when cold): the
commitments, the posts of the trainees concerned, both prepared (egovexperts/core/prepared.py),
and the posts of those who signed here without ever holding a post here when there are some;
then, on a page with attendance, the enrolments with their courses and the three of the
completion rule (courses/progress.py).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import IntegerField, Q
from django.http import Http404
from django.utils import timezone

from cohorts.models import Enrolment
from courses.completion import Progress
from courses.progress import Window, progress_table
from egovexperts.core.prepared import PreparedQuery, Slot
from trainees.agencies import AgencyDirectory, AsOf
from trainees.commitments import RUNNING, Evaluation, Post, Status, evaluate
from trainees.models import Agency, Assignment, RetentionCommitment, Trainee

from . import paged


@dataclass(slots=True)
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


@dataclass(slots=True)
class Summary:
    """The page's figures, over every row of the agency (not only the page's)."""

    in_post: int
    former: int
    running: int
    broken: int
    fulfilled: int
    guaranteed_until: datetime.date | None  # the end of the last commitment still running


@dataclass
class AgencyReport:
    agency: Agency
    today: datetime.date
    carried_by: Agency | None  # the agency in force that carries an abolished agency today
    predecessors: list[Agency]  # whose records roll up to this agency, nearest first
    summary: Summary
    sections: dict[str, paged.Section]  # in_post, former, commitments, attendance: the page's rows of each
    page: int = 1
    pages: int = 1
    courses: list[CourseColumn] = field(default_factory=list)  # the columns of the page's attendance

    @property
    def handed_over_on(self) -> datetime.date | None:
        valid_to = self.agency.valid_to
        return valid_to + datetime.timedelta(days=1) if self.carried_by and valid_to else None

    # The rows of the current page, table by table.
    @property
    def in_post(self) -> list[ExpertRow]:
        return self.sections["in_post"].rows

    @property
    def former(self) -> list[ExpertRow]:
        return self.sections["former"].rows

    @property
    def commitments(self) -> list[CommitmentRow]:
        return self.sections["commitments"].rows

    @property
    def attendance(self) -> list[AttendanceRow]:
        return self.sections["attendance"].rows


def agency_by_slug(slug: str, directory: AgencyDirectory) -> Agency:
    for agency in directory.by_id.values():
        if agency.slug == slug:
            return agency
    raise Http404


def agency_report(*, slug: str, page: int | str | None = 1, today: datetime.date | None = None) -> AgencyReport:
    today = today or timezone.localdate()
    directory = AgencyDirectory.cached()  # the agencies, once per process
    agency = agency_by_slug(slug, directory)
    predecessors = directory.predecessors_of(agency)
    lineage = [agency.pk, *(predecessor.pk for predecessor in predecessors)]
    carrier = directory.in_force(agency, today)

    commitments = _signed_query(len(lineage)).rows(**_slots(lineage))  # query 1
    by_trainee, people = _posts(lineage, {values[1] for values in commitments})  # query 2 (and one more, rarely)
    signed = _signed(commitments, people)
    in_post, former = _experts(by_trainee, set(lineage), today)
    evaluations = _evaluate(signed, by_trainee, directory, today)
    experts = [*in_post, *former]  # the attendance table's rows
    totals = {"in_post": len(in_post), "former": len(former), "commitments": len(signed), "attendance": len(experts)}
    document = paged.cut(totals, page)
    report = AgencyReport(
        agency=agency,
        today=today,
        carried_by=carrier if carrier.pk != agency.pk else None,
        predecessors=predecessors,
        summary=_summary(in_post, former, evaluations, signed),
        sections=document.sections,
        page=document.page,
        pages=document.pages,
    )

    # Rows for the page only: each table's slice of the lists above.
    built = {}

    def rows_of(section: paged.Section, entries: list[_Expert]) -> list[ExpertRow]:
        for entry in entries[section.first : section.last]:
            if entry.post.trainee_id not in built:
                built[entry.post.trainee_id] = _expert_row(entry, directory, today)
        return [built[entry.post.trainee_id] for entry in entries[section.first : section.last]]

    sections = document.sections
    sections["in_post"].rows = rows_of(sections["in_post"], in_post)
    sections["former"].rows = rows_of(sections["former"], former)
    window = range(sections["commitments"].first, sections["commitments"].last)
    sections["commitments"].rows = [_commitment_row(signed[i], evaluations[i], directory, today) for i in window]
    if sections["attendance"].size:  # four queries more
        report.courses, sections["attendance"].rows = _attendance(rows_of(sections["attendance"], experts))
    return report


# --- Posts and experts ------------------------------------------------------------------------


@dataclass(slots=True)
class _Expert:
    """An expert of the agency and the post the page shows: held today (in post) or the last
    one held here (former), ordered before any row is built."""

    post: _Post
    order: tuple
    former: bool = False
    current: _Post | None = None  # former experts: the post they hold today


def _at_lineage(size: int) -> Q:
    """Recorded at the agency or one of its predecessors, in a prepared query: a slot each
    (`agency__id`: a list of expressions is compared as ids, which `agency_id` refuses)."""
    return Q(agency__id__in=[Slot(f"agency{index}", IntegerField()) for index in range(size)])


def _slots(lineage: list[int]) -> dict[str, int]:
    return {f"agency{index}": pk for index, pk in enumerate(lineage)}


POST_COLUMNS = ("pk", "trainee_id", "agency_id", "unit_id", "unit__name", "position", "starts_on", "ends_on")
POST_NAMES = ("trainee__full_name", "trainee__email", "trainee__sort_key")


@functools.cache
def _posts_query(size: int) -> PreparedQuery:
    """Every post of the trainees who held a post here, oldest first."""

    def build():
        holders = Assignment.objects.filter(_at_lineage(size)).values("trainee_id")
        held = Assignment.objects.filter(trainee_id__in=holders).order_by("trainee_id", "starts_on", "pk")
        return held.values_list(*POST_COLUMNS, *POST_NAMES)

    return PreparedQuery(build, convert=True)


def _posts(lineage: list[int], signers: set[int]) -> tuple[dict[int, list[_Post]], dict[int, tuple[str, str]]]:
    """The posts of the trainees concerned, per trainee, oldest first, and each one's name and
    sort key: those who held a post here (one prepared query), and those who signed a commitment
    here without ever holding one (a query of its own, only when there are some: such records are
    rare). With the union of both as one subquery, PostgreSQL read every post."""
    by_trainee = _by_trainee(_posts_query(len(lineage)).rows(**_slots(lineage)))
    people = {trainee_id: (posts[0].full_name, posts[0].sort_key) for trainee_id, posts in by_trainee.items()}
    others = signers - by_trainee.keys()
    if others:  # with their posts, if any (a left join)
        columns = ("assignments__" + column for column in POST_COLUMNS)
        rows = Trainee.objects.filter(pk__in=others).order_by("pk", "assignments__starts_on", "assignments__pk")
        for pk, full_name, email, sort_key, *post in rows.values_list("pk", "full_name", "email", "sort_key", *columns):
            people[pk] = (full_name, sort_key)
            if post[0] is not None:
                by_trainee.setdefault(pk, []).append(_Post(*post, full_name, email, sort_key))
    return by_trainee, people


def _by_trainee(rows) -> dict[int, list[_Post]]:
    posts = (_Post(*values) for values in rows)  # ordered by trainee
    return {trainee_id: list(held) for trainee_id, held in groupby(posts, key=lambda post: post.trainee_id)}


def _experts(by_trainee: dict[int, list[_Post]], lineage: set[int], today: datetime.date):
    """Experts in post here today (their post held today recorded here or at a predecessor), by
    name; then former experts (every other trainee who held a post here), the latest to leave first."""
    in_post, former = [], []
    for posts in by_trainee.values():
        held = [post for post in posts if post.starts_on <= today and (post.ends_on is None or post.ends_on >= today)]
        current = held[-1] if held else None  # of two held on one day, the one started last
        if current is not None and current.agency_id in lineage:
            in_post.append(_Expert(current, (current.sort_key, current.trainee_id)))
            continue
        here = [post for post in posts if post.agency_id in lineage and post.starts_on <= today]
        if not here:
            continue  # signed a commitment here without a post here: listed with the commitments
        last = max(here, key=lambda post: (post.ends_on or today, post.starts_on, post.pk))
        former.append(_Expert(last, (last.ends_on or today, last.sort_key), True, current))
    in_post.sort(key=_order_of)
    former.sort(key=_order_of, reverse=True)
    return in_post, former


def _order_of(expert: _Expert) -> tuple:
    return expert.order


def _expert_row(expert: _Expert, directory: AgencyDirectory, today: datetime.date) -> ExpertRow:
    post = expert.post
    on = min(post.ends_on or today, today) if expert.former else today
    row = ExpertRow(
        trainee_id=post.trainee_id,
        full_name=post.full_name,
        email=post.email,
        sort_key=post.sort_key,
        position=post.position,
        agency=directory.as_of(post.agency_id, on),
        unit=directory.unit_as_of(post.unit_id, post.unit_name, on),
        since=post.starts_on,
    )
    if expert.former:
        row.left_on = post.ends_on
        row.now_at = directory.as_of(expert.current.agency_id, today) if expert.current is not None else None
    return row


# --- Commitments ------------------------------------------------------------------------------


@functools.cache
def _signed_query(size: int) -> PreparedQuery:
    """The commitments signed here or at a predecessor (their trainees' names come with the posts)."""
    columns = ("pk", "trainee_id", "agency_id", "starts_on", "ends_on", "waived_on", "waiver_reason")
    signed = lambda: RetentionCommitment.objects.filter(_at_lineage(size)).values_list(*columns)  # noqa: E731
    return PreparedQuery(signed, convert=True)


def _signed(commitments: list[tuple], people: dict[int, tuple[str, str]]) -> list[tuple]:
    """The commitments as (pk, trainee id, trainee's name, agency id, start, end, waived on,
    reason), by trainee name."""
    ordered = sorted(commitments, key=lambda values: (people[values[1]][1], values[3], values[0]))
    return [(pk, trainee_id, people[trainee_id][0], *rest) for pk, trainee_id, *rest in ordered]


def _evaluate(signed: list[tuple], by_trainee, directory: AgencyDirectory, today) -> list[Evaluation]:
    """The rule's answer for each commitment, over its trainee's posts read above: every one
    counts in the summary, whichever page shows it. A breach is a departure: the commitments of
    trainees who never left a post are decided by their dates alone, once per set of dates."""
    posts_of, by_dates = {}, {}
    evaluations = []
    for _pk, trainee_id, _name, agency_id, starts_on, ends_on, waived_on, _reason in signed:
        if trainee_id not in posts_of:
            held = by_trainee.get(trainee_id, ())
            left = any(post.ends_on is not None for post in held)
            posts_of[trainee_id] = [Post(p.agency_id, p.starts_on, p.ends_on) for p in held] if left else None
        posts = posts_of[trainee_id]
        key = (starts_on, ends_on, waived_on is not None)
        if posts is None and key in by_dates:
            evaluations.append(by_dates[key])
            continue
        evaluation = evaluate(
            agency_id=agency_id,
            starts_on=starts_on,
            ends_on=ends_on,
            waived=waived_on is not None,
            posts=posts or (),
            carrier=directory.carrier,
            today=today,
        )
        if posts is None:
            by_dates[key] = evaluation
        evaluations.append(evaluation)
    return evaluations


def _commitment_row(values: tuple, evaluation: Evaluation, directory: AgencyDirectory, today) -> CommitmentRow:
    pk, trainee_id, full_name, agency_id, starts_on, ends_on, waived_on, waiver_reason = values
    agency = directory.as_of(agency_id, today)
    return CommitmentRow(pk, trainee_id, full_name, agency, starts_on, ends_on, waived_on, waiver_reason, evaluation)


def _summary(in_post: list, former: list, evaluations: list[Evaluation], signed: list[tuple]) -> Summary:
    statuses = [evaluation.status for evaluation in evaluations]
    running = [values[5] for values, status in zip(signed, statuses, strict=True) if status in RUNNING]
    return Summary(
        in_post=len(in_post),
        former=len(former),
        running=len(running),
        broken=statuses.count(Status.BROKEN),
        fulfilled=statuses.count(Status.FULFILLED),
        guaranteed_until=max(running, default=None),
    )


# --- Attendance -------------------------------------------------------------------------------


def _attendance(experts: list[ExpertRow]) -> tuple[list[CourseColumn], list[AttendanceRow]]:
    """Each expert's progress per course (the completion rule), one column per course: the same
    course given to several cohorts is one column."""
    # Their enrolments, each with its cohort's courses (one row per course); then the completion
    # rule's courses, sessions and attendance (courses/progress.py).
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
    return columns, [AttendanceRow(row, cells[row.trainee_id]) for row in experts]
