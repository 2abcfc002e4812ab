import datetime
from decimal import Decimal

import time_machine
from django.urls import reverse

from cohorts.models import Enrolment
from courses.models import Attendance, Session
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    agency,
)
from trainees.commitments import Status

NOW = datetime.datetime(2021, 6, 1, 3, tzinfo=datetime.UTC)


def _session(course, day: datetime.date, hours: int = 4, **kwargs):
    starts_at = datetime.datetime.combine(day, datetime.time(1), tzinfo=datetime.UTC)
    return SessionFactory(
        course=course, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=hours), **kwargs
    )


@time_machine.travel(NOW, tick=False)
def test_progress_counts_attended_excused_upcoming_and_hours_per_course(trainee_client, trainee):
    course = CourseFactory(year=2021, required_hours=12, min_attendance_percent=80)
    EnrolmentFactory(trainee=trainee, cohort=course.cohort, enrolled_on=datetime.date(2021, 1, 1))
    _session(course, datetime.date(2020, 12, 1))  # before my enrolment: does not count
    present = _session(course, datetime.date(2021, 2, 1), hours=3)
    late = _session(course, datetime.date(2021, 3, 1), hours=4)
    excused = _session(course, datetime.date(2021, 4, 1))
    missed = _session(course, datetime.date(2021, 5, 1))
    _session(course, datetime.date(2021, 5, 10))  # held but nobody's attendance recorded yet: pending
    _session(course, datetime.date(2021, 5, 2), status=Session.Status.CANCELLED)
    _session(course, datetime.date(2021, 7, 1))  # upcoming
    AttendanceFactory(session=present, trainee=trainee, status=Attendance.Status.PRESENT)
    AttendanceFactory(session=late, trainee=trainee, status=Attendance.Status.LATE)
    AttendanceFactory(session=excused, trainee=trainee, status=Attendance.Status.EXCUSED)
    AttendanceFactory(session=missed, trainee=trainee, status=Attendance.Status.ABSENT)

    progress = trainee_client.get(reverse("portal:progress")).context["progress"]

    (year,) = progress.years
    (row,) = year.courses
    assert year.year == 2021
    assert (row.progress.held, row.progress.attended, row.progress.excused, row.progress.upcoming) == (4, 2, 1, 2)
    assert row.progress.hours == 7.0
    assert row.progress.percent == Decimal("66.7")  # 2 of 3 counted
    assert row.required_sessions == 4  # 80% of 3 counted + 2 to come
    assert not row.progress.completed
    assert not row.progress.at_risk  # 4 of 5 at best: 80%


@time_machine.travel(NOW, tick=False)
def test_courses_are_grouped_by_year_with_totals(trainee_client, trainee):
    first = CourseFactory(year=2020, required_hours=4)
    second = CourseFactory(cohort=first.cohort, year=2021, required_hours=8)
    EnrolmentFactory(trainee=trainee, cohort=first.cohort)
    done = _session(first, datetime.date(2020, 9, 1))
    AttendanceFactory(session=done, trainee=trainee)
    _session(second, datetime.date(2021, 9, 1))

    response = trainee_client.get(reverse("portal:progress"))

    years = response.context["progress"].years
    assert [(year.year, year.completed, year.hours, year.required_hours) for year in years] == [
        (2020, 1, 4.0, 4.0),
        (2021, 0, 0, 8.0),
    ]
    assert "completed" in response.content.decode() or "hoàn thành" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_sessions_after_a_withdrawal_do_not_count(trainee_client, trainee):
    course = CourseFactory(year=2021)
    EnrolmentFactory(
        trainee=trainee,
        cohort=course.cohort,
        status=Enrolment.Status.WITHDRAWN,
        ended_on=datetime.date(2021, 3, 1),
        withdrawal_reason="Nghỉ hưu",
    )
    AttendanceFactory(session=_session(course, datetime.date(2021, 2, 1)), trainee=trainee)
    AttendanceFactory(session=_session(course, datetime.date(2021, 4, 1)), status=Attendance.Status.PRESENT)

    (row,) = trainee_client.get(reverse("portal:progress")).context["progress"].years[0].courses

    assert (row.progress.held, row.progress.upcoming) == (1, 0)


@time_machine.travel(NOW, tick=False)
def test_my_commitment_shows_start_end_and_days_remaining(trainee_client, trainee, other_trainee):
    AssignmentFactory(trainee=trainee, starts_on=datetime.date(2019, 1, 1))
    CommitmentFactory(trainee=trainee, starts_on=datetime.date(2020, 6, 1))
    CommitmentFactory(trainee=other_trainee, starts_on=datetime.date(2020, 1, 1), document_ref="CV-KHAC")

    response = trainee_client.get(reverse("portal:progress"))

    (commitment,) = response.context["progress"].commitments
    assert commitment.evaluation.status == Status.ACTIVE
    assert commitment.evaluation.days_remaining == (datetime.date(2023, 6, 1) - datetime.date(2021, 6, 1)).days
    page = response.content.decode()
    assert "01/06/2020" in page and "01/06/2023" in page and "730" in page
    assert "CV-KHAC" not in page


def test_my_commitment_names_the_agency_that_carries_it_today_beside_the_one_that_signed(trainee_client, trainee):
    AssignmentFactory(trainee=trainee, agency=agency("bo-thong-tin-va-truyen-thong"))
    CommitmentFactory(trainee=trainee, agency=agency("bo-thong-tin-va-truyen-thong"))
    page = trainee_client.get(reverse("portal:progress")).content.decode()
    assert (
        'Bộ Khoa học và Công nghệ <small class="muted recorded">· recorded: Bộ Thông tin và Truyền thông</small>'
        in page
    )
