"""The organizers' weekly digest, Monday 07:00 Vietnam time: the week's sessions and absence
notices, trainees at risk, commitments ending within 90 days, deliveries that failed.

A planner of the planning service (egovexperts/notifications/planning.py), registered by
EgovexpertsConfig.ready(): it reads every app, so it sits above them. The figures are computed
once per Monday and sent to each organizer in their language.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count
from django.urls import reverse

from courses.models import AbsenceNotice, Session
from courses.notices import local
from courses.reminders import trainees_at_risk
from egovexperts.core.permissions import organizers
from egovexperts.core.workdays import VIETNAM
from egovexperts.notifications import outbox
from egovexperts.notifications.models import OutboundMessage
from trainees.commitments import RUNNING
from trainees.models import RetentionCommitment
from trainees.selectors import commitments_with_status

SENT_AT = datetime.time(7)  # on Mondays
COMMITMENTS_WITHIN = datetime.timedelta(days=90)
LIST_LENGTH = 30  # rows of each list; the count says how many there are


def mondays(start: datetime.datetime, end: datetime.datetime) -> list[datetime.date]:
    """Mondays whose 07:00 Vietnam time falls in (start, end]."""
    day = start.astimezone(VIETNAM).date()
    day -= datetime.timedelta(days=day.weekday())
    found = []
    while (moment := sending_time(day)) <= end:
        if moment > start:
            found.append(day)
        day += datetime.timedelta(days=7)
    return found


def sending_time(monday: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(monday, SENT_AT, tzinfo=VIETNAM).astimezone(datetime.UTC)


def _listed(rows: list, count: int | None = None) -> dict:
    count = len(rows) if count is None else count
    return {"rows": rows[:LIST_LENGTH], "count": count, "more": max(0, count - LIST_LENGTH)}


def digest_context(monday: datetime.date) -> dict:
    """Twelve queries at most: sessions, notices, at risk (six), commitments (two, and the agencies),
    failed messages (and their count when there are more than the list shows)."""
    week_start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=VIETNAM)
    week_end = week_start + datetime.timedelta(days=7)
    now = sending_time(monday)
    sessions = (
        Session.objects.filter(starts_at__gte=week_start, starts_at__lt=week_end)
        .select_related("course")
        .annotate(notices=Count("absence_notices"))
        .order_by("starts_at", "pk")
    )
    notices = (
        AbsenceNotice.objects.filter(session__starts_at__gte=week_start, session__starts_at__lt=week_end)
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session", "trainee")
        .order_by("session__starts_at", "trainee__sort_key")
    )
    ending = commitments_with_status(
        RetentionCommitment.objects.filter(
            waived_on__isnull=True, ends_on__gte=monday, ends_on__lte=monday + COMMITMENTS_WITHIN
        ).order_by("ends_on", "pk"),
        today=monday,
    )
    # A message given up keeps the time of its last attempt as its due time.
    failed = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.FAILED, due_at__gte=now - datetime.timedelta(days=7)
    ).order_by("-due_at")
    failed_rows = list(failed.only("kind", "recipient", "last_error")[:LIST_LENGTH])
    failed_count = failed.count() if len(failed_rows) == LIST_LENGTH else len(failed_rows)
    site = settings.SITE_URL
    return {
        "week_start": f"{monday:%d/%m/%Y}",
        "week_end": f"{monday + datetime.timedelta(days=6):%d/%m/%Y}",
        "sessions": _listed(
            [
                {
                    "title": session.title,
                    "course": session.course.code,
                    "starts_at": local(session.starts_at),
                    "kind": session.kind,
                    "cancelled": session.is_cancelled,
                    "notices": session.notices,
                    "url": f"{site}{reverse('courses:session-detail', args=[session.pk])}",
                }
                for session in sessions
            ]
        ),
        "notices": _listed(
            [
                {
                    "trainee": n.trainee.full_name,
                    "title": n.session.title,
                    "starts_at": local(n.session.starts_at),
                    "reason": n.reason,
                }
                for n in notices
            ]
        ),
        "at_risk": _listed(
            [
                {
                    "trainee": row.full_name,
                    "course": row.course.code,
                    "best_percent": f"{row.progress.best_reachable_percent:.0f}",
                    "required_percent": row.progress.required_percent,
                    "url": f"{site}{reverse('trainees:trainee-detail', args=[row.trainee_id])}",
                }
                for row in trainees_at_risk(now)
            ]
        ),
        "commitments": _listed(
            [
                {"trainee": c.trainee.full_name, "agency": c.agency.short_name, "ends_on": f"{c.ends_on:%d/%m/%Y}"}
                for c in ending
                if c.evaluation.status in RUNNING
            ]
        ),
        "failed": _listed(
            [{"kind": m.kind, "recipient": m.recipient, "error": m.last_error[:200]} for m in failed_rows], failed_count
        ),
    }


def weekly_digest(*, start: datetime.datetime, end: datetime.datetime) -> list[outbox.Message]:
    found = mondays(start, end)
    if not found:
        return []
    recipients = list(organizers().values_list("email", flat=True))
    messages = []
    for monday in found:
        context = digest_context(monday)
        key = f"digest:{monday:%Y-%m-%d}"
        messages += [
            outbox.Message("weekly_digest", email, key, context, due_at=sending_time(monday)) for email in recipients
        ]
    return messages
