"""Exports in XLSX and CSV: trainees, enrolments, commitments, the attendance matrix of a course.

Every cell goes through escape_cell(), so a name such as "=HYPERLINK(...)" opens as text, not
as a formula. CSV is UTF-8 with a byte-order mark, which is how Excel recognises Vietnamese text.
The trainee export has the columns of the import template: export, edit, import again. Where a
record's agency (or unit) was merged into another, exports give both: the one in force today and,
in the column the import reads, the one recorded (re-importing a file changes no post).
"""

from __future__ import annotations

import datetime

import tablib
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats import base_formats

from cohorts.models import Enrolment
from courses.models import Attendance, Course, Session
from egovexperts.core.spreadsheets import escape_text
from trainees.agencies import AgencyDirectory
from trainees.models import RetentionCommitment, Trainee
from trainees.selectors import commitments_with_status

CONTENT_TYPES = {"xlsx": base_formats.XLSX.CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}


def escape_cell(value):
    """A cell value that spreadsheet programs will not run as a formula; dates as dd/mm/yyyy."""
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if timezone.is_aware(value) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return escape_text(value)


def render(dataset: tablib.Dataset, fmt: str) -> bytes:
    safe = tablib.Dataset(headers=[escape_cell(header) for header in dataset.headers or []], title=dataset.title)
    for row in dataset:
        safe.append([escape_cell(cell) for cell in row])
    if fmt == "xlsx":
        return base_formats.XLSX().export_data(safe)
    return ("\ufeff" + safe.export("csv")).encode("utf-8")


class EscapingResource(resources.ModelResource):
    """A ModelResource whose every exported cell is escaped (also used by the admin's export)."""

    def export_field(self, field, instance, **kwargs):
        return escape_cell(super().export_field(field, instance, **kwargs))

    def get_export_headers(self, selected_fields=None):
        return [escape_cell(header) for header in super().get_export_headers(selected_fields)]


class TraineeExportResource(EscapingResource):
    full_name = Field(attribute="full_name", column_name="Họ và tên")
    email = Field(attribute="email", column_name="Email")
    phone = Field(attribute="phone", column_name="Điện thoại")
    position = Field(attribute="current_position", column_name="Chức vụ")
    agency_today = Field(column_name="Cơ quan (hiện nay)")
    agency = Field(attribute="current_agency_name", column_name="Cơ quan (ghi nhận)")
    unit_today = Field(column_name="Đơn vị (hiện nay)")
    unit = Field(attribute="current_unit_name", column_name="Đơn vị (ghi nhận)")

    class Meta:
        model = Trainee
        fields = ["full_name", "email", "phone", "position", "agency_today", "agency", "unit_today", "unit"]

    @cached_property
    def agencies(self) -> AgencyDirectory:
        return AgencyDirectory.cached()

    def dehydrate_agency_today(self, trainee):
        today = self.agencies.as_of(trainee.current_agency_id)
        return today.name if today else ""

    def dehydrate_unit_today(self, trainee):
        today = self.agencies.unit_as_of(trainee.current_unit_id, trainee.current_unit_name)
        return today.name if today else ""

    def get_queryset(self):
        return Trainee.objects.with_current_post().in_vietnamese_order()

    def filter_export(self, queryset, **kwargs):
        # The admin hands in its own queryset: add the current post it needs.
        return queryset.with_current_post() if "current_position" not in queryset.query.annotations else queryset


class EnrolmentExportResource(EscapingResource):
    full_name = Field(attribute="trainee__full_name", column_name="Họ và tên")
    email = Field(attribute="trainee__email", column_name="Email")
    cohort = Field(attribute="cohort__name", column_name="Khóa")
    nominated_by = Field(attribute="nominated_by__name_vi", column_name="Cơ quan cử")
    enrolled_on = Field(attribute="enrolled_on", column_name="Ngày nhập học")
    status = Field(attribute="status", column_name="Trạng thái")
    ended_on = Field(attribute="ended_on", column_name="Ngày kết thúc")

    class Meta:
        model = Enrolment
        fields = ["full_name", "email", "cohort", "nominated_by", "enrolled_on", "status", "ended_on"]

    def get_queryset(self):
        return Enrolment.objects.select_related("trainee", "cohort", "nominated_by").order_by(
            "cohort__starts_on", "trainee__sort_key"
        )

    def dehydrate_status(self, enrolment):
        return enrolment.get_status_display()

    def dehydrate_enrolled_on(self, enrolment):
        return enrolment.enrolled_on

    def dehydrate_ended_on(self, enrolment):
        return enrolment.ended_on


class CommitmentExportResource(EscapingResource):
    full_name = Field(attribute="trainee__full_name", column_name="Họ và tên")
    email = Field(attribute="trainee__email", column_name="Email")
    agency_today = Field(column_name="Cơ quan cam kết (hiện nay)")
    agency = Field(attribute="agency__name_vi", column_name="Cơ quan cam kết (ghi nhận)")
    starts_on = Field(attribute="starts_on", column_name="Ngày bắt đầu cam kết")
    ends_on = Field(attribute="ends_on", column_name="Ngày kết thúc cam kết")
    status = Field(column_name="Tình trạng")
    document_ref = Field(attribute="document_ref", column_name="Văn bản")

    class Meta:
        model = RetentionCommitment
        fields = ["full_name", "email", "agency_today", "agency", "starts_on", "ends_on", "status", "document_ref"]

    def get_queryset(self):
        return RetentionCommitment.objects.order_by("ends_on", "pk")

    def export(self, queryset=None, **kwargs):
        # Status comes from the commitment rule over the post history, in a fixed number of queries.
        self.agencies = AgencyDirectory.cached()
        rows = commitments_with_status(
            queryset if queryset is not None else self.get_queryset(), directory=self.agencies
        )
        return super().export(queryset=rows, **kwargs)

    def dehydrate_agency_today(self, commitment):
        return self.agencies.as_of(commitment.agency_id, name="name_vi").name

    def filter_export(self, queryset, **kwargs):
        return queryset

    def dehydrate_starts_on(self, commitment):
        return commitment.starts_on

    def dehydrate_ends_on(self, commitment):
        return commitment.ends_on

    def dehydrate_status(self, commitment):
        evaluation = getattr(commitment, "evaluation", None)
        return evaluation.status.label if evaluation else ""


EXPORTS = {
    "trainees": TraineeExportResource,
    "enrolments": EnrolmentExportResource,
    "commitments": CommitmentExportResource,
}


def export_dataset(kind: str) -> tablib.Dataset:
    dataset = EXPORTS[kind]().export()
    dataset.title = kind
    return dataset


def attendance_matrix(course: Course) -> tablib.Dataset:
    """One row per trainee of the course's cohort (or with attendance), one column per session."""
    sessions = list(course.sessions.exclude(status=Session.Status.CANCELLED).order_by("starts_at"))
    attendances = Attendance.objects.filter(session__in=sessions)
    enrolled = Enrolment.objects.filter(cohort_id=course.cohort_id, trainee=OuterRef("pk"))
    attended = Attendance.objects.filter(session__course=course, trainee=OuterRef("pk"))
    trainees = (
        Trainee.objects.filter(Q(Exists(enrolled)) | Q(Exists(attended)))
        .order_by("sort_key", "pk")
        .prefetch_related(Prefetch("attendances", queryset=attendances, to_attr="course_attendances"))
    )
    headers = [_("Full name"), "Email"]
    headers += [f"{timezone.localtime(session.starts_at):%d/%m/%Y %H:%M} {session.title}" for session in sessions]
    headers.append(_("Attended"))
    dataset = tablib.Dataset(headers=headers, title=course.code[:31])
    for trainee in trainees:
        statuses = {attendance.session_id: attendance for attendance in trainee.course_attendances}
        cells = [statuses[s.pk].get_status_display() if s.pk in statuses else "" for s in sessions]
        attended = sum(1 for a in statuses.values() if a.status in Attendance.ATTENDED)
        dataset.append([trainee.full_name, trainee.email, *cells, f"{attended}/{len(sessions)}"])
    return dataset


def template_dataset(kind: str) -> tablib.Dataset:
    from .resources import RESOURCES

    return tablib.Dataset(headers=RESOURCES[kind].template_headers(), title=kind)
