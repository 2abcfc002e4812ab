"""Which commitment notices are due: 90 and 30 days before the end, fulfilled, broken.

They go to the organizers and, when the commitment records one, the agency's contact. The
planners (registered in TraineesConfig.ready()) write the dated ones; the breach alert is
written by trainees/services.py in the transaction of the post change that causes it.
A notice is due at 08:00 Vietnam time on its day; its key holds the end date, so a corrected
end date gets notices of its own.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from egovexperts.core.permissions import organizers
from egovexperts.core.workdays import VIETNAM
from egovexperts.notifications import outbox, planning

from .agencies import AgencyDirectory
from .commitments import RUNNING, Evaluation, Status
from .models import RetentionCommitment
from .selectors import commitments_with_status, evaluate_commitment

ENDING_NOTICES = (90, 30)  # days before the end
NOTICE_TIME = datetime.time(8)


def _at_eight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, NOTICE_TIME, tzinfo=VIETNAM).astimezone(datetime.UTC)


def _days(start: datetime.datetime, end: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The first and last day whose 08:00 falls in (start, end]."""
    first = start.astimezone(VIETNAM).date()
    if _at_eight(first) <= start:
        first += datetime.timedelta(days=1)
    last = end.astimezone(VIETNAM).date()
    if _at_eight(last) > end:
        last -= datetime.timedelta(days=1)
    return first, last


def context_of(commitment: RetentionCommitment, evaluation: Evaluation | None = None) -> dict:
    return {
        "commitment_id": commitment.pk,
        "trainee": commitment.trainee.full_name,
        "agency": commitment.agency.name_vi,
        "starts_on": f"{commitment.starts_on:%d/%m/%Y}",
        "ends_on": f"{commitment.ends_on:%d/%m/%Y}",
        "document_ref": commitment.document_ref,
        "broken_on": f"{evaluation.broken_on:%d/%m/%Y}" if evaluation and evaluation.broken_on else "",
        "url": f"{settings.SITE_URL}{reverse('trainees:trainee-detail', args=[commitment.trainee_id])}",
    }


def recipients_of(commitment: RetentionCommitment, office: list[str]) -> list[str]:
    return [*office, commitment.contact_email] if commitment.contact_email else list(office)


def commitment_notices(*, start: datetime.datetime, end: datetime.datetime) -> list[outbox.Message]:
    """Ending in 90 or 30 days, or fulfilled, on a day whose 08:00 is in the window.

    Four queries: the agencies (for the status rule), the commitments with trainee and agency,
    their posts, the organizers. A broken or waived commitment gets none of these.
    """
    first, last = _days(start, end)
    if first > last:
        return []
    ends = Q(ends_on__range=(first, last))
    for days in ENDING_NOTICES:
        ends |= Q(ends_on__range=(first + datetime.timedelta(days=days), last + datetime.timedelta(days=days)))
    found = []
    directory = AgencyDirectory.load()
    commitments = commitments_with_status(
        RetentionCommitment.objects.filter(ends, waived_on__isnull=True), directory=directory
    )
    for commitment in commitments:
        posts = commitment.trainee.assignments.all()
        for days in (0, *ENDING_NOTICES):
            day = commitment.ends_on - datetime.timedelta(days=days)
            if not first <= day <= last:
                continue
            # The status on the notice's day (the upcoming tab plans days ahead).
            evaluation = evaluate_commitment(commitment, posts=posts, directory=directory, today=day)
            if days == 0 and evaluation.status == Status.FULFILLED:
                found.append((commitment, "commitment_fulfilled", f"commitment:{commitment.pk}:fulfilled", day, 0))
            elif days and evaluation.status in RUNNING:
                key = f"commitment:{commitment.pk}:ending:{days}:{commitment.ends_on:%Y%m%d}"
                found.append((commitment, "commitment_ending", key, day, days))
    if not found:
        return []
    office = list(organizers().values_list("email", flat=True))
    messages = []
    for commitment, kind, key, day, days in found:
        context = {**context_of(commitment), "days": days}
        messages += [
            outbox.Message(kind, address, key, context, due_at=_at_eight(day))
            for address in recipients_of(commitment, office)
        ]
    return messages


def breach_alerts(broken: list[tuple[RetentionCommitment, Evaluation]]) -> list[outbox.Message]:
    """The alert to the organizers and the agency's contact for each newly broken commitment."""
    if not broken:
        return []
    office = list(organizers().values_list("email", flat=True))
    messages = []
    for commitment, evaluation in broken:
        key = f"commitment:{commitment.pk}:broken:{evaluation.broken_on:%Y%m%d}"
        context = context_of(commitment, evaluation)
        messages += [
            outbox.Message("commitment_broken", address, key, context) for address in recipients_of(commitment, office)
        ]
    return messages


def register() -> None:
    # A notice a few days late is still worth sending (a stopped beat): look back a week.
    planning.register("commitment", commitment_notices, lookback=datetime.timedelta(days=7))
