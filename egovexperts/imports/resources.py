"""One django-import-export resource per file kind: trainee list, schedule, attendance.

A resource names the columns a file may have (Vietnamese header first, then the other
spellings accepted), which are required, and the widget that reads each cell. Lookups are
handed in once per file; clean_row() turns one row into values or a list of messages.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources
from import_export.fields import Field

from courses.models import Attendance, Session
from egovexperts.core.text import fold

from . import widgets


@dataclass
class HeaderMatch:
    positions: dict[str, int]  # field name -> column index in the file
    ignored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ImportResource(resources.Resource):
    """Columns are matched by folded header, so "Ho va ten", "HỌ VÀ TÊN" and "Full name" all work."""

    # field name -> accepted headers; the first is the Vietnamese one written in the template.
    headers: dict[str, tuple[str, ...]] = {}
    required: tuple[str, ...] = ()

    @classmethod
    def template_headers(cls) -> list[str]:
        return [names[0] for names in cls.headers.values()]

    @classmethod
    def match_headers(cls, headers: list) -> HeaderMatch:
        accepted = {fold(name): field_name for field_name, names in cls.headers.items() for name in names}
        match = HeaderMatch(positions={})
        unknown = []
        for index, header in enumerate(headers):
            text = " ".join(str(header or "").split())
            if not text:
                continue
            field_name = accepted.get(fold(text))
            if field_name is None:
                unknown.append(text)
            elif field_name in match.positions:
                match.errors.append(_("Column '%(column)s' appears twice.") % {"column": text})
            else:
                match.positions[field_name] = index
        for field_name in cls.required:
            if field_name in match.positions:
                continue
            expected = cls.headers[field_name][0]
            close = difflib.get_close_matches(fold(expected), [fold(text) for text in unknown], n=1, cutoff=0.6)
            written = next((text for text in unknown if close and fold(text) == close[0]), None)
            if written:
                unknown.remove(written)
                match.errors.append(
                    _("Required column '%(column)s' is missing: rename column '%(written)s' to '%(column)s'.")
                    % {"column": expected, "written": written}
                )
            else:
                match.errors.append(_("Required column '%(column)s' is missing.") % {"column": expected})
        if unknown:
            match.ignored = unknown
        return match

    def clean_row(self, row: dict) -> tuple[dict, list[str]]:
        """Values of one row keyed by field name, and the messages of the cells that could not be read."""
        values, errors = {}, []
        for name, column in self.fields.items():
            if column.column_name not in row:
                continue
            try:
                values[name] = column.clean(row)
            except ValueError as error:
                errors.append(str(error))
            except (TypeError, OverflowError, ArithmeticError):  # a cell of a type no one writes there
                errors.append(_("the value in column '%(column)s' cannot be read.") % {"column": self.headers[name][0]})
        return values, errors


def _column(name: str, widget) -> Field:
    return Field(attribute=name, column_name=name, widget=widget)


class TraineeListResource(ImportResource):
    headers = {
        "full_name": ("Họ và tên", "Full name", "Họ tên", "Name"),
        "email": ("Email", "E-mail", "Thư điện tử"),
        "phone": ("Điện thoại", "Phone", "Số điện thoại", "SĐT"),
        "position": ("Chức vụ", "Position"),
        # The trainee export writes the recorded post under "(ghi nhận)" beside today's agency.
        "agency": ("Cơ quan", "Agency", "Cơ quan (ghi nhận)", "Agency (recorded)"),
        "unit": ("Đơn vị", "Unit", "Đơn vị (ghi nhận)", "Unit (recorded)"),
        "cohort": ("Khóa", "Cohort"),
        "commitment_starts_on": ("Ngày bắt đầu cam kết", "Commitment start"),
    }
    required = ("full_name", "email")

    full_name = _column("full_name", widgets.RequiredTextWidget(120, gettext_lazy("the full name")))
    email = _column("email", widgets.EmailWidget())
    phone = _column("phone", widgets.PhoneWidget(32, gettext_lazy("the phone")))
    position = _column("position", widgets.TextWidget(200, gettext_lazy("the position")))
    agency = _column("agency", widgets.AgencyWidget(required=False))
    unit = _column("unit", widgets.TextWidget(200, gettext_lazy("the unit")))
    cohort = _column("cohort", widgets.CohortWidget())
    commitment_starts_on = _column("commitment_starts_on", widgets.VietnameseDateWidget())

    def __init__(self, *, directory, cohorts):
        super().__init__()
        self.fields["agency"].widget = widgets.AgencyWidget(directory, required=False)
        self.fields["cohort"].widget = widgets.CohortWidget.keyed(cohorts, lambda cohort: [cohort.code, cohort.name])


SESSION_KINDS = {
    "online": Session.Kind.ONLINE,
    "trực tuyến": Session.Kind.ONLINE,
    "in person": Session.Kind.IN_PERSON,
    "in_person": Session.Kind.IN_PERSON,
    "trực tiếp": Session.Kind.IN_PERSON,
    "tập trung": Session.Kind.IN_PERSON,
    "site visit": Session.Kind.SITE_VISIT,
    "site_visit": Session.Kind.SITE_VISIT,
    "khảo sát thực tế": Session.Kind.SITE_VISIT,
    "exam": Session.Kind.EXAM,
    "thi": Session.Kind.EXAM,
    "kiểm tra": Session.Kind.EXAM,
}

ATTENDANCE_STATUSES = {
    "present": Attendance.Status.PRESENT,
    "attended": Attendance.Status.PRESENT,
    "có mặt": Attendance.Status.PRESENT,
    "late": Attendance.Status.LATE,
    "muộn": Attendance.Status.LATE,
    "đi muộn": Attendance.Status.LATE,
    "absent": Attendance.Status.ABSENT,
    "vắng": Attendance.Status.ABSENT,
    "vắng mặt": Attendance.Status.ABSENT,
    "excused": Attendance.Status.EXCUSED,
    "có phép": Attendance.Status.EXCUSED,
    "vắng có phép": Attendance.Status.EXCUSED,
}


class ScheduleResource(ImportResource):
    headers = {
        "course": ("Khóa học", "Course", "Học phần", "Mã khóa học"),
        "title": ("Tiêu đề", "Title", "Nội dung", "Buổi học"),
        "starts_at": ("Bắt đầu", "Start", "Thời gian bắt đầu"),
        "ends_at": ("Kết thúc", "End", "Thời gian kết thúc"),
        "kind": ("Hình thức", "Kind"),
        "venue": ("Địa điểm", "Venue"),
        "meeting_url": ("Đường dẫn", "Link", "Meeting link"),
        "capacity": ("Sức chứa", "Capacity", "Số chỗ"),
    }
    required = ("course", "title", "starts_at", "ends_at")

    course = _column("course", widgets.CourseWidget())
    title = _column("title", widgets.RequiredTextWidget(300, gettext_lazy("the title")))
    starts_at = _column("starts_at", widgets.VietnameseDateTimeWidget(gettext_lazy("the start")))
    ends_at = _column("ends_at", widgets.VietnameseDateTimeWidget(gettext_lazy("the end")))
    kind = _column("kind", widgets.ChoiceWidget(SESSION_KINDS, gettext_lazy("kind"), default=Session.Kind.ONLINE))
    venue = _column("venue", widgets.TextWidget(300, gettext_lazy("the venue")))
    meeting_url = _column("meeting_url", widgets.TextWidget(200, gettext_lazy("the link")))
    capacity = _column("capacity", widgets.CountWidget(gettext_lazy("the capacity")))

    def __init__(self, *, courses):
        super().__init__()
        self.fields["course"].widget = widgets.CourseWidget.keyed(courses, lambda course: [course.code, course.title])


class AttendanceResource(ImportResource):
    headers = {
        "email": ("Email", "E-mail", "Thư điện tử"),
        "session": ("Buổi học", "Session"),
        "status": ("Trạng thái", "Status", "Điểm danh"),
        "note": ("Ghi chú", "Note"),
    }
    required = ("email", "session", "status")

    email = _column("email", widgets.EmailWidget())
    session = _column("session", widgets.SessionWidget())
    status = _column("status", widgets.ChoiceWidget(ATTENDANCE_STATUSES, gettext_lazy("status")))
    note = _column("note", widgets.TextWidget(300, gettext_lazy("the note")))

    def __init__(self, *, sessions):
        super().__init__()
        self.fields["session"].widget = widgets.SessionWidget.keyed(sessions, session_names)


def session_names(session: Session) -> list[str]:
    """A session is written by its title, its local start "dd/mm/yyyy hh:mm", or its day."""
    from django.utils import timezone

    local = timezone.localtime(session.starts_at)
    return [session.title, f"{local:%d/%m/%Y %H:%M}", f"{local:%d/%m/%Y}"]


RESOURCES = {"trainees": TraineeListResource, "schedule": ScheduleResource, "attendance": AttendanceResource}
