"""Attendance reports as XLSX workbooks (openpyxl), per course and per trainee."""

from __future__ import annotations

import re
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from egovexperts.core.spreadsheets import escape_text
from trainees.models import Trainee

from .models import Attendance, Course, Session
from .selectors import course_progress_rows, trainee_attendance

STATUS_CODES = {"present": "P", "late": "L", "absent": "A", "excused": "E", "": ""}


def _sheet(workbook: Workbook, title: str, header: list, rows) -> None:
    """Fill the workbook's first sheet."""
    sheet = workbook.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "1"
    sheet.append([escape_text(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([escape_text(value) for value in row])
    sheet.freeze_panes = "B2"


def _bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _percent(value):
    return float(value) if value is not None else None


def course_attendance_xlsx(course: Course) -> bytes:
    """One row per trainee of the cohort, one column per session, then the totals."""
    sessions = list(Session.objects.filter(course=course).order_by("starts_at", "pk"))
    rows = course_progress_rows(course)
    marks = {
        (trainee_id, session_id): status
        for trainee_id, session_id, status in Attendance.objects.filter(session__course=course).values_list(
            "trainee_id", "session_id", "status"
        )
    }
    header = [_("Full name"), _("Email"), _("Enrolment")]
    header += [
        f"{timezone.localtime(s.starts_at):%d/%m/%Y %H:%M}" + (f" ({_('cancelled')})" if s.is_cancelled else "")
        for s in sessions
    ]
    header += [_("Attended"), _("Counted"), _("Attendance (%)"), _("Hours"), _("Completed"), _("At risk")]
    body = []
    for enrolment in rows:
        progress = enrolment.progress
        line = [enrolment.trainee.full_name, enrolment.trainee.email, enrolment.get_status_display()]
        line += [STATUS_CODES.get(marks.get((enrolment.trainee_id, s.pk), ""), "") for s in sessions]
        line += [
            progress.attended,
            progress.counted,
            _percent(progress.percent),
            progress.hours,
            _("yes") if progress.completed else _("no"),
            _("yes") if progress.at_risk else _("no"),
        ]
        body.append(line)
    workbook = Workbook()
    _sheet(workbook, course.code, header, body)
    legend = workbook.create_sheet(_("Legend"))
    for status, code in STATUS_CODES.items():
        if code:
            legend.append([code, str(Attendance.Status(status).label)])
    return _bytes(workbook)


def trainee_attendance_xlsx(trainee: Trainee) -> bytes:
    """Every attendance row of a trainee, newest first."""
    header = [_("Date"), _("Course"), _("Session"), _("Kind"), _("Hours"), _("Status"), _("Note")]
    body = [
        [
            f"{timezone.localtime(a.session.starts_at):%d/%m/%Y %H:%M}",
            str(a.session.course),
            a.session.title,
            a.session.get_kind_display(),
            round(a.session.duration_hours, 2),
            a.get_status_display(),
            a.note,
        ]
        for a in trainee_attendance(trainee.pk)
    ]
    workbook = Workbook()
    _sheet(workbook, trainee.full_name, header, body)
    return _bytes(workbook)
