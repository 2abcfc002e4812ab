"""Change notices of sessions: what trainees are told when a session moves, changes or is cancelled.

- Every active trainee enrolled on the session's day is told, whatever their reminder setting.
- Edits close together reach the trainee as one message: a notice waits NOTICE_DELAY, and an
  edit within that time replaces the waiting notice (marked superseded, never sent) by one with
  the latest state and every change since the last notice sent (old -> new).
- A change less than URGENT_BEFORE before the session goes out at once, even at night; other
  notices wait for the morning (notifications/quiet.py).
- A cancellation goes out without waiting and supersedes the session's waiting reminders and
  change notices; its calendar file carries STATUS:CANCELLED and the new SEQUENCE.
- A rescheduled session's waiting reminders are superseded too: the planner writes new ones
  for the new time.

The services call `enqueue_change_notices` in the transaction of the change.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from cohorts.models import Enrolment
from egovexperts.notifications import outbox, quiet
from egovexperts.notifications.models import OutboundMessage

from . import rules
from .models import Session

NOTICE_DELAY = datetime.timedelta(minutes=10)
URGENT_BEFORE = datetime.timedelta(hours=48)
# The fields a trainee is told about, in the order the message lists them.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "kind", "venue", "meeting_url")
SUPERSEDED_BY_CANCELLATION = ("session_reminder", "session_changed")

Previous = datetime.datetime | Mapping[str, object]


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, quiet.VIETNAM).strftime("%d/%m/%Y %H:%M")


def _shown(name: str, value) -> str:
    if isinstance(value, datetime.datetime):
        return local(value)
    return "" if value is None else str(value)


def session_prefix(session_id: int) -> str:
    """Every key of a session's messages starts with it (see reminders.py for reminders')."""
    return f"session:{session_id}:"


def changes_of(session: Session, previous: Previous) -> list[list[str]]:
    """[field, old, new] for each notified field that differs; `previous` is the old start or a
    mapping of the fields' old values (a field left out did not change)."""
    if isinstance(previous, datetime.datetime):
        previous = {"starts_at": previous}
    changes = []
    for name in NOTIFIED_FIELDS:
        if name in previous:
            old, new = _shown(name, previous[name]), _shown(name, getattr(session, name))
            if old != new:
                changes.append([name, old, new])
    return changes


def merged(earlier: list[list[str]], later: list[list[str]]) -> list[list[str]]:
    """Changes of two notices as one: each field's first old value and last new value, and
    nothing for a field that came back to where it was."""
    olds = {name: old for name, old, _new in earlier}
    news = {name: new for name, _old, new in earlier}
    for name, old, new in later:
        olds.setdefault(name, old)
        news[name] = new
    return [[name, olds[name], news[name]] for name in NOTIFIED_FIELDS if name in news and olds[name] != news[name]]


def _waiting(session_ids: list[int], kinds: Iterable[str]):
    """Queued messages of these kinds about these sessions, locked until the change commits so
    that no worker claims one while it is being superseded."""
    prefixes = reduce(or_, (Q(key__startswith=session_prefix(pk)) for pk in session_ids))
    return OutboundMessage.objects.select_for_update().filter(
        prefixes, kind__in=list(kinds), status=OutboundMessage.Status.QUEUED
    )


def _supersede(ids: list[int]) -> None:
    if ids:
        OutboundMessage.objects.filter(pk__in=ids, status=OutboundMessage.Status.QUEUED).update(
            status=OutboundMessage.Status.SUPERSEDED, secret_context={}
        )


def _session_of(key: str) -> int:
    return int(key.split(":", 2)[1])


def enqueue_change_notices(
    changed: Iterable[tuple[Session, Previous]], *, reason: str = "", now: datetime.datetime | None = None
) -> int:
    """Queue a `session_changed` notice to each trainee each changed session concerns.

    `changed` pairs each session, saved with its new state and sequence and with its course,
    with its state before the change: the old start, or a mapping of old values. The same
    queries whatever the number of sessions and trainees: the schedule import calls this with
    many sessions, the workspace with one.
    """
    now = now or timezone.now()
    changed = [
        (session, changes_of(session, previous), _start_before(session, previous)) for session, previous in changed
    ]
    if not changed:
        return 0
    session_ids = [session.pk for session, *_rest in changed]
    cancelled = [session.pk for session, *_rest in changed if session.is_cancelled]
    rescheduled = [session.pk for session, changes, _start in changed if not session.is_cancelled and changes]

    # Query 1: the active enrolments of the sessions' cohorts, with their trainees.
    cohort_ids = {session.course.cohort_id for session, *_rest in changed}
    enrolments = defaultdict(list)
    active = Enrolment.objects.filter(cohort_id__in=cohort_ids, status=Enrolment.Status.ACTIVE)
    for enrolment in active.select_related("trainee").order_by("pk"):
        enrolments[enrolment.cohort_id].append(enrolment)

    # Query 2: notices still waiting, and a cancelled or moved session's reminders.
    waiting_notices: dict[tuple[int, str], list[OutboundMessage]] = defaultdict(list)
    stale = []
    for message in _waiting(session_ids, SUPERSEDED_BY_CANCELLATION):
        session_id = _session_of(message.key)
        if message.kind == "session_changed" and (session_id in cancelled or message.due_at > now):
            waiting_notices[(session_id, message.recipient)].append(message)
            stale.append(message.pk)
        elif message.kind == "session_reminder" and (session_id in cancelled or session_id in rescheduled):
            stale.append(message.pk)
    _supersede(stale)  # query 3, if any

    messages = []
    for session, changes, previous_start in changed:
        # Urgent when the session was, or now is, less than 48 hours away.
        urgent = min(session.starts_at, previous_start) - now < URGENT_BEFORE
        state = {
            "session_id": session.pk,
            "title": session.title,
            "course": str(session.course),
            "status": session.status,
            "starts_at": local(session.starts_at),
            "ends_at": local(session.ends_at),
            "kind": session.kind,
            "venue": session.venue,
            "meeting_url": session.meeting_url,
            "sequence": session.sequence,
        }
        key = f"session:{session.pk}:{session.status}:{session.sequence}"
        day = rules.day_of(session.starts_at)
        for enrolment in enrolments[session.course.cohort_id]:
            if not rules.told_of_changes(enrolment, day):
                continue
            recipient = enrolment.trainee.email.strip().lower()
            earlier = sorted(waiting_notices.get((session.pk, recipient), []), key=lambda message: message.pk)
            all_changes = reduce(merged, [message.context.get("changes", []) for message in earlier] + [changes], [])
            if earlier and not all_changes and not session.is_cancelled:
                continue  # back where the last notice sent left it: nothing to tell
            if urgent or session.is_cancelled:
                due_at = now
            else:
                due_at = min([message.due_at for message in earlier] or [now + NOTICE_DELAY])
            if not urgent:
                due_at = quiet.sending_time(due_at)
            first = earlier[0].context if earlier else {}
            context = {
                **state,
                "full_name": enrolment.trainee.full_name,
                "changes": all_changes,
                "previous_start": first.get("previous_start") or _previous_start(session, all_changes),
                "reason": reason
                or next((m.context.get("reason") for m in reversed(earlier) if m.context.get("reason")), ""),
                "urgent": urgent,
            }
            messages.append(
                outbox.Message("session_changed", recipient=recipient, key=key, context=context, due_at=due_at)
            )
    return outbox.enqueue_many(messages)


def _start_before(session: Session, previous: Previous) -> datetime.datetime:
    if isinstance(previous, datetime.datetime):
        return previous
    start = previous.get("starts_at")
    return start if isinstance(start, datetime.datetime) else session.starts_at


def _previous_start(session: Session, changes: list[list[str]]) -> str:
    return next((old for name, old, _new in changes if name == "starts_at"), local(session.starts_at))
