import datetime

from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from courses.models import Attendance, Session
from tests.factories import (
    AbsenceNoticeFactory,
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    MaterialFactory,
    SessionFactory,
)
from tests.portal.helpers import at


def test_upcoming_sessions_show_in_vietnam_time_with_venue_link_lecturers_and_materials(trainee_client, course):
    session = SessionFactory(
        course=course,
        title="Kiến trúc tổng thể",
        starts_at=datetime.datetime(2031, 3, 2, 1, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 3, 2, 4, 30, tzinfo=datetime.UTC),
        kind=Session.Kind.ONLINE,
        venue="",
        meeting_url="https://meet.example.org/kien-truc",
        lecturers="PGS. TS. Nguyễn Ái Việt",
    )
    MaterialFactory(course=course, session=session, title="Slide kiến trúc")
    MaterialFactory(course=course, session=session, title="Bản nháp chưa công bố", published=False)

    response = trainee_client.get(reverse("portal:schedule"))

    page = response.content.decode()
    assert "02/03/2031" in page and "08:30–11:30" in page  # UTC+7
    assert "https://meet.example.org/kien-truc" in page
    assert "PGS. TS. Nguyễn Ái Việt" in page
    assert "Slide kiến trúc" in page
    assert "Bản nháp chưa công bố" not in page
    assert response.context["schedule"].next_session == session


def test_sessions_after_the_next_one_are_grouped_by_month(trainee_client, course):
    SessionFactory(course=course, title="Sắp tới", starts_at=datetime.datetime(2031, 2, 2, 1, tzinfo=datetime.UTC))
    SessionFactory(course=course, title="Tháng ba A", starts_at=datetime.datetime(2031, 3, 2, 1, tzinfo=datetime.UTC))
    SessionFactory(course=course, title="Tháng ba B", starts_at=datetime.datetime(2031, 3, 20, 1, tzinfo=datetime.UTC))
    SessionFactory(course=course, title="Tháng tư", starts_at=datetime.datetime(2031, 4, 1, 1, tzinfo=datetime.UTC))

    schedule = trainee_client.get(reverse("portal:schedule")).context["schedule"]

    assert schedule.next_session.title == "Sắp tới"
    months = schedule.months
    assert [(first_day, [s.title for s in sessions]) for first_day, sessions in months] == [
        (datetime.date(2031, 3, 1), ["Tháng ba A", "Tháng ba B"]),
        (datetime.date(2031, 4, 1), ["Tháng tư"]),
    ]


def test_cancelled_and_rescheduled_sessions_are_shown_as_such_and_cancelled_is_never_next(trainee_client, course):
    cancelled = SessionFactory(course=course, starts_at=at(2), status=Session.Status.CANCELLED)
    moved = SessionFactory(course=course, starts_at=at(5), status=Session.Status.RESCHEDULED)

    response = trainee_client.get(reverse("portal:schedule"))

    page = response.content.decode()
    assert f'id="session-{cancelled.pk}"' in page
    assert 'class="badge cancelled"' in page
    assert 'class="badge rescheduled"' in page
    assert response.context["schedule"].next_session == moved


def test_past_sessions_show_my_attendance(trainee_client, trainee, other_trainee, course):
    present = SessionFactory(course=course, title="Đã học", starts_at=at(-10))
    missed = SessionFactory(course=course, title="Vắng mặt", starts_at=at(-5))
    AttendanceFactory(session=present, trainee=trainee, status=Attendance.Status.PRESENT)
    AttendanceFactory(session=missed, trainee=trainee, status=Attendance.Status.ABSENT)
    AttendanceFactory(session=missed, trainee=other_trainee, status=Attendance.Status.PRESENT)

    past = trainee_client.get(reverse("portal:schedule")).context["schedule"].past

    assert [(session.title, session.my_attendance.status) for session in past] == [
        ("Vắng mặt", Attendance.Status.ABSENT),
        ("Đã học", Attendance.Status.PRESENT),
    ]


def test_a_withdrawn_trainee_no_longer_sees_sessions_after_the_withdrawal(client, trainee):
    course = CourseFactory()
    EnrolmentFactory(
        trainee=trainee,
        cohort=course.cohort,
        status=Enrolment.Status.WITHDRAWN,
        ended_on=timezone.localdate() - datetime.timedelta(days=3),
        withdrawal_reason="Chuyển công tác",
    )
    SessionFactory(course=course, title="Trước khi rút", starts_at=at(-10))
    SessionFactory(course=course, title="Sau khi rút", starts_at=at(7))
    client.force_login(trainee.user)

    page = client.get(reverse("portal:schedule")).content.decode()

    assert "Trước khi rút" in page
    assert "Sau khi rút" not in page


def test_an_absence_notice_is_shown_on_the_session(trainee_client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(3))
    AbsenceNoticeFactory(session=session, trainee=trainee, reason="Đi công tác Đà Nẵng")

    page = trainee_client.get(reverse("portal:schedule")).content.decode()

    assert "Đi công tác Đà Nẵng" in page


def _fill(course, trainee, count):
    for index in range(count):
        past = SessionFactory(course=course, starts_at=at(-index - 1))
        AttendanceFactory(session=past, trainee=trainee)
        upcoming = SessionFactory(course=course, starts_at=at(index + 1))
        MaterialFactory(course=course, session=upcoming)
        AbsenceNoticeFactory(session=upcoming, trainee=trainee)


def _schedule_queries(client, django_assert_num_queries):
    # 1 session, 2 user, 3 trainee, 4 sessions with course, 5 materials, 6 my attendance,
    # 7 my absence notices, 8 organizer group check of the navigation.
    with django_assert_num_queries(8):
        assert client.get(reverse("portal:schedule")).status_code == 200


def test_the_schedule_takes_the_same_queries_for_3_or_30_sessions(trainee_client, trainee, django_assert_num_queries):
    course = CourseFactory()
    EnrolmentFactory(trainee=trainee, cohort=course.cohort)
    _fill(course, trainee, 3)
    _schedule_queries(trainee_client, django_assert_num_queries)
    _fill(CourseFactory(cohort=course.cohort), trainee, 30)
    _schedule_queries(trainee_client, django_assert_num_queries)
