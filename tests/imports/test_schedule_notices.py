"""A schedule import changes sessions as the workspace does: shared rules, notices, calendar sequence."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import Session
from egovexperts.imports import services
from egovexperts.imports.exports import template_dataset
from egovexperts.notifications import delivery
from egovexperts.notifications.models import OutboundMessage
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory, TraineeFactory
from tests.imports.conftest import fingerprint, xlsx, xlsx_bytes

SCHEDULE = ["Khóa học", "Tiêu đề", "Bắt đầu", "Kết thúc", "Hình thức", "Địa điểm", "Đường dẫn", "Sức chứa"]
ATTENDANCE = ["Email", "Buổi học", "Trạng thái", "Ghi chú"]


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def opening(db):
    """A session of CDS-01 on 05/01/2026, and who is enrolled in its cohort."""
    course = CourseFactory(code="CDS-01")
    session = SessionFactory(
        course=course, title="Khai giảng", starts_at=local(2026, 1, 5, 8), ends_at=local(2026, 1, 5, 11, 30), venue="A"
    )
    for email in ("an@example.org", "binh@example.org"):
        EnrolmentFactory(cohort=course.cohort, trainee=TraineeFactory(email=email))
    EnrolmentFactory(cohort=course.cohort, enrolled_on=datetime.date(2026, 2, 1))  # joins after the session
    EnrolmentFactory(
        cohort=course.cohort,
        status="withdrawn",
        ended_on=datetime.date(2025, 1, 1),
        withdrawal_reason="Chuyển công tác",
    )
    EnrolmentFactory()  # another cohort
    return session


def _row(start="05/01/2026 08:00", end="05/01/2026 11:30", venue="A", title="Khai giảng", capacity=""):
    return ["CDS-01", title, start, end, "online", venue, "", capacity]


def test_moving_a_session_by_import_notifies_each_trainee_it_concerns_once(opening, organizer):
    upload = xlsx([_row(start="06/01/2026 13:30", end="06/01/2026 17:00")], headers=SCHEDULE)
    preview = services.preview(upload, kind="schedule")
    row = preview.plan.rows[0]
    assert row.outcome == "updated"
    assert row.changes == [
        ("Start", "05/01/2026 08:00", "06/01/2026 13:30"),
        ("End", "05/01/2026 11:30", "06/01/2026 17:00"),
    ]
    assert row.notes == ["2 trainees will be notified of the change."]

    services.confirm(upload, kind="schedule", user=organizer)
    services.confirm(upload, kind="schedule", user=organizer)  # the same file again changes nothing

    opening.refresh_from_db()
    assert (opening.starts_at, opening.status, opening.sequence) == (local(2026, 1, 6, 13, 30), "rescheduled", 1)
    messages = OutboundMessage.objects.filter(kind="session_changed")
    assert sorted(messages.values_list("recipient", flat=True)) == ["an@example.org", "binh@example.org"]
    assert set(messages.values_list("key", flat=True)) == {f"session:{opening.pk}:rescheduled:1"}
    assert messages.first().context["previous_start"] == "05/01/2026 08:00"
    assert messages.first().context["starts_at"] == "06/01/2026 13:30"


def test_the_preview_page_says_who_will_be_notified(opening, organizer_client):
    content = xlsx_bytes([_row(venue="Hội trường B")], headers=SCHEDULE)
    file = SimpleUploadedFile("lich-hoc.xlsx", content)
    page = organizer_client.post(reverse("imports:import-preview"), {"kind": "schedule", "file": file})
    assert "2 trainees will be notified of the change." in page.content.decode()


def test_notices_of_an_import_are_written_in_a_fixed_number_of_queries(opening, organizer, django_assert_num_queries):
    other = SessionFactory(course=opening.course, starts_at=local(2026, 1, 7, 8), ends_at=local(2026, 1, 7, 10))
    # The active enrolments with their trainees; the notices and reminders waiting (none to
    # supersede); the recipients' languages; the keys already queued; the insert.
    with django_assert_num_queries(5):
        course_services.enqueue_change_notices([(opening, opening.starts_at), (other, other.starts_at)])
    assert OutboundMessage.objects.count() == 4


def test_a_new_venue_is_a_notice_and_a_new_title_only_a_new_calendar_sequence(opening, organizer):
    services.confirm(xlsx([_row(venue="Hội trường B")], headers=SCHEDULE), kind="schedule", user=organizer)
    assert OutboundMessage.objects.count() == 2
    # Notices are written in Vietnamese: a change in place, the new venue, no reason line.
    mail = delivery.render(OutboundMessage.objects.first())
    assert "Khai giảng" in mail.subject and "05/01/2026 08:00" in mail.subject
    assert "đã được dời" not in mail.body and "Lý do" not in mail.body
    assert "Địa điểm: Hội trường B" in mail.body
    opening.refresh_from_db()
    assert (opening.venue, opening.status, opening.sequence) == ("Hội trường B", "scheduled", 1)

    services.confirm(
        xlsx([_row(venue="Hội trường B", title="Khai mạc")], headers=SCHEDULE[:-1]), kind="schedule", user=organizer
    )
    opening.refresh_from_db()
    assert (opening.title, opening.sequence) == ("Khai mạc", 2)
    assert OutboundMessage.objects.count() == 2


def test_columns_left_out_of_the_file_leave_the_session_as_it_is(opening, organizer):
    rows = [["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30"]]
    preview = services.preview(xlsx(rows, headers=SCHEDULE[:4]), kind="schedule")
    assert [row.outcome for row in preview.plan.rows] == ["unchanged"]


def test_a_capacity_below_the_active_trainees_is_an_error_and_nothing_is_written(opening, organizer):
    rows = [_row(), _row(title="Bài 1", start="07/01/2026 08:00", end="07/01/2026 10:00", capacity=2)]
    rows.append(_row(title="Bài 2", start="08/01/2026 08:00", end="08/01/2026 10:00", capacity="nhiều"))
    before = fingerprint()
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    assert preview.plan.rows[1].messages == ["Row 3: The cohort has 3 active trainees: the capacity cannot be lower."]
    assert preview.plan.rows[2].messages == ["Row 4: 'nhiều' in the capacity is not a whole number of people."]
    with pytest.raises(ValidationError, match="2 rows with errors"):
        services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    assert fingerprint() == before

    rows[1][-1], rows[2][-1] = 3, ""
    run = services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    assert run.new_count == 2
    assert Session.objects.get(title="Bài 1").capacity == 3


def test_the_schedule_template_has_the_capacity_column():
    assert template_dataset("schedule").headers[-1] == "Sức chứa"


def test_a_cancelled_session_stays_cancelled_and_a_different_row_in_its_place_is_a_new_session(opening, organizer):
    course_services.cancel_session(opening, reason="Bão")
    assert [row.outcome for row in services.preview(xlsx([_row()], headers=SCHEDULE), kind="schedule").plan.rows] == [
        "unchanged"
    ]
    OutboundMessage.objects.all().delete()
    run = services.confirm(xlsx([_row(venue="B")], headers=SCHEDULE), kind="schedule", user=organizer)
    assert run.new_count == 1
    opening.refresh_from_db()
    assert (opening.status, opening.venue, opening.sequence) == ("cancelled", "A", 1)
    assert Session.objects.get(status="scheduled").venue == "B"
    assert not OutboundMessage.objects.exists()


def test_a_move_that_clashes_is_refused_with_the_message_of_the_workspace(opening, organizer):
    SessionFactory(course=opening.course, title="Bài 1", starts_at=local(2026, 1, 6, 8), ends_at=local(2026, 1, 6, 10))
    moved = xlsx([_row(start="06/01/2026 09:00", end="06/01/2026 11:00")], headers=SCHEDULE)
    with pytest.raises(ValidationError) as refused:
        course_services.reschedule_session(
            opening, starts_at=local(2026, 1, 6, 9), ends_at=local(2026, 1, 6, 11), reason="Đổi lịch"
        )
    assert services.preview(moved, kind="schedule").plan.rows[0].messages == [f"Row 2: {refused.value.messages[0]}"]


def test_a_session_moving_out_of_the_way_frees_its_slot_for_another_row(opening, organizer):
    rows = [
        _row(title="Bài 1", start="05/01/2026 08:00", end="05/01/2026 10:00"),
        _row(start="05/01/2026 13:00", end="05/01/2026 16:00"),
    ]
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    # The first row is at the opening's start: it renames it; the second then adds a session.
    assert [row.outcome for row in preview.plan.rows] == ["updated", "new"]
    assert not preview.plan.error_rows


def test_attendance_outside_the_enrolment_is_refused_with_the_message_of_the_workspace(opening, organizer):
    late = opening.course.cohort.enrolments.get(enrolled_on=datetime.date(2026, 2, 1)).trainee
    with pytest.raises(ValidationError) as refused:
        course_services.record_attendance(opening, trainee=late, status="present")
    rows = [[late.email, "Khai giảng", "present", ""]]
    preview = services.preview(xlsx(rows, headers=ATTENDANCE), kind="attendance", course=opening.course)
    expected = refused.value.messages[0].replace(late.full_name, late.email)
    assert preview.plan.rows[0].messages == [f"Row 2: {expected}"]


def test_reverting_a_move_puts_the_session_back_and_tells_the_trainees(opening, organizer):
    run = services.confirm(
        xlsx([_row(start="06/01/2026 13:30", end="06/01/2026 17:00", venue="B")], headers=SCHEDULE),
        kind="schedule",
        user=organizer,
    )
    services.revert(run, user=organizer)
    opening.refresh_from_db()
    assert (opening.starts_at, opening.ends_at, opening.venue) == (local(2026, 1, 5, 8), local(2026, 1, 5, 11, 30), "A")
    assert (opening.status, opening.sequence) == ("scheduled", 2)
    keys = sorted(set(OutboundMessage.objects.values_list("key", flat=True)))
    assert keys == [f"session:{opening.pk}:rescheduled:1", f"session:{opening.pk}:scheduled:2"]
    back = OutboundMessage.objects.get(key=f"session:{opening.pk}:scheduled:2", recipient="an@example.org")
    assert (back.context["previous_start"], back.context["starts_at"]) == ("06/01/2026 13:30", "05/01/2026 08:00")


def test_reverting_an_import_that_added_sessions_deletes_them(opening, organizer):
    rows = [_row(title="Bài 1", start="07/01/2026 08:00", end="07/01/2026 10:00", capacity=30)]
    before = fingerprint()
    run = services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    services.revert(run, user=organizer)
    after = fingerprint()
    del before["imports.ImportRun"], after["imports.ImportRun"]
    assert after == before


def test_a_row_without_times_is_an_error_row(opening, organizer):
    rows = [_row(start="", end="05/01/2026 11:30"), _row(title="Bài 1", start="06/01/2026 08:00", end=" ")]
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    assert [row.messages for row in preview.plan.rows] == [["Row 2: the start is empty."], ["Row 3: the end is empty."]]
