import datetime

from django.utils import timezone

from courses.models import Attendance, Session
from egovexperts.imports import services
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory, TraineeFactory
from tests.imports.conftest import fingerprint, xlsx

SCHEDULE = ["Khóa học", "Tiêu đề", "Bắt đầu", "Kết thúc", "Hình thức", "Địa điểm", "Đường dẫn"]
ATTENDANCE = ["Email", "Buổi học", "Trạng thái", "Ghi chú"]


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_schedule_import_creates_then_updates_sessions_keyed_by_course_and_start(organizer):
    course = CourseFactory(code="CDS-01")
    rows = [
        ["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30", "trực tiếp", "Hội trường A", ""],
        [
            "cds 01",
            "Bài 1",
            datetime.datetime(2026, 1, 6, 14, 0),
            "2026-01-06T17:00",
            "online",
            "",
            "https://meet.example.org/x",
        ],
    ]
    run = services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    assert run.new_count == 2
    opening = Session.objects.get(title="Khai giảng")
    assert (opening.course, opening.kind, opening.starts_at) == (course, "in_person", local(2026, 1, 5, 8, 0))

    rows[0][5] = "Hội trường B"
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    assert [row.outcome for row in preview.plan.rows] == ["updated", "unchanged"]
    assert preview.plan.rows[0].changes == [("Venue", "Hội trường A", "Hội trường B")]
    services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    assert Session.objects.count() == 2
    assert Session.objects.get(title="Khai giảng").venue == "Hội trường B"


def test_schedule_errors_are_reported_per_row_and_nothing_is_written(organizer):
    CourseFactory(code="CDS-01")
    rows = [
        ["CDS-99", "Bài 1", "05/01/2026 08:00", "05/01/2026 11:00", "", "", ""],
        ["CDS-01", "Bài 2", "05/01/2026 08:00", "05/01/2026 07:00", "", "", ""],
        ["CDS-01", "Bài 3", "31/02/2026 08:00", "05/01/2026 07:00", "hội thảo", "", "not a link"],
    ]
    before = fingerprint()
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    messages = [row.messages for row in preview.plan.rows]
    assert messages[0] == ["Row 2: course 'CDS-99' not found — did you mean 'CDS-01'?"]
    assert messages[1] == ["Row 3: the session ends before it starts."]
    assert "Row 4: '31/02/2026 08:00' is not a date that exists." in messages[2]
    assert any("is not a valid kind" in message for message in messages[2])
    assert fingerprint() == before


def test_attendance_import_creates_and_updates_by_session_and_email(organizer):
    course = CourseFactory()
    opening = SessionFactory(course=course, title="Khai giảng", starts_at=local(2026, 1, 5, 8, 0))
    second = SessionFactory(course=course, title="Bài 1", starts_at=local(2026, 1, 6, 14, 0))
    an, binh = TraineeFactory(email="an@example.org"), TraineeFactory(email="binh@example.org")
    for trainee in (an, binh):
        EnrolmentFactory(cohort=course.cohort, trainee=trainee, enrolled_on=datetime.date(2025, 12, 1))
    rows = [
        ["AN@example.org", "Khai giang", "có mặt", ""],
        ["binh@example.org", "05/01/2026", "đi muộn", "kẹt xe"],
        ["an@example.org", datetime.datetime(2026, 1, 6, 14, 0), "absent", ""],
    ]
    run = services.confirm(xlsx(rows, headers=ATTENDANCE), kind="attendance", user=organizer, course=course)
    assert run.new_count == 3
    assert Attendance.objects.get(session=opening, trainee=binh).status == "late"
    assert Attendance.objects.get(session=second, trainee=an).recorded_by == organizer

    rows[2][2] = "có phép"
    preview = services.preview(xlsx(rows, headers=ATTENDANCE), kind="attendance", course=course)
    assert [row.outcome for row in preview.plan.rows] == ["unchanged", "unchanged", "updated"]
    services.confirm(xlsx(rows, headers=ATTENDANCE), kind="attendance", user=organizer, course=course)
    assert Attendance.objects.count() == 3
    assert Attendance.objects.get(session=second, trainee=an).status == "excused"


def test_attendance_of_a_session_of_another_course_is_unknown(organizer):
    course, other = CourseFactory(), CourseFactory()
    SessionFactory(course=other, title="Bài khác")
    TraineeFactory(email="an@example.org")
    preview = services.preview(
        xlsx([["an@example.org", "Bài khác", "present", ""]], headers=ATTENDANCE), kind="attendance", course=course
    )
    assert preview.plan.rows[0].messages == ["Row 2: session 'Bài khác' not found in this course."]


def test_a_session_overlapping_another_of_the_cohort_is_refused(organizer):
    course = CourseFactory(code="CDS-01")
    other = CourseFactory(code="CDS-02", cohort=course.cohort)
    SessionFactory(course=other, title="Bài khác", starts_at=local(2026, 1, 5, 9, 0), ends_at=local(2026, 1, 5, 10, 0))
    rows = [
        ["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30", "", "", ""],
        ["CDS-01", "Bài 1", "06/01/2026 08:00", "06/01/2026 11:30", "", "", ""],
        ["CDS-01", "Bài 1 bis", "06/01/2026 10:00", "06/01/2026 12:00", "", "", ""],
    ]
    preview = services.preview(xlsx(rows, headers=SCHEDULE), kind="schedule")
    messages = [row.messages for row in preview.plan.rows]
    assert messages[0] == [
        "Row 2: The cohort already has “Bài khác” (CDS-02) from 05/01/2026 09:00 to 10:00 at that time."
    ]
    assert messages[1] == []
    assert messages[2] == [
        "Row 4: The cohort already has “Bài 1” (CDS-01) from 06/01/2026 08:00 to 11:30 at that time."
    ]


def test_updating_a_session_bumps_its_calendar_sequence(organizer):
    CourseFactory(code="CDS-01")
    rows = [["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30", "", "Phòng 1", ""]]
    services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    rows[0][5] = "Phòng 2"
    services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    assert Session.objects.get().sequence == 1


def test_attendance_of_a_cancelled_session_or_a_trainee_not_enrolled_is_refused(organizer):
    course = CourseFactory()
    SessionFactory(course=course, title="Bị hủy", status=Session.Status.CANCELLED)
    SessionFactory(course=course, title="Bài 1", starts_at=local(2026, 1, 6, 14, 0))
    enrolled = TraineeFactory(email="an@example.org")
    EnrolmentFactory(cohort=course.cohort, trainee=enrolled, enrolled_on=datetime.date(2025, 12, 1))
    TraineeFactory(email="khach@example.org")
    rows = [["an@example.org", "Bị hủy", "present", ""], ["khach@example.org", "Bài 1", "present", ""]]
    preview = services.preview(xlsx(rows, headers=ATTENDANCE), kind="attendance", course=course)
    assert [row.messages for row in preview.plan.rows] == [
        ["Row 2: Bị hủy: This session is cancelled: no attendance is taken."],
        ["Row 3: khach@example.org was not enrolled in the cohort on the day of the session."],
    ]


def test_attendance_import_keeps_to_the_room_of_the_session_as_the_workspace_does(organizer):
    course = CourseFactory()
    session = SessionFactory(course=course, title="Tham quan", starts_at=local(2026, 1, 6, 14, 0), capacity=2)
    people = [TraineeFactory(email=f"hv{n}@example.org") for n in range(4)]
    for trainee in people:
        EnrolmentFactory(cohort=course.cohort, trainee=trainee, enrolled_on=datetime.date(2025, 12, 1))
    Attendance.objects.create(session=session, trainee=people[0], status="present")
    rows = [
        ["hv1@example.org", "Tham quan", "present", ""],
        ["hv2@example.org", "Tham quan", "late", ""],  # a third person in a room of two
        ["hv0@example.org", "Tham quan", "absent", ""],  # frees a place...
        ["hv3@example.org", "Tham quan", "present", ""],  # ...taken here
    ]
    before = fingerprint()
    preview = services.preview(xlsx(rows, headers=ATTENDANCE), kind="attendance", course=course)
    assert [row.outcome for row in preview.plan.rows] == ["new", "error", "updated", "new"]
    assert preview.plan.rows[1].messages == [
        "Row 3: Tham quan: The session holds 2 people: 2 are already marked present."
    ]
    assert fingerprint() == before
