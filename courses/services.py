"""Writes of courses, sessions, attendance and materials. Views change them only through these."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, update_change_reason

from cohorts.models import Enrolment
from egovexperts.core import versions
from trainees.models import Trainee

from . import notices, rules
from .models import Attendance, Course, Material, Session
from .notices import enqueue_change_notices  # noqa: F401 (the schedule import calls it from here)


def save_course(course: Course) -> Course:
    course.full_clean()
    course.save()
    return course


def check_course_deletion(course: Course) -> None:
    """Only a course created by mistake goes: once it has sessions or materials it stays (their
    keys protect it in the database too). `delete_course` and the admin apply it."""
    if course.sessions.exists() or course.materials.exists():
        raise ValidationError(_("This course has sessions or materials: it cannot be deleted."))


@transaction.atomic
def delete_course(course: Course) -> None:
    check_course_deletion(course)
    course.delete()


# --- Sessions ---------------------------------------------------------------------


def _check_times(session: Session) -> None:
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})


def overlapping_sessions(session: Session):
    """Other sessions of the same cohort, not cancelled, that overlap the session's times."""
    return Session.objects.filter(rules.clashing(session)).select_related("course")


def _check_overlap(session: Session) -> None:
    rules.check_no_clash(session, overlapping_sessions(session)[:1])


def _check_capacity(session: Session) -> None:
    if session.capacity is None:
        return
    active = Enrolment.objects.filter(cohort_id=session.course.cohort_id, status=Enrolment.Status.ACTIVE).count()
    rules.check_capacity(session.capacity, active)


def check_session(session: Session) -> None:
    """The rules a session keeps besides its own fields: it ends after it starts, the cohort has
    no other session then, and it holds the cohort's active trainees. `save_session` and the
    admin's session forms apply them."""
    _check_times(session)
    _check_overlap(session)
    _check_capacity(session)


@transaction.atomic
def save_session(session: Session) -> Session:
    """Create or edit a session; its times change only through `reschedule_session` once it exists."""
    _check_times(session)
    session.full_clean()
    check_session(session)
    session.save()
    return session


@transaction.atomic
def delete_session(session: Session) -> None:
    """Only a session created by mistake goes; one with attendance, notices or materials is cancelled instead."""
    if session.attendances.exists() or session.absence_notices.exists() or session.materials.exists():
        raise ValidationError(_("This session has attendance, notices or materials: cancel it instead."))
    session.delete()


@transaction.atomic
def reschedule_session(
    session: Session, *, starts_at: datetime.datetime, ends_at: datetime.datetime, reason: str
) -> Session:
    """Move a session, keep its history, and queue a notice to each trainee it concerns."""
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError(_("A cancelled session cannot be rescheduled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    previous = {"starts_at": session.starts_at, "ends_at": session.ends_at}
    session.starts_at, session.ends_at = starts_at, ends_at
    _check_times(session)
    _check_overlap(session)
    session.status = Session.Status.RESCHEDULED
    session.sequence += 1
    session._change_reason = reason.strip()
    session.full_clean()
    session.save()
    enqueue_change_notices([(session, previous)], reason=reason.strip())
    return session


@transaction.atomic
def cancel_session(session: Session, *, reason: str) -> Session:
    """Cancel a session (it stays, with its history) and queue a notice to each trainee it concerns."""
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    session.status = Session.Status.CANCELLED
    session.sequence += 1
    session._change_reason = reason.strip()
    session.save()
    enqueue_change_notices([(session, session.starts_at)], reason=reason.strip())
    return session


# --- Attendance -------------------------------------------------------------------


def eligible_enrolments(session: Session):
    """Enrolments for which the session counts: enrolled by its day, not ended before it."""
    return enrolled_in(session.course.cohort_id, rules.day_of(session.starts_at))


def enrolled_in(cohort_id, day):
    """Enrolments of a cohort that cover the day (both may be `Slot`s of a prepared query)."""
    return Enrolment.objects.filter(rules.enrolled(day), cohort_id=cohort_id)


def _check_room(session: Session, *, adding: int) -> None:
    if session.capacity is not None and adding > 0:
        present = Attendance.objects.filter(session=session, status__in=Attendance.ATTENDED).count()
        rules.check_room(session, present=present, adding=adding)


@transaction.atomic
def record_attendance(session: Session, *, trainee: Trainee, status: str, note: str = "", by=None) -> Attendance:
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    rules.check_takes_attendance(session)
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Choose present, late, absent or excused.")})
    enrolment = Enrolment.objects.filter(cohort_id=session.course.cohort_id, trainee=trainee).first()
    rules.check_enrolled(enrolment, rules.day_of(session.starts_at), trainee=trainee.full_name)
    attendance = Attendance.objects.filter(session=session, trainee=trainee).first()
    was_attended = attendance is not None and attendance.status in Attendance.ATTENDED
    if status in Attendance.ATTENDED and not was_attended:
        _check_room(session, adding=1)
    if attendance is None:
        attendance = Attendance(session=session, trainee=trainee)
    attendance.status = status
    attendance.note = note.strip()
    attendance.recorded_by = by
    attendance.full_clean()
    attendance.save()
    return attendance


@transaction.atomic
def mark_all_present(session: Session, *, by=None) -> int:
    """Mark present every eligible trainee not marked yet; a status already set is never overwritten."""
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    rules.check_takes_attendance(session)
    marked = Attendance.objects.filter(session=session).values("trainee_id")
    trainee_ids = list(eligible_enrolments(session).exclude(trainee_id__in=marked).values_list("trainee_id", flat=True))
    _check_room(session, adding=len(trainee_ids))
    rows = [
        Attendance(session=session, trainee_id=pk, status=Attendance.Status.PRESENT, recorded_by=by)
        for pk in trainee_ids
    ]
    bulk_create_with_history(rows, Attendance, batch_size=500, default_user=by)
    return len(rows)


# --- Materials --------------------------------------------------------------------


@transaction.atomic
def add_material(material: Material, *, upload=None) -> Material:
    """Save a material; an upload goes through the default storage once `full_clean()` has
    checked it (courses/uploads.py, the rule the admin applies too)."""
    if upload is not None:
        material.file = upload
    if material.session_id and material.session.course_id != material.course_id:
        raise ValidationError({"session": _("This session belongs to another course.")})
    if not material.file and not material.url:
        raise ValidationError(_("Upload a file or give a link."))
    material.full_clean()
    material.save()
    return material


def set_material_published(material: Material, *, published: bool) -> Material:
    material.published = published
    material.save(update_fields=["published"])
    return material


# --- Restoring a version (the workspace's history pages) ----------------------------------

# What a session's version brings back besides its times and whether it takes place. Its course
# is its identity; its sequence (the calendar's) only ever grows; "rescheduled" follows its moves.
RESTORED_SESSION_DETAILS = ("title", "kind", "venue", "meeting_url", "lecturers", "capacity")
# The marker of an attendance is whoever restores it, now (record_attendance).
RESTORED_ATTENDANCE_FIELDS = ("status", "note")


def restored_session_fields(session: Session, version) -> tuple[str, ...]:
    """What restoring the version writes: a cancelled version cancels the session, and nothing
    else; a cancelled session comes back with the version's details, times and status."""
    if version.status == Session.Status.CANCELLED and not session.is_cancelled:
        return ("status",)
    fields = (*RESTORED_SESSION_DETAILS, "starts_at", "ends_at")
    return (*fields, "status") if session.is_cancelled and version.status != Session.Status.CANCELLED else fields


@transaction.atomic
def restore_session(session: Session, version, *, by) -> Session:
    """Bring a session back to a version. Cancelling goes through cancel_session and a change of
    times through reschedule_session (new sequence, trainees told); other details are saved as
    an edit is. A cancelled session comes back only if its version's time is still ahead and the
    cohort is free then; its trainees are told it takes place."""
    session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    fields = restored_session_fields(session, version)
    changed = versions.differing(session, version, fields)
    if not changed:
        raise versions.unchanged()
    reason = versions.restore_reason(version, by)
    if fields == ("status",):
        return cancel_session(session, reason=reason)
    if "status" in fields:
        return _reinstate_session(session, version, by=by)
    if set(changed) & set(RESTORED_SESSION_DETAILS):
        versions.copy_version(session, version, RESTORED_SESSION_DETAILS)
        versions.mark_restored(session, version, by)
        session = save_session(session)
    if {"starts_at", "ends_at"} & set(changed):
        session = reschedule_session(session, starts_at=version.starts_at, ends_at=version.ends_at, reason=reason)
    return session


def _reinstate_session(session: Session, version, *, by) -> Session:
    previous = {name: getattr(session, name) for name in notices.NOTIFIED_FIELDS}
    versions.copy_version(session, version, restored_session_fields(session, version))
    if session.starts_at <= timezone.now():
        raise ValidationError(_("This session's time has passed: a cancelled session cannot be brought back."))
    session.sequence += 1
    reason = versions.mark_restored(session, version, by)
    session.full_clean()
    check_session(session)
    session.save()
    enqueue_change_notices([(session, previous)], reason=reason)
    return session


@transaction.atomic
def restore_attendance(attendance: Attendance, version, *, by) -> Attendance:
    """Mark the trainee as the version had them, through record_attendance: a cancelled session
    takes no attendance, the trainee was enrolled on the day, the session's room holds."""
    attendance = Attendance.objects.select_related("session", "trainee").get(pk=attendance.pk)
    if not versions.differing(attendance, version, RESTORED_ATTENDANCE_FIELDS):
        raise versions.unchanged()
    attendance = record_attendance(
        attendance.session, trainee=attendance.trainee, status=version.status, note=version.note, by=by
    )
    update_change_reason(attendance, versions.restore_reason(version, by))
    return attendance
