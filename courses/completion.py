"""The completion rule of a course, as pure functions.

A trainee completes a course by attending (present or late) at least the course's minimum
share of the sessions that count for them. Sessions count for a trainee only while they are
enrolled (none before their enrolment or after their withdrawal), and never when cancelled.
An excused absence leaves the session out of the share: it neither helps nor hurts.
"""

from __future__ import annotations

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
