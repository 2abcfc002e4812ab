"""The commitment rule of commitments.py for thousands of commitments at once, as of any date.

commitments.py decides one commitment from its trainee's posts. A report over every commitment
cannot load every trainee's posts, and needs no more than this: a commitment can only be broken
on a day its trainee left a post (`evaluate()` looks at nothing else), so SQL finds the
commitments with a post that ended inside their window before the date (`may_be_broken`), those
few are evaluated through commitments.py with their posts, and every other one gets the status
its dates alone give (`status_by_dates`, which is evaluate() with no departure). One test on a
table of cases (tests/trainees/test_commitment_status.py) checks that the two paths agree with
evaluate().

As of a date, a commitment counts as waived from the day the waiver was recorded: on an earlier
date it was what its posts made it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from .agencies import AgencyDirectory
from .commitments import Evaluation, Post, Status, evaluate
from .models import Assignment, RetentionCommitment


def waived_as_of(waived_on: datetime.date | None, on: datetime.date) -> bool:
    return waived_on is not None and waived_on <= on


def may_be_broken(on: datetime.date) -> Exists:
    """True for commitments whose trainee left a post inside the commitment's window before `on`.

    A superset of the broken ones (evaluate() decides), never missing one: a departure counts
    from the day after the post's last day, from the commitment's start to the day before its
    end. The bounds on the commitment's own dates are widened by a day or two because SQLite
    compares a shifted date as text ("2020-05-30 00:00:00" sorts after "2020-05-30").
    """
    departures = Assignment.objects.filter(trainee=OuterRef("trainee_id"), ends_on__isnull=False, ends_on__lt=on)
    return Exists(
        departures.filter(
            ends_on__lt=OuterRef("ends_on"), ends_on__gte=OuterRef("starts_on") - datetime.timedelta(days=2)
        )
    )


def status_by_dates(
    *, starts_on: datetime.date, ends_on: datetime.date, waived_on: datetime.date | None, on: datetime.date
) -> Status:
    """The status of a commitment whose trainee left no post inside its window before `on`."""
    return evaluate(
        agency_id=0,
        starts_on=starts_on,
        ends_on=ends_on,
        waived=waived_as_of(waived_on, on),
        posts=(),
        carrier=lambda agency_id, day: agency_id,
        today=on,
    ).status


def evaluate_on(
    commitment: RetentionCommitment | dict, posts: Iterable[Post], *, directory: AgencyDirectory, on: datetime.date
) -> Evaluation:
    """evaluate() as of `on`, for a commitment given as a model or as a values() row."""
    get = commitment.get if isinstance(commitment, dict) else lambda name: getattr(commitment, name)
    return evaluate(
        agency_id=get("agency_id"),
        starts_on=get("starts_on"),
        ends_on=get("ends_on"),
        waived=waived_as_of(get("waived_on"), on),
        posts=list(posts),
        carrier=directory.carrier,
        today=on,
    )


FIELDS = ("pk", "trainee_id", "agency_id", "starts_on", "ends_on", "waived_on")


def posts_of(trainees: QuerySet | Iterable[int]) -> dict[int, list[Post]]:
    """The posts of some trainees (ids, or a query of ids), oldest first: one query."""
    posts = defaultdict(list)
    held = Assignment.objects.filter(trainee_id__in=trainees).order_by("starts_on", "pk")
    for trainee_id, agency_id, starts_on, ends_on in held.values_list(
        "trainee_id", "agency_id", "starts_on", "ends_on"
    ):
        posts[trainee_id].append(Post(agency_id, starts_on, ends_on))
    return posts


def evaluated_candidates(
    commitments: QuerySet[RetentionCommitment], *, on: datetime.date, directory: AgencyDirectory
) -> list[tuple[dict, Evaluation]]:
    """The commitments that may be broken on `on`, each with its evaluation: two queries."""
    candidates = commitments.filter(may_be_broken(on)).order_by()
    rows = list(candidates.values(*FIELDS))
    posts = posts_of(candidates.values("trainee_id"))  # a subquery, not a list of ids
    return [(row, evaluate_on(row, posts[row["trainee_id"]], directory=directory, on=on)) for row in rows]


def statuses_on(
    commitments: QuerySet[RetentionCommitment], *, on: datetime.date, directory: AgencyDirectory | None = None
) -> dict[int, Status]:
    """The status of each commitment on `on`, by the two paths reports use; three queries."""
    directory = directory or AgencyDirectory.load()
    found = {
        row["pk"]: evaluation.status
        for row, evaluation in evaluated_candidates(commitments, on=on, directory=directory)
    }
    others = commitments.filter(~may_be_broken(on)).values_list("pk", "starts_on", "ends_on", "waived_on")
    for pk, starts_on, ends_on, waived_on in others:
        found[pk] = status_by_dates(starts_on=starts_on, ends_on=ends_on, waived_on=waived_on, on=on)
    return found
