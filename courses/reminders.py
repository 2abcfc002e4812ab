"""Which session reminders, missing-attendance alerts and at-risk notices are due.

Planners of the planning service (egovexperts/notifications/planning.py), registered in
CoursesConfig.ready(). Each answers every message due in a window in a fixed number of queries.

- Session reminders go to each active trainee enrolled on the session's day who wants them,
  at each offset admins set (by default 7 days and 1 working day before). None for a cancelled
  session or to a trainee who sent an absence notice. A trainee enrolled after an offset passed
  gets only the reminders still ahead, and a planner that ran late sends, of the reminders it
  finds overdue, only the nearest to the session: never an "in 7 days" mail two days before.
  A reminder that quiet hours would push past the start is dropped. The key holds the
  session's sequence and start: a rescheduled session gets reminders for its new time.
- Missing attendance: 24 hours after a session ended with no attendance recorded, organizers
  are told once per session.
- At risk: when a trainee can no longer reach a course's threshold while sessions remain, the
  trainee and the organizers are told once per (trainee, course).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from egovexperts.core.permissions import organizers
from egovexperts.notifications import outbox, planning, quiet
from egovexperts.notifications.models import ReminderOffset

from . import rules
from .completion import Progress
from .models import AbsenceNotice, Attendance, Course, Material, Session
from .notices import local
from .progress import Window, progress_table

ATTENDANCE_GRACE = datetime.timedelta(hours=24)


def _absolute(path: str) -> str:
    return path if "://" in path else f"{settings.SITE_URL}{path}"


def _end_time(session: Session) -> str:
    """The end as the reader needs it: the time alone on the same day."""
    same_day = rules.day_of(session.starts_at) == rules.day_of(session.ends_at)
    return timezone.localtime(session.ends_at, quiet.VIETNAM).strftime("%H:%M") if same_day else local(session.ends_at)


def reminder_key(session: Session, offset: ReminderOffset) -> str:
    start = session.starts_at.astimezone(datetime.UTC)
    return f"session:{session.pk}:reminder:{session.sequence}:{start:%Y%m%dT%H%MZ}:{offset.code}"


def _due_reminders(sessions, offsets, *, start, end, now):
    """(session, offset, due time) of each reminder due in (start, end]. Of those already due
    now, only the nearest to the session: one overtaken by a nearer one is never sent late."""
    for session in sessions:
        due = sorted(
            ((offset.before(session.starts_at), offset) for offset in offsets),
            key=lambda pair: pair[0],
        )
        due = [(due_at, offset) for due_at, offset in due if start < due_at <= end]
        overtaken = [due_at for due_at, _offset in due if due_at <= now][:-1]
        for due_at, offset in due:
            if due_at in overtaken:
                continue
            due_at = quiet.sending_time(due_at)
            if due_at < session.starts_at and now < session.starts_at:
                yield session, offset, due_at


def session_reminders(*, start: datetime.datetime, end: datetime.datetime) -> list[outbox.Message]:
    """Five queries: offsets, sessions, enrolments with trainees, absence notices, materials."""
    offsets = ReminderOffset.in_force()
    if not offsets:
        return []
    reach = max(offset.reach for offset in offsets)
    sessions = (
        Session.objects.filter(starts_at__gt=start, starts_at__lte=end + reach)
        .exclude(status=Session.Status.CANCELLED)
        .select_related("course")
        .order_by("starts_at", "pk")
    )
    due = list(_due_reminders(sessions, offsets, start=start, end=end, now=timezone.now()))
    if not due:
        return []
    session_ids = [session.pk for session, _offset, _due in due]
    enrolments = defaultdict(list)
    rows = Enrolment.objects.filter(
        cohort_id__in={session.course.cohort_id for session, _offset, _due in due},
        status=Enrolment.Status.ACTIVE,
        trainee__email_reminders=True,
    ).values_list(
        "cohort_id", "enrolled_on", "ended_on", "status", "trainee_id", "trainee__email", "trainee__full_name"
    )
    for cohort_id, enrolled_on, ended_on, status, *trainee in rows.order_by("pk"):
        enrolments[cohort_id].append((rules.Period(enrolled_on, ended_on, status), *trainee))
    excused = set(AbsenceNotice.objects.filter(session_id__in=session_ids).values_list("session_id", "trainee_id"))
    materials = defaultdict(list)
    published = Material.objects.published().filter(session_id__in=session_ids).order_by("title")
    for material in published.only("pk", "session_id", "title", "file", "url"):
        materials[material.session_id].append({"title": material.title, "href": _absolute(material.href)})

    schedule = reverse("portal:schedule")
    messages = []
    for session, offset, due_at in due:
        context = {
            "session_id": session.pk,
            "title": session.title,
            "course": str(session.course),
            "kind": session.kind,
            "starts_at": local(session.starts_at),
            "ends_at": _end_time(session),
            "venue": session.venue,
            "meeting_url": session.meeting_url,
            "lecturers": session.lecturers,
            "materials": materials[session.pk],
            "session_url": _absolute(f"{schedule}#session-{session.pk}"),
            "absence_url": _absolute(reverse("portal:absence-notice", args=[session.pk])),
            "offset": offset.code,
        }
        key = reminder_key(session, offset)
        day = rules.day_of(session.starts_at)
        for period, trainee_id, email, full_name in enrolments[session.course.cohort_id]:
            if rules.told_of_changes(period, day) and (session.pk, trainee_id) not in excused:
                messages.append(
                    outbox.Message("session_reminder", email, key, {**context, "full_name": full_name}, due_at=due_at)
                )
    return messages


def missing_attendance(*, start: datetime.datetime, end: datetime.datetime) -> list[outbox.Message]:
    """Two queries: sessions ended a day before the window with no attendance, the organizers."""
    recorded = Attendance.objects.filter(session=OuterRef("pk"))
    sessions = list(
        Session.objects.filter(ends_at__gt=start - ATTENDANCE_GRACE, ends_at__lte=end - ATTENDANCE_GRACE)
        .exclude(status=Session.Status.CANCELLED)
        .exclude(Exists(recorded))
        .select_related("course")
        .order_by("ends_at", "pk")
    )
    if not sessions:
        return []
    recipients = list(organizers().values_list("email", flat=True))
    messages = []
    for session in sessions:
        context = {
            "session_id": session.pk,
            "title": session.title,
            "course": str(session.course),
            "starts_at": local(session.starts_at),
            "ends_at": _end_time(session),
            "session_url": _absolute(reverse("courses:session-detail", args=[session.pk])),
        }
        due_at = session.ends_at + ATTENDANCE_GRACE
        key = f"session:{session.pk}:missing_attendance"
        messages += [outbox.Message("missing_attendance", email, key, context, due_at=due_at) for email in recipients]
    return messages


@dataclass(frozen=True)
class AtRisk:
    trainee_id: int
    email: str
    full_name: str
    course: Course
    progress: Progress


def trainees_at_risk(moment: datetime.datetime) -> list[AtRisk]:
    """Active trainees who can no longer complete a course that still has sessions to come.

    Six queries: the courses with sessions to come, the enrolments, the progress table (three),
    the courses found.
    """
    running = Session.objects.filter(ends_at__gte=moment).exclude(status=Session.Status.CANCELLED)
    course_ids = set(running.order_by().values_list("course_id", flat=True).distinct())
    if not course_ids:
        return []
    enrolments = list(
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE, cohort__courses__in=course_ids)
        .distinct()
        .values_list("trainee_id", "cohort_id", "enrolled_on", "ended_on", "trainee__email", "trainee__full_name")
    )
    windows = [Window(*row[:4]) for row in enrolments]
    people = {row[0]: row[4:] for row in enrolments}
    table = progress_table(windows, now=moment, course_ids=course_ids)
    found = sorted(key for key, progress in table.items() if progress.upcoming and _cannot_complete(progress))
    if not found:
        return []
    courses = Course.objects.select_related("cohort").in_bulk({course_id for _trainee, course_id in found})
    return [
        AtRisk(trainee_id, *people[trainee_id], courses[course_id], table[(trainee_id, course_id)])
        for trainee_id, course_id in found
    ]


def _cannot_complete(progress: Progress) -> bool:
    """Progress.at_risk in whole numbers: the best share reachable is below the threshold
    (ten thousand Decimal divisions would cost more than the query)."""
    total = progress.counted + progress.upcoming
    return total > 0 and (progress.attended + progress.upcoming) * 100 < progress.required_percent * total


def at_risk(*, start: datetime.datetime, end: datetime.datetime) -> list[outbox.Message]:
    """The trainee and the organizers, once per (trainee, course) by the key.

    A state, not an event: checked as of the end of the window, or now if that is earlier (the
    upcoming tab looks ahead, but nobody knows today who will be at risk next week). Seven
    queries: trainees_at_risk's six and the organizers.
    """
    moment = min(end, timezone.now())
    found = trainees_at_risk(moment)
    if not found:
        return []
    recipients = list(organizers().values_list("email", flat=True))
    messages = []
    for row in found:
        progress = row.progress
        context = {
            "trainee_id": row.trainee_id,
            "full_name": row.full_name,
            "course": str(row.course),
            "required_percent": progress.required_percent,
            "best_percent": f"{progress.best_reachable_percent:.0f}",
            "attended": progress.attended,
            "counted": progress.counted,
            "upcoming": progress.upcoming,
        }
        key = f"course:{row.course.pk}:trainee:{row.trainee_id}:at_risk"
        mine = {**context, "for_trainee": True, "url": _absolute(reverse("portal:progress"))}
        messages.append(outbox.Message("at_risk", row.email, key, mine, due_at=moment))
        record = _absolute(reverse("trainees:trainee-detail", args=[row.trainee_id]))
        theirs = {**context, "for_trainee": False, "url": record}
        messages += [
            outbox.Message("at_risk", address, key, theirs, due_at=moment)
            for address in recipients
            if address.lower() != row.email.lower()
        ]
    return messages


def register() -> None:
    planning.register("session_reminder", session_reminders)
    # Alerts are still worth sending days late (a stopped beat): they look further back.
    planning.register("missing_attendance", missing_attendance, lookback=datetime.timedelta(days=7))
    planning.register("at_risk", at_risk)
