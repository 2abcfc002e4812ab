"""Reads of trainee data for pages and reports, in a fixed number of queries."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .agencies import AgencyDirectory, AsOf, show_current_posts
from .commitments import (
    Continuity,
    Evaluation,
    Post,
    Status,
    after_move,
    breach_date_sql,
    continuity,
    evaluate,
    newly_broken,
    status_sql,
)
from .models import Agency, Assignment, RetentionCommitment, Trainee


def evaluate_commitment(
    commitment: RetentionCommitment,
    *,
    posts: Iterable[Assignment],
    directory: AgencyDirectory,
    today: datetime.date | None = None,
) -> Evaluation:
    return evaluate(
        agency_id=commitment.agency_id,
        starts_on=commitment.starts_on,
        ends_on=commitment.ends_on,
        waived=commitment.waived_on is not None,
        posts=[Post(post.agency_id, post.starts_on, post.ends_on) for post in posts],
        carrier=directory.carrier,
        today=today or timezone.localdate(),
    )


def commitments_with_status(
    commitments: QuerySet[RetentionCommitment] | None = None,
    *,
    today: datetime.date | None = None,
    directory: AgencyDirectory | None = None,
) -> list[RetentionCommitment]:
    """Commitments with `.evaluation` set; three queries whatever their number."""
    if commitments is None:
        commitments = RetentionCommitment.objects.all()
    directory = directory or AgencyDirectory.load()
    rows = list(
        commitments.select_related("trainee", "agency").prefetch_related(
            Prefetch("trainee__assignments", queryset=Assignment.objects.order_by("starts_on"))
        )
    )
    for commitment in rows:
        commitment.evaluation = evaluate_commitment(
            commitment, posts=commitment.trainee.assignments.all(), directory=directory, today=today
        )
    return rows


def with_status(
    commitments: QuerySet[RetentionCommitment],
    *,
    today: datetime.date | None = None,
    directory: AgencyDirectory | None = None,
) -> QuerySet[RetentionCommitment]:
    """Annotate `broken_on` and `status` in SQL, for lists that filter, sort or count by status.

    Same answers as commitments_with_status(), which evaluates in Python (see commitments.py).
    """
    today = today or timezone.localdate()
    spans = (directory or AgencyDirectory.load()).carrier_spans()
    return commitments.annotate(broken_on=breach_date_sql(today=today, spans=spans)).annotate(
        status=status_sql(today=today)
    )


@dataclass(frozen=True)
class PostChangeEffect:
    """What recording a new post does to one of the trainee's commitments."""

    commitment: RetentionCommitment
    broken_on: datetime.date | None  # the breach the change causes
    days_left: int  # from the day of the change to the commitment's end
    continuity: Continuity | None  # why it holds, when the change keeps it
    carried_by: Agency | None  # the agency in force that carries it on the day of the change


def post_change_effects(
    trainee: Trainee, *, agency: Agency, starts_on: datetime.date, directory: AgencyDirectory | None = None
) -> list[PostChangeEffect]:
    """The commitments running on `starts_on` that a new post at `agency` from that day breaks or
    keeps: three queries. The rule is evaluate() before and after, as the breach alert compares."""
    commitments = list(
        RetentionCommitment.objects.filter(
            trainee=trainee, waived_on__isnull=True, starts_on__lte=starts_on, ends_on__gt=starts_on
        ).select_related("agency")
    )
    if not commitments:
        return []
    directory = directory or AgencyDirectory.load()
    carrier = directory.carrier
    posts = [
        Post(*post)
        for post in trainee.assignments.order_by("starts_on", "pk").values_list("agency_id", "starts_on", "ends_on")
    ]
    moved = after_move(posts, agency_id=agency.pk, starts_on=starts_on)
    effects = []
    for commitment in sorted(commitments, key=lambda commitment: (commitment.ends_on, commitment.pk)):
        facts = {
            "agency_id": commitment.agency_id,
            "starts_on": commitment.starts_on,
            "ends_on": commitment.ends_on,
            "waived": False,
            "carrier": carrier,
            "today": commitment.ends_on,
        }
        before = evaluate(posts=posts, **facts)
        broken_on = newly_broken(before, evaluate(posts=moved, **facts))
        kept = None
        if broken_on is None:
            if before.broken_on is not None and before.broken_on <= starts_on:
                continue  # broken already: the change does not concern it
            kept = continuity(agency_id=commitment.agency_id, new_agency_id=agency.pk, day=starts_on, carrier=carrier)
        effects.append(
            PostChangeEffect(
                commitment=commitment,
                broken_on=broken_on,
                days_left=(commitment.ends_on - starts_on).days,
                continuity=kept,
                carried_by=directory.in_force(commitment.agency_id, starts_on),
            )
        )
    return effects


# --- The commitments of one trainee as a timeline --------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    commitment: RetentionCommitment  # with .evaluation
    agency: AsOf  # the committing agency as today's pages show it
    renewal: bool  # follows an earlier commitment of the same agency (or the one that took it over)
    # Positions on the bar, in thousandths of the timeline's width (SVG user units).
    x: int
    width: int
    done_width: int  # the part held: up to today, the breach or the end
    mark_x: int | None  # the day of the breach


@dataclass(frozen=True)
class Timeline:
    first: datetime.date
    last: datetime.date
    rows: list[TimelineRow]
    years: list[tuple[int, int]]  # (year, x) of each 1 January inside the range
    today_x: int | None


def commitment_timeline(
    commitments: list[RetentionCommitment],
    *,
    today: datetime.date | None = None,
    directory: AgencyDirectory | None = None,
) -> Timeline | None:
    """A trainee's commitments (evaluated, see commitments_with_status) on one time axis, oldest
    first, renewals marked: positions only, the template draws them."""
    if not commitments:
        return None
    today = today or timezone.localdate()
    directory = directory or AgencyDirectory.cached()
    ordered = sorted(commitments, key=lambda commitment: (commitment.starts_on, commitment.pk))
    first = datetime.date(min(c.starts_on for c in ordered).year, 1, 1)
    last = datetime.date(max(c.ends_on for c in ordered).year + 1, 1, 1)
    span = (last - first).days

    def x(day: datetime.date) -> int:
        return round((min(max(day, first), last) - first).days * 1000 / span)

    def carrier(commitment: RetentionCommitment, day: datetime.date) -> int:
        return directory.in_force(commitment.agency_id, day).pk

    rows = []
    for index, commitment in enumerate(ordered):
        renewal = any(
            earlier.ends_on <= commitment.starts_on + datetime.timedelta(days=31)
            and carrier(earlier, today) == carrier(commitment, today)  # the same agency as it stands today
            for earlier in ordered[:index]
        )
        evaluation = commitment.evaluation
        held_until = {
            Status.BROKEN: evaluation.broken_on,
            Status.WAIVED: commitment.waived_on,
            Status.FULFILLED: commitment.ends_on,
            Status.PENDING: commitment.starts_on,
        }.get(evaluation.status) or today
        held_until = min(max(held_until, commitment.starts_on), commitment.ends_on)
        start, end = x(commitment.starts_on), x(commitment.ends_on)
        rows.append(
            TimelineRow(
                commitment=commitment,
                agency=directory.as_of(commitment.agency_id, today),
                renewal=renewal,
                x=start,
                width=max(end - start, 1),
                done_width=x(held_until) - start,
                mark_x=x(evaluation.broken_on) if evaluation.broken_on else None,
            )
        )
    years = [(year, x(datetime.date(year, 1, 1))) for year in range(first.year, last.year + 1)]
    return Timeline(first, last, rows, years, x(today) if first <= today <= last else None)


def posts_as_of_their_end(trainee, agencies: AgencyDirectory) -> list:
    """The trainee's posts, latest first, each with its agency and unit as of its last day (today
    for the post held now): a post at Hà Giang that ended in 2022 was at Hà Giang; one held today
    is at Tuyên Quang, recorded at Hà Giang."""
    today = timezone.localdate()
    posts = list(trainee.assignments.select_related("unit").order_by("-starts_on", "-pk"))
    for post in posts:
        day = min(post.ends_on or today, today)
        post.agency_as_of = agencies.as_of(post.agency_id, day)
        post.unit_as_of = agencies.unit_as_of(post.unit_id, post.unit.name if post.unit else None, day)
    return posts


# What the apps above add to a trainee's profile (courses: enrolments, progress, attendance),
# each a function of the trainee returning the template's values; set in egovexperts/apps.py.
PROFILE_SECTIONS: list[Callable[[Trainee], dict]] = []


def trainee_profile(trainee: Trainee) -> dict:
    """Everything the organizer's trainee profile shows, in a fixed number of queries."""
    agencies = AgencyDirectory.cached()
    show_current_posts([trainee], directory=agencies)
    profile = {
        "posts": posts_as_of_their_end(trainee, agencies),
        "commitments": commitments_with_status(RetentionCommitment.objects.filter(trainee=trainee), directory=agencies),
    }
    for section in PROFILE_SECTIONS:
        profile.update(section(trainee))
    return profile
