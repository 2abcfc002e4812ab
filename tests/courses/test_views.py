import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import AbsenceNotice, Attendance, Course, Material, Session
from egovexperts.notifications.models import OutboundMessage
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    agency,
)

pytestmark = pytest.mark.django_db


def _past_session(**kwargs):
    start = timezone.now() - datetime.timedelta(days=1)
    return SessionFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=3), **kwargs)


def test_organizer_creates_a_course_from_the_curriculum(organizer_client):
    cohort = CohortFactory()
    data = {
        "cohort": cohort.pk,
        "code": "CĐS-01",
        "title": "Chuyển đổi số",
        "year": 2025,
        "required_hours": 12,
        "min_attendance_percent": 80,
    }
    response = organizer_client.post(reverse("courses:course-create"), data)
    course = Course.objects.get(code="CĐS-01")
    assert response.url == reverse("courses:course-detail", args=[course.pk])
    page = organizer_client.get(reverse("courses:curriculum") + f"?cohort={cohort.pk}")
    assert "CĐS-01" in page.content.decode()


def test_bad_session_input_gets_field_messages_not_a_500(organizer_client):
    course = CourseFactory()
    data = {"title": "", "kind": "nope", "starts_at": "31/02/2025 08:00", "ends_at": "xx", "capacity": "-3"}
    response = organizer_client.post(reverse("courses:session-create", args=[course.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "kind", "starts_at", "ends_at", "capacity"} <= set(errors)


def test_session_end_before_start_is_a_field_error(organizer_client):
    course = CourseFactory()
    data = {"title": "Buổi 1", "kind": "online", "starts_at": "2030-05-05T10:00", "ends_at": "2030-05-05T09:00"}
    response = organizer_client.post(reverse("courses:session-create", args=[course.pk]), data)
    assert "ends_at" in response.context["form"].errors


def test_double_booking_is_a_clear_form_error(organizer_client):
    existing = SessionFactory(
        title="Kiến trúc",
        starts_at=timezone.make_aware(datetime.datetime(2030, 5, 5, 8)),
        ends_at=timezone.make_aware(datetime.datetime(2030, 5, 5, 12)),
    )
    data = {"title": "Buổi 2", "kind": "online", "starts_at": "2030-05-05T09:00", "ends_at": "2030-05-05T10:00"}
    response = organizer_client.post(reverse("courses:session-create", args=[existing.course_id]), data)
    assert "Kiến trúc" in str(response.context["form"].non_field_errors())
    assert Session.objects.count() == 1


def test_session_times_are_read_in_hanoi_time(organizer_client):
    course = CourseFactory()
    data = {"title": "Buổi 1", "kind": "in_person", "starts_at": "2030-05-05T08:00", "ends_at": "2030-05-05T11:30"}
    organizer_client.post(reverse("courses:session-create", args=[course.pk]), data)
    session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2030, 5, 5, 1, 0, tzinfo=datetime.UTC)


def test_cancel_through_the_page_records_notices(organizer_client):
    session = SessionFactory()
    EnrolmentFactory(cohort=session.course.cohort)
    response = organizer_client.post(reverse("courses:session-cancel", args=[session.pk]), {"reason": "Bão số 3"})
    assert response.status_code == 302
    assert OutboundMessage.objects.filter(kind="session_changed", key=f"session:{session.pk}:cancelled:1").count() == 1
    response = organizer_client.post(reverse("courses:session-cancel", args=[session.pk]), {"reason": "lại"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_a_cancellation_reason_as_long_as_the_form_allows_is_kept_whole_in_the_history(organizer_client):
    session = SessionFactory()
    reason = "Bão số 3 đổ bộ, " * 18 + "hoãn."  # 293 characters: the form allows 300
    response = organizer_client.post(reverse("courses:session-cancel", args=[session.pk]), {"reason": reason})
    assert response.status_code == 302
    assert session.history.first().history_change_reason == reason


def test_reschedule_form_without_reason_is_refused(organizer_client):
    session = SessionFactory()
    data = {"starts_at": "2031-01-01T08:00", "ends_at": "2031-01-01T09:00", "reason": ""}
    response = organizer_client.post(reverse("courses:session-reschedule", args=[session.pk]), data)
    assert "reason" in response.context["form"].errors


def test_attendance_row_is_saved_by_htmx_and_returns_the_row_with_counters(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    url = reverse("courses:attendance-record", args=[session.pk, trainee.pk])
    response = organizer_client.post(url, {"status": "excused", "note": "Ốm"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="row-{trainee.pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert Attendance.objects.get(session=session, trainee=trainee).status == "excused"


def test_attendance_row_with_a_bad_status_answers_with_a_message(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    url = reverse("courses:attendance-record", args=[session.pk, trainee.pk])
    response = organizer_client.post(url, {"status": "sleeping"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_mark_all_present_by_htmx_returns_the_grid(organizer_client):
    session = _past_session()
    EnrolmentFactory.create_batch(3, cohort=session.course.cohort)
    response = organizer_client.post(reverse("courses:attendance-mark-all", args=[session.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="attendance-grid"' in response.content.decode()
    assert Attendance.objects.filter(status="present").count() == 3


def test_grid_shows_notices_of_absence_to_excuse(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    AbsenceNotice.objects.create(session=session, trainee=trainee, reason="Họp Hội đồng nhân dân tỉnh")
    response = organizer_client.get(reverse("courses:session-detail", args=[session.pk]))
    html = response.content.decode()
    assert "Họp Hội đồng nhân dân tỉnh" in html
    assert 'name="status" value="excused"' in html


@pytest.mark.parametrize("size", [5, 50])
def test_attendance_grid_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size):
    session = _past_session()
    for enrolment in EnrolmentFactory.create_batch(size, cohort=session.course.cohort):
        AttendanceFactory(session=session, trainee=enrolment.trainee)
    url = reverse("courses:session-detail", args=[session.pk])
    # session, user, groups (role), trainee of the user (navigation); session row; the rows with
    # their current posts, marks and notices; the agencies, which resolve today's agency, once per
    # process (AgencyDirectory.cached)
    with django_assert_max_num_queries(7):
        organizer_client.get(url)
    with django_assert_max_num_queries(6):
        response = organizer_client.get(url)
    assert len(response.context["rows"]) == size


def test_grid_row_shows_the_post_started_last_the_mark_and_the_notice_once(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    # Two posts held on the session's day and today (the old one closes at the end of the year).
    AssignmentFactory(trainee=trainee, agency=agency("ha-noi"), ends_on=datetime.date(2099, 12, 31))
    AssignmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2024, 1, 1))
    AttendanceFactory(session=session, trainee=trainee, status="late", note="Kẹt xe")
    AbsenceNotice.objects.create(session=session, trainee=trainee, reason="Họp")
    [row] = organizer_client.get(reverse("courses:session-detail", args=[session.pk])).context["rows"]
    assert (row.trainee_id, str(row.agency), row.status, row.note, row.notice) == (
        trainee.pk,
        "Bộ Y tế",
        "late",
        "Kẹt xe",
        "Họp",
    )


@pytest.mark.parametrize("size", [3, 30])
def test_curriculum_and_course_pages_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size):
    course = CourseFactory()
    for enrolment in EnrolmentFactory.create_batch(size, cohort=course.cohort):
        session = _past_session(course=course) if enrolment.pk % 3 == 0 else None
        if session:
            AttendanceFactory(session=session, trainee=enrolment.trainee)
    with django_assert_max_num_queries(9):
        organizer_client.get(reverse("courses:curriculum") + f"?cohort={course.cohort_id}")
    with django_assert_max_num_queries(12):
        organizer_client.get(reverse("courses:course-detail", args=[course.pk]))


def test_course_attendance_report_is_an_xlsx_with_a_row_per_trainee(organizer_client):
    session = _past_session()
    enrolments = EnrolmentFactory.create_batch(2, cohort=session.course.cohort)
    AttendanceFactory(session=session, trainee=enrolments[0].trainee, status="late")
    response = organizer_client.get(reverse("courses:course-report", args=[session.course_id]))
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    codes = {row[0]: row[3] for row in rows[1:]}
    assert codes[enrolments[0].trainee.full_name] == "L"


def test_report_cells_that_look_like_formulas_are_escaped(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort, trainee__full_name='=HYPERLINK("x")').trainee
    AttendanceFactory(session=session, trainee=trainee, note="=1+1")
    response = organizer_client.get(reverse("courses:trainee-report", args=[trainee.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][-1] == "'=1+1"


def test_material_upload_refuses_a_bad_type_with_a_field_message(organizer_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course = CourseFactory()
    url = reverse("courses:material-create", args=[course.pk])
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/x-msdownload")
    response = organizer_client.post(url, {"title": "Slides", "upload": bad})
    assert "upload" in response.context["form"].errors
    good = SimpleUploadedFile("slides.pdf", b"%PDF-1.7", content_type="application/pdf")
    response = organizer_client.post(url, {"title": "Slides", "upload": good, "published": "on"})
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.published and material.file
    organizer_client.post(reverse("courses:material-publish", args=[material.pk]), {})
    material.refresh_from_db()
    assert not material.published


def test_only_a_course_or_session_created_by_mistake_can_be_deleted(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    AttendanceFactory(session=session, trainee=trainee)
    response = organizer_client.post(reverse("courses:session-delete", args=[session.pk]))
    assert response.status_code == 200 and "cancel it instead" in response.content.decode()
    response = organizer_client.post(reverse("courses:course-delete", args=[session.course_id]))
    assert response.status_code == 200 and Course.objects.filter(pk=session.course_id).exists()
    empty = SessionFactory(course=session.course)
    assert organizer_client.post(reverse("courses:session-delete", args=[empty.pk])).status_code == 302
    assert not Session.objects.filter(pk=empty.pk).exists()
    mistake = CourseFactory()
    assert organizer_client.post(reverse("courses:course-delete", args=[mistake.pk])).status_code == 302
    assert not Course.objects.filter(pk=mistake.pk).exists()


def test_grid_rows_show_the_agency_in_force_today_with_the_recorded_one_beside_it(organizer_client):
    session = _past_session()
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    AssignmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=datetime.date(2020, 1, 1))
    response = organizer_client.get(reverse("courses:session-detail", args=[session.pk]))
    [row] = response.context["rows"]
    assert str(row.agency) == "Tuyên Quang · recorded: Hà Giang"
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in response.content.decode()
