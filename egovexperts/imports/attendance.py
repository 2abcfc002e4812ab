"""Attendance of a course's sessions from an online-platform export or a sign-in sheet."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cohorts.models import Enrolment
from courses import rules
from courses.models import Attendance, Course, Session
from trainees.models import Trainee

from .files import Table
from .history import Author
from .models import Outcome
from .plans import Changes, Plan, RowResult, read_rows
from .resources import AttendanceResource


def plan(table: Table, *, course: Course, user=None, **options) -> Plan:
    sessions = list(Session.objects.filter(course=course))
    resource = AttendanceResource(sessions=sessions)
    results, cleaned, notes = read_rows(resource, table)
    emails = sorted({values["email"] for values in cleaned if values.get("email")})
    trainees = {}
    for start in range(0, len(emails), 2000):
        for trainee in Trainee.objects.filter(email__in=emails[start : start + 2000]).only("pk", "email", "full_name"):
            trainees[trainee.email.lower()] = trainee
    existing = {(a.session_id, a.trainee_id): a for a in Attendance.objects.filter(session__course=course)}
    # One enrolment per trainee and cohort (enrolment_unique_per_cohort), loaded once per file.
    periods = Enrolment.objects.filter(cohort_id=course.cohort_id).values_list(
        "trainee_id", "enrolled_on", "ended_on", "status", named=True
    )
    enrolments = {row.trainee_id: row for row in periods}
    # People marked present or late per session, as the file's rows will leave them (the room rule).
    present = Counter(a.session_id for a in existing.values() if a.status in Attendance.ATTENDED)
    seen: dict[tuple, RowResult] = {}
    new, updates = [], []
    for result, values in zip(results, cleaned, strict=True):
        if result.outcome == Outcome.ERROR:
            continue
        email, session = values["email"], values["session"]
        result.key = f"{email} – {session.title}"
        trainee = trainees.get(email)
        if trainee is None:
            result.error(_("no trainee has the email %(email)s.") % {"email": email})
            continue
        try:
            rules.check_takes_attendance(session)
            rules.check_enrolled(enrolments.get(trainee.pk), rules.day_of(session.starts_at), trainee=email)
        except ValidationError as error:
            result.error(f"{session.title}: {error.messages[0]}" if session.is_cancelled else error.messages[0])
            continue
        key = (session.pk, trainee.pk)
        if key in seen:
            result.error(
                _("%(email)s appears twice for this session, on rows %(first)s and %(second)s.")
                % {"email": email, "first": seen[key].line, "second": result.line}
            )
            continue
        seen[key] = result
        status, note = values["status"], values.get("note") or ""
        attendance = existing.get(key)
        was_attended = attendance is not None and attendance.status in Attendance.ATTENDED
        if status in Attendance.ATTENDED and not was_attended:
            try:
                rules.check_room(session, present=present[session.pk], adding=1)
            except ValidationError as error:
                result.error(f"{session.title}: {error.messages[0]}")
                continue
            present[session.pk] += 1
        elif was_attended and status not in Attendance.ATTENDED:
            present[session.pk] -= 1
        if attendance is None:
            result.outcome = Outcome.NEW
            new.append(Attendance(session=session, trainee=trainee, status=status, note=note, recorded_by=user))
            continue
        changed = {}
        if attendance.status != status:
            changed["status"] = status
            result.change(_("Status"), attendance.get_status_display(), Attendance.Status(status).label)
        if note and attendance.note != note:
            changed["note"] = note
            result.change(_("Note"), attendance.note, note)
        if changed:
            updates.append((attendance, changed))

    def write(changes: Changes, author: Author) -> None:
        author.create(Attendance, new)
        changes.record_created(new, ["session_id", "trainee_id", "status", "note"])
        for attendance, changed in updates:
            changes.record_update(attendance, changed)
            for name, value in changed.items():
                setattr(attendance, name, value)
            attendance.recorded_by = user
        author.update(Attendance, [a for a, _c in updates], ["status", "note", "recorded_by"])

    return Plan(rows=results, notes=notes, write=write)
