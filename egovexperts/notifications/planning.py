"""Planning: which messages are due, asked of the planners the domain apps register.

Each domain app registers its planners in its AppConfig.ready() (`courses/reminders.py`,
`trainees/reminders.py`, the digest in `egovexperts/reports/digest.py`); this module imports
none of them. A planner answers, in a fixed number of queries, every message whose due time
falls in a window (start, end]:

    def planner(*, start: datetime, end: datetime) -> list[outbox.Message]

`plan()` asks every planner for the window from the end of the last run (or `lookback` ago,
whichever is later) to `at + horizon`, holds what falls in quiet hours until the morning and
writes the messages with `outbox.enqueue_many()`, which fills in each recipient's language (a
dry run fills it in the messages it lists). Their key
(kind, recipient, object, occurrence) makes a second run, a double beat tick, two beat processes
or a retried task write nothing new: the window only spares them the work.

The beat runs it every five minutes (egovexperts.notifications.tasks.plan_reminders), and so
does `manage.py plan_reminders [--dry-run] [--at ISO]`; the delivery log's "upcoming" tab is
`plan(horizon=14 days, dry_run=True)`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import languages, outbox, quiet
from .models import PlanningMark

Planner = Callable[..., list[outbox.Message]]

# How late a message may still go out when the planner ran last longer ago (a stopped beat):
# a reminder a day late is still useful, an "in 7 days" mail sent two days before is not.
DEFAULT_LOOKBACK = datetime.timedelta(hours=12)


@dataclass(frozen=True)
class Registration:
    name: str
    planner: Planner
    lookback: datetime.timedelta


_planners: dict[str, Registration] = {}


def register(name: str, planner: Planner, *, lookback: datetime.timedelta = DEFAULT_LOOKBACK) -> None:
    """Add (or replace, on a second ready()) the planner of that name."""
    _planners[name] = Registration(name, planner, lookback)


def registered() -> list[Registration]:
    return list(_planners.values())


@dataclass
class Plan:
    at: datetime.datetime
    end: datetime.datetime
    dry_run: bool
    messages: list[outbox.Message] = field(default_factory=list)  # what is (or would be) sent
    counts: dict[str, int] = field(default_factory=dict)  # per kind, of `messages`
    written: int = 0  # rows new in the outbox (0 on a dry run)


def window_start(
    registration: Registration, *, at: datetime.datetime, end: datetime.datetime, last: datetime.datetime | None
) -> datetime.datetime:
    """From the end of the last run, but never further back than the planner's lookback.

    A last run beyond the window (a run with --at in the past, a clock set back) does not count."""
    start = at - registration.lookback
    if last is not None and start < last <= end:
        start = last
    return start


def plan(
    *,
    at: datetime.datetime | None = None,
    horizon: datetime.timedelta = datetime.timedelta(0),
    dry_run: bool = False,
) -> Plan:
    at = at or timezone.now()
    end = at + horizon
    last = PlanningMark.last_planned()
    messages: list[outbox.Message] = []
    for registration in registered():
        start = window_start(registration, at=at, end=end, last=last)
        if start < end:
            messages += registration.planner(start=start, end=end)
    messages = [quiet.deferred(message) for message in messages]
    if dry_run:
        messages = languages.resolve(messages)  # shown as they would be written
    result = Plan(at=at, end=end, dry_run=dry_run, messages=messages, counts=dict(Counter(m.kind for m in messages)))
    if not dry_run:
        with transaction.atomic():
            result.written = outbox.enqueue_many(messages)
            PlanningMark.planned(until=end)
    return result
