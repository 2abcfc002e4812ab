"""The completion rule of a course, as pure functions.

A trainee completes a course by attending (present or late) at least the course's minimum
share of the sessions that count for them. Sessions count for a trainee only while they are
enrolled (none before their enrolment or after their withdrawal), and never when cancelled.
An excused absence leaves the session out of the share: it neither helps nor hurts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Progress:
    required_percent: int
    held: int  # sessions that took place while the trainee was enrolled
    attended: int  # present or late
    excused: int
    upcoming: int  # sessions still to come while enrolled
    hours: float = 0.0  # hours of the sessions attended

    @property
    def counted(self) -> int:
        return self.held - self.excused

    @property
    def percent(self) -> Decimal | None:
        if self.counted <= 0:
            return None
        return (Decimal(self.attended) * 100 / self.counted).quantize(Decimal("0.1"))

    @property
    def best_reachable_percent(self) -> Decimal | None:
        """The share reached if the trainee attends every session still to come."""
        total = self.counted + self.upcoming
        if total <= 0:
            return None
        return Decimal(self.attended + self.upcoming) * 100 / total

    @property
    def at_risk(self) -> bool:
        """Can no longer reach the threshold, whatever happens in the sessions still to come."""
        best = self.best_reachable_percent
        return best is not None and best < self.required_percent

    @property
    def completed(self) -> bool:
        """All sessions held and the threshold met."""
        return self.upcoming == 0 and self.percent is not None and self.percent >= self.required_percent


ATTENDED_STATUSES = ("present", "late")
EXCUSED_STATUS = "excused"


@dataclass(frozen=True)
class SessionFact:
    """One session of a course as seen by one trainee."""

    day: datetime.date  # local date of the start
    hours: float
    started: bool  # a session counts as held from its start (attendance is taken in class)
    cancelled: bool = False
    status: str | None = None  # the trainee's attendance status, None if not recorded
    recorded: bool = True  # attendance was taken for the session (for anyone)


def progress_of(
    sessions: Iterable[SessionFact],
    *,
    required_percent: int,
    enrolled_on: datetime.date,
    ended_on: datetime.date | None = None,
) -> Progress:
    """Progress of one trainee in one course; courses/progress.py computes the same in SQL.

    A session that began but whose attendance nobody has recorded yet is still pending: it
    counts like a session to come, so a late register never flags anyone at risk.
    """
    held = attended = excused = upcoming = 0
    hours = 0.0
    for session in sessions:
        if session.cancelled or session.day < enrolled_on or (ended_on is not None and session.day > ended_on):
            continue
        if not session.started or not session.recorded:
            upcoming += 1
            continue
        held += 1
        if session.status in ATTENDED_STATUSES:
            attended += 1
            hours += session.hours
        elif session.status == EXCUSED_STATUS:
            excused += 1
    return Progress(required_percent, held, attended, excused, upcoming, round(hours, 2))
