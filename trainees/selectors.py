"""Reads of trainee data for pages and reports, in a fixed number of queries."""

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .agencies import AgencyDirectory
from .commitments import Evaluation, Post, breach_date_sql, evaluate, status_sql
from .models import Assignment, RetentionCommitment


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
        carrier=lambda agency_id, day: directory.in_force(agency_id, day).pk,
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
