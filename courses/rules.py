"""Rules of sessions and enrolments, as pure functions the workspace and the imports both call.

- A cohort attends one session at a time: two sessions of a cohort clash when neither is
  cancelled and their times overlap (one ending as the next starts is no clash).
- A session counts for a trainee from the day they were enrolled to the day their enrolment
  ended, both included; a withdrawal without an end date ends it at once.
- A session's capacity holds at least the cohort's active trainees, and no more people are
  marked present or late than it holds; a cancelled session takes no attendance.

courses/services.py applies them to rows it reads, egovexperts/imports to rows loaded once per
file. Where a query needs the same rule, its Q expression sits beside the function, and
tests/courses/test_rules.py checks that both give the same answer on a table of cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Enrolment

from .models import Session


def day_of(moment: datetime.datetime) -> datetime.date:
    """The local day of a session, which is what enrolment dates are compared with."""
    return timezone.localdate(moment)


# --- A cohort attends one session at a time ---------------------------------------


def overlaps(starts_at, ends_at, other_starts_at, other_ends_at) -> bool:
    return starts_at < other_ends_at and other_starts_at < ends_at


def clashes(session: Session, other: Session) -> bool:
    """`other` keeps the cohort busy while `session` would take place.

    Both sessions carry their course (for the cohort); a session without a primary key is new,
    so no other session is the same one.
    """
    return (
        other is not session
        and (session.pk is None or other.pk != session.pk)
        and other.course.cohort_id == session.course.cohort_id
        and not session.is_cancelled
        and not other.is_cancelled
        and overlaps(session.starts_at, session.ends_at, other.starts_at, other.ends_at)
    )


def first_clash(session: Session, others: Iterable[Session]) -> Session | None:
    return next((other for other in others if clashes(session, other)), None)


def check_no_clash(session: Session, others: Iterable[Session]) -> None:
    clash = first_clash(session, others)
    if clash is not None:
        raise ValidationError(
            _("The cohort already has “%(title)s” (%(course)s) from %(start)s to %(end)s at that time.")
            % {
                "title": clash.title,
                "course": clash.course.code,
                "start": f"{timezone.localtime(clash.starts_at):%d/%m/%Y %H:%M}",
                "end": f"{timezone.localtime(clash.ends_at):%H:%M}",
            }
        )


def clashing(session: Session) -> Q:
    """Sessions that clash with `session`, as a filter of Session rows (`clashes` in SQL)."""
    condition = Q(
        course__cohort_id=session.course.cohort_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at
    ) & ~Q(status=Session.Status.CANCELLED)
    if session.pk is not None:
        condition &= ~Q(pk=session.pk)
    if session.is_cancelled:
        condition &= Q(pk__in=[])
    return condition


# --- The days an enrolment covers -------------------------------------------------


class Period(NamedTuple):
    """An enrolment as the rule reads it; Enrolment rows and `values_list(..., named=True)` rows fit too."""

    enrolled_on: datetime.date
    ended_on: datetime.date | None = None
    status: str = Enrolment.Status.ACTIVE


class _Enrolled(Protocol):
    enrolled_on: datetime.date
    ended_on: datetime.date | None
    status: str


def enrolled_on_day(enrolment: _Enrolled | None, day: datetime.date) -> bool:
    """The trainee was in the cohort on that day (None: never enrolled in it)."""
    if enrolment is None or enrolment.enrolled_on > day:
        return False
    if enrolment.ended_on is None:
        return enrolment.status != Enrolment.Status.WITHDRAWN
    return enrolment.ended_on >= day


def enrolled(day: datetime.date) -> Q:
    """Enrolments that cover the day, as a filter of Enrolment rows (`enrolled_on_day` in SQL)."""
    return Q(enrolled_on__lte=day) & (
        Q(ended_on__gte=day) | (Q(ended_on__isnull=True) & ~Q(status=Enrolment.Status.WITHDRAWN))
    )


def check_enrolled(enrolment: _Enrolled | None, day: datetime.date, *, trainee: str) -> None:
    if not enrolled_on_day(enrolment, day):
        raise ValidationError(
            _("%(trainee)s was not enrolled in the cohort on the day of the session.") % {"trainee": trainee}
        )


def told_of_changes(enrolment: _Enrolled, day: datetime.date) -> bool:
    """Active trainees enrolled on the session's day hear of its changes."""
    return enrolment.status == Enrolment.Status.ACTIVE and enrolled_on_day(enrolment, day)


# --- Capacity ---------------------------------------------------------------------


def capacity_holds(capacity: int | None, active: int) -> bool:
    """No capacity means no limit; otherwise every active trainee of the cohort has a place."""
    return capacity is None or capacity >= active


def check_capacity(capacity: int | None, active: int) -> None:
    if not capacity_holds(capacity, active):
        message = _("The cohort has %(count)s active trainees: the capacity cannot be lower.") % {"count": active}
        raise ValidationError({"capacity": message})


def check_room(session: Session, *, present: int, adding: int) -> None:
    """`adding` more people marked present (or late) fit in the session besides `present`."""
    if session.capacity is None or adding <= 0 or present + adding <= session.capacity:
        return
    raise ValidationError(
        _("The session holds %(capacity)s people: %(count)s are already marked present.")
        % {"capacity": session.capacity, "count": present}
    )


def check_takes_attendance(session: Session) -> None:
    if session.is_cancelled:
        raise ValidationError(_("This session is cancelled: no attendance is taken."))
