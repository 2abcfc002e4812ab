"""The rules of courses/rules.py: pure, and equal to their SQL filters on a table of cases."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.models import Enrolment
from courses import rules, services
from courses.models import Course, Session
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory, TraineeFactory

DAY = datetime.date(2026, 3, 10)


def _at(hour: int, minute: int = 0, day: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, 10 + day, hour, minute))


# --- A cohort attends one session at a time (no database) --------------------------

COHORT_A, COHORT_B = Course(pk=1, cohort_id=1, code="A-01"), Course(pk=2, cohort_id=2, code="B-01")
SAME_COHORT = Course(pk=3, cohort_id=1, code="A-02")

# Each case: the other session as (course, start, end, cancelled, same id as the new one), clash?
CLASHES = [
    ("overlapping start", (SAME_COHORT, _at(7), _at(9), False, False), True),
    ("inside", (COHORT_A, _at(8, 30), _at(9), False, False), True),
    ("around", (COHORT_A, _at(7), _at(12), False, False), True),
    ("ends as the new one starts", (COHORT_A, _at(6), _at(8), False, False), False),
    ("starts as the new one ends", (COHORT_A, _at(10), _at(11), False, False), False),
    ("another cohort", (COHORT_B, _at(8), _at(10), False, False), False),
    ("cancelled", (COHORT_A, _at(8), _at(10), True, False), False),
    ("the session itself", (COHORT_A, _at(8), _at(10), False, True), False),
    ("another day", (COHORT_A, _at(8, day=1), _at(10, day=1), False, False), False),
]


def _session(course, starts_at, ends_at, *, cancelled=False, pk=None, title="Buổi học") -> Session:
    status = Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED
    return Session(pk=pk, course=course, title=title, starts_at=starts_at, ends_at=ends_at, status=status)


@pytest.mark.parametrize("label, other, expected", CLASHES, ids=[case[0] for case in CLASHES])
def test_the_clash_rule_needs_no_database(label, other, expected):
    session = _session(COHORT_A, _at(8), _at(10), pk=7)
    course, starts_at, ends_at, cancelled, same = other
    assert rules.clashes(session, _session(course, starts_at, ends_at, cancelled=cancelled, pk=7 if same else 8)) == (
        expected
    )


def test_a_new_session_clashes_with_another_new_one_and_a_cancelled_one_with_none():
    first, second = _session(COHORT_A, _at(8), _at(10)), _session(COHORT_A, _at(9), _at(11))
    assert rules.first_clash(second, [first, second]) is first
    assert rules.first_clash(_session(COHORT_A, _at(9), _at(11), cancelled=True), [first]) is None


def test_a_clash_is_refused_with_one_message():
    booked = _session(SAME_COHORT, _at(9), _at(12), title="Kiến trúc CPĐT")
    with pytest.raises(ValidationError) as error:
        rules.check_no_clash(_session(COHORT_A, _at(8), _at(10)), [booked])
    assert error.value.messages == [
        "The cohort already has “Kiến trúc CPĐT” (A-02) from 10/03/2026 09:00 to 12:00 at that time."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("label, other, expected", CLASHES, ids=[case[0] for case in CLASHES])
def test_sql_clashes_equal_the_python_rule(label, other, expected):
    course = CourseFactory()
    courses = {COHORT_A: course, SAME_COHORT: CourseFactory(cohort=course.cohort), COHORT_B: CourseFactory()}
    session = SessionFactory(course=course, starts_at=_at(8), ends_at=_at(10))
    other_course, starts_at, ends_at, cancelled, same = other
    if not same:
        status = Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED
        SessionFactory(course=courses[other_course], starts_at=starts_at, ends_at=ends_at, status=status)
    by_sql = list(services.overlapping_sessions(session))
    by_rule = [other for other in Session.objects.select_related("course") if rules.clashes(session, other)]
    assert by_sql == by_rule
    assert bool(by_rule) == expected


# --- The days an enrolment covers --------------------------------------------------

# Each case: enrolled_on, ended_on, status (days from DAY), enrolled on DAY?
WINDOWS = [
    ("enrolled before", -10, None, "active", True),
    ("enrolled that day", 0, None, "active", True),
    ("enrolled after", 1, None, "active", False),
    ("ended that day", -10, 0, "completed", True),
    ("ended before", -10, -1, "completed", False),
    ("withdrawn later", -10, 3, "withdrawn", True),
    ("withdrawn before", -10, -2, "withdrawn", False),
    ("withdrawn without a date", -10, None, "withdrawn", False),
    ("active with an end date after", -10, 5, "active", True),
]


def _days(offset):
    return None if offset is None else DAY + datetime.timedelta(days=offset)


@pytest.mark.parametrize("label, enrolled, ended, status, expected", WINDOWS, ids=[case[0] for case in WINDOWS])
def test_the_enrolment_rule_needs_no_database(label, enrolled, ended, status, expected):
    assert rules.enrolled_on_day(rules.Period(_days(enrolled), _days(ended), status), DAY) == expected


def test_no_enrolment_is_never_enrolled_and_the_refusal_names_the_trainee():
    assert not rules.enrolled_on_day(None, DAY)
    with pytest.raises(ValidationError) as error:
        rules.check_enrolled(None, DAY, trainee="Lê Văn Cường")
    assert error.value.messages == ["Lê Văn Cường was not enrolled in the cohort on the day of the session."]


@pytest.mark.django_db
def test_sql_enrolment_windows_equal_the_python_rule():
    course = CourseFactory()
    # A withdrawal without a date is refused by enrolment_withdrawal_has_date_and_reason.
    stored = [case for case in WINDOWS if not (case[3] == "withdrawn" and case[2] is None)]
    for _label, enrolled, ended, status, _expected in stored:
        reason = "Chuyển công tác" if status == "withdrawn" else ""
        EnrolmentFactory(
            cohort=course.cohort,
            enrolled_on=_days(enrolled),
            ended_on=_days(ended),
            status=status,
            withdrawal_reason=reason,
        )
    session = SessionFactory(course=course, starts_at=_at(8), ends_at=_at(10))
    by_sql = set(services.eligible_enrolments(session).values_list("pk", flat=True))
    by_rule = {enrolment.pk for enrolment in Enrolment.objects.all() if rules.enrolled_on_day(enrolment, DAY)}
    assert by_sql == by_rule
    assert len(by_rule) == sum(1 for case in stored if case[4])


# --- Capacity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "capacity, active, holds", [(None, 40, True), (20, 20, True), (21, 20, True), (19, 20, False), (0, 0, True)]
)
def test_a_capacity_holds_the_active_trainees(capacity, active, holds):
    assert rules.capacity_holds(capacity, active) == holds


@pytest.mark.django_db
def test_the_workspace_refuses_a_capacity_with_the_shared_message():
    course = CourseFactory()
    EnrolmentFactory.create_batch(3, cohort=course.cohort)
    EnrolmentFactory(cohort=course.cohort, status="completed", ended_on=datetime.date(2021, 1, 1))
    session = Session(course=course, title="Tham quan", starts_at=_at(8), ends_at=_at(10), capacity=2)
    with pytest.raises(ValidationError) as error:
        services.save_session(session)
    assert error.value.message_dict == {"capacity": ["The cohort has 3 active trainees: the capacity cannot be lower."]}


@pytest.mark.django_db
def test_the_workspace_refuses_attendance_outside_the_enrolment_with_the_shared_message():
    course = CourseFactory()
    session = SessionFactory(course=course, starts_at=_at(8), ends_at=_at(10))
    late = TraineeFactory(full_name="Lê Văn Cường")
    EnrolmentFactory(cohort=course.cohort, trainee=late, enrolled_on=DAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.record_attendance(session, trainee=late, status="present")
    assert error.value.messages == ["Lê Văn Cường was not enrolled in the cohort on the day of the session."]
