import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from courses import services, uploads
from courses.models import Attendance, Material, Session
from egovexperts.notifications.models import OutboundMessage
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
)

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int = 8) -> datetime.datetime:
    local = timezone.localtime() + datetime.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_session_must_end_after_it_starts():
    course = CourseFactory()
    session = Session(course=course, title="Buổi 1", starts_at=_at(3, 10), ends_at=_at(3, 9))
    with pytest.raises(ValidationError) as error:
        services.save_session(session)
    assert "ends_at" in error.value.message_dict


def test_same_cohort_cannot_be_booked_twice_at_overlapping_times():
    course = CourseFactory()
    SessionFactory(course=course, title="Kiến trúc CPĐT", starts_at=_at(3, 8), ends_at=_at(3, 12))
    other_course = CourseFactory(cohort=course.cohort)
    clash = Session(course=other_course, title="An toàn thông tin", starts_at=_at(3, 11), ends_at=_at(3, 13))
    with pytest.raises(ValidationError, match="Kiến trúc CPĐT"):
        services.save_session(clash)


def test_other_cohorts_and_cancelled_sessions_do_not_block_a_slot():
    course = CourseFactory()
    SessionFactory(course=CourseFactory(), starts_at=_at(3, 8), ends_at=_at(3, 12))
    SessionFactory(course=course, starts_at=_at(3, 8), ends_at=_at(3, 12), status=Session.Status.CANCELLED)
    session = services.save_session(Session(course=course, title="Buổi 2", starts_at=_at(3, 9), ends_at=_at(3, 11)))
    assert session.pk


def test_session_capacity_cannot_be_below_the_active_trainees():
    course = CourseFactory()
    EnrolmentFactory.create_batch(3, cohort=course.cohort)
    session = Session(course=course, title="Tham quan", starts_at=_at(5), ends_at=_at(5, 11), capacity=2)
    with pytest.raises(ValidationError) as error:
        services.save_session(session)
    assert "capacity" in error.value.message_dict


def test_rescheduling_keeps_history_and_notifies_each_enrolled_trainee_once():
    session = SessionFactory(starts_at=_at(5, 8), ends_at=_at(5, 12))
    cohort = session.course.cohort
    enrolments = EnrolmentFactory.create_batch(2, cohort=cohort)
    EnrolmentFactory(cohort=cohort, status="withdrawn", ended_on=datetime.date(2021, 1, 1), withdrawal_reason="ốm")

    services.reschedule_session(session, starts_at=_at(6, 13), ends_at=_at(6, 17), reason="Giảng viên bận")

    session.refresh_from_db()
    assert session.status == Session.Status.RESCHEDULED
    assert session.sequence == 1
    assert session.history.count() == 2
    assert session.history.earliest().starts_at == _at(5, 8)
    messages = OutboundMessage.objects.filter(kind="session_changed")
    assert sorted(messages.values_list("recipient", flat=True)) == sorted(e.trainee.email for e in enrolments)
    assert set(messages.values_list("key", flat=True)) == {f"session:{session.pk}:rescheduled:1"}
    assert messages.first().context["reason"] == "Giảng viên bận"


def test_each_change_of_a_session_is_a_new_notice():
    session = SessionFactory(starts_at=_at(5, 8), ends_at=_at(5, 12))
    EnrolmentFactory(cohort=session.course.cohort)
    services.reschedule_session(session, starts_at=_at(6, 8), ends_at=_at(6, 12), reason="Đổi phòng")
    services.cancel_session(session, reason="Bão")
    session.refresh_from_db()
    assert session.sequence == 2
    assert set(OutboundMessage.objects.values_list("key", flat=True)) == {
        f"session:{session.pk}:rescheduled:1",
        f"session:{session.pk}:cancelled:2",
    }


def test_a_refused_reschedule_changes_nothing_and_sends_nothing():
    course = CourseFactory()
    SessionFactory(course=course, starts_at=_at(6, 8), ends_at=_at(6, 12))
    session = SessionFactory(course=course, starts_at=_at(5, 8), ends_at=_at(5, 12))
    EnrolmentFactory(cohort=course.cohort)
    with pytest.raises(ValidationError):
        services.reschedule_session(session, starts_at=_at(6, 9), ends_at=_at(6, 10), reason="Đổi lịch")
    session.refresh_from_db()
    assert (session.sequence, session.status, session.starts_at) == (0, Session.Status.SCHEDULED, _at(5, 8))
    assert not OutboundMessage.objects.exists()


def test_a_cancelled_session_cannot_be_cancelled_again_nor_take_attendance():
    session = SessionFactory()
    enrolment = EnrolmentFactory(cohort=session.course.cohort)
    services.cancel_session(session, reason="Bão")
    with pytest.raises(ValidationError):
        services.cancel_session(session, reason="Bão")
    with pytest.raises(ValidationError):
        services.record_attendance(session, trainee=enrolment.trainee, status="present")


def test_mark_all_present_fills_only_rows_not_yet_marked():
    session = SessionFactory(starts_at=_at(-1), ends_at=_at(-1, 11))
    cohort = session.course.cohort
    excused, late, unmarked = (EnrolmentFactory(cohort=cohort).trainee for _ in range(3))
    AttendanceFactory(session=session, trainee=excused, status="excused", note="Họp tỉnh")
    AttendanceFactory(session=session, trainee=late, status="late")

    assert services.mark_all_present(session) == 1

    statuses = dict(Attendance.objects.filter(session=session).values_list("trainee_id", "status"))
    assert statuses == {excused.pk: "excused", late.pk: "late", unmarked.pk: "present"}
    assert Attendance.objects.get(session=session, trainee=excused).note == "Họp tỉnh"
    assert services.mark_all_present(session) == 0


def test_mark_all_present_skips_trainees_enrolled_after_or_withdrawn_before_the_session():
    session = SessionFactory(starts_at=_at(-10), ends_at=_at(-10, 11))
    cohort = session.course.cohort
    EnrolmentFactory(cohort=cohort, enrolled_on=timezone.localdate() - datetime.timedelta(days=2))
    EnrolmentFactory(
        cohort=cohort,
        status="withdrawn",
        ended_on=timezone.localdate() - datetime.timedelta(days=20),
        withdrawal_reason="x",
    )
    member = EnrolmentFactory(cohort=cohort)
    assert services.mark_all_present(session) == 1
    assert list(Attendance.objects.values_list("trainee_id", flat=True)) == [member.trainee_id]


def test_attendance_of_someone_not_enrolled_on_the_day_is_refused():
    session = SessionFactory(starts_at=_at(-10), ends_at=_at(-10, 11))
    late_joiner = EnrolmentFactory(cohort=session.course.cohort, enrolled_on=timezone.localdate()).trainee
    with pytest.raises(ValidationError):
        services.record_attendance(session, trainee=late_joiner, status="absent")
    with pytest.raises(ValidationError):
        services.record_attendance(session, trainee=TraineeFactory(), status="absent")


def test_recording_attendance_changes_the_status_and_keeps_history():
    session = SessionFactory(starts_at=_at(-1), ends_at=_at(-1, 11))
    trainee = EnrolmentFactory(cohort=session.course.cohort).trainee
    services.record_attendance(session, trainee=trainee, status="absent")
    attendance = services.record_attendance(session, trainee=trainee, status="excused", note="Đi công tác")
    assert (attendance.status, attendance.note) == ("excused", "Đi công tác")
    assert attendance.history.count() == 2


def test_session_capacity_limits_who_is_marked_present():
    session = SessionFactory(starts_at=_at(-1), ends_at=_at(-1, 11))
    first, second = (EnrolmentFactory(cohort=session.course.cohort).trainee for _ in range(2))
    Session.objects.filter(pk=session.pk).update(capacity=1)
    services.record_attendance(session, trainee=first, status="present")
    with pytest.raises(ValidationError, match="1"):
        services.record_attendance(session, trainee=second, status="late")
    services.record_attendance(session, trainee=second, status="absent")
    with pytest.raises(ValidationError):
        services.mark_all_present(
            SessionFactory(course=session.course, capacity=0, starts_at=_at(-2), ends_at=_at(-2, 9))
        )


@pytest.mark.parametrize(
    "name, content_type, content",
    [
        ("slides.exe", "application/octet-stream", b"MZ"),
        ("slides.pdf", "text/html", b"%PDF-1.7"),
        ("slides.pdf", "application/pdf", b"<html>"),
        ("no-extension", "application/pdf", b"%PDF-1.7"),
    ],
)
def test_uploads_outside_the_allow_list_are_refused(name, content_type, content):
    with pytest.raises(ValidationError):
        uploads.validate_upload(SimpleUploadedFile(name, content, content_type=content_type))


def test_uploads_larger_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(ValidationError, match="MB"):
        uploads.validate_upload(SimpleUploadedFile("notes.txt", b"x" * 11, content_type="text/plain"))


def test_an_accepted_upload_is_stored_through_the_storage_api(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    course = CourseFactory()
    upload = SimpleUploadedFile("Bài giảng 1.pdf", b"%PDF-1.7 slides", content_type="application/pdf")
    material = services.add_material(Material(course=course, title="Bài giảng 1"), upload=upload)
    assert material.file.name.startswith(f"materials/{course.pk}/")
    assert material.file.read() == b"%PDF-1.7 slides"
    services.set_material_published(material, published=True)
    assert Material.objects.published().filter(pk=material.pk).exists()


def test_change_notices_render_as_mail_in_both_cases():
    from egovexperts.notifications.delivery import render

    session = SessionFactory(title="Kiến trúc CPĐT", starts_at=_at(5, 8), ends_at=_at(5, 12))
    EnrolmentFactory(cohort=session.course.cohort, trainee__full_name="Lê Văn Tám")
    services.reschedule_session(session, starts_at=_at(6, 13), ends_at=_at(6, 17), reason="Giảng viên bận")
    services.cancel_session(session, reason="Bão")
    moved, cancelled = OutboundMessage.objects.order_by("pk")
    moved_mail, cancelled_mail = render(moved), render(cancelled)
    assert "Kiến trúc CPĐT" in moved_mail.subject and "Lê Văn Tám" in moved_mail.body
    assert f"{timezone.localtime(_at(6, 13)):%d/%m/%Y %H:%M}" in moved_mail.body
    assert "Giảng viên bận" in moved_mail.body
    assert "Bão" in cancelled_mail.body and cancelled_mail.subject != moved_mail.subject
