"""The completion rule in Python (completion.progress_of) and in SQL (progress.progress_table) agree."""

import datetime

import pytest
from django.utils import timezone

from courses.completion import SessionFact, progress_of
from courses.models import Session
from courses.progress import Window, progress_table
from tests.factories import AttendanceFactory, CourseFactory, EnrolmentFactory, SessionFactory, TraineeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2024, 3, 15, 12, 0))

# Each case: sessions as (days from NOW, cancelled, attendance status), enrolment window in days from NOW.
# Status None: nobody's attendance is recorded; MISSING: others' is, not the trainee's.
MISSING = "missing"
CASES = [
    ("nothing held yet", [(+1, False, None), (+8, False, None)], -30, None),
    ("all attended", [(-10, False, "present"), (-3, False, "late"), (+4, False, None)], -30, None),
    ("missing rows count as absences", [(-10, False, MISSING), (-3, False, "present")], -30, None),
    ("an unrecorded session is still pending", [(-10, False, None), (-3, False, "absent")], -30, None),
    ("excused leaves the share", [(-10, False, "excused"), (-3, False, "present"), (-2, False, "absent")], -30, None),
    ("cancelled never counts", [(-10, True, "present"), (-3, True, None), (-2, False, "present")], -30, None),
    (
        "before enrolment never counts",
        [(-20, False, MISSING), (-10, False, "absent"), (-3, False, "present")],
        -5,
        None,
    ),
    ("after withdrawal never counts", [(-20, False, "present"), (-10, False, MISSING), (+3, False, None)], -30, -15),
    (
        "at risk: the rest cannot lift it",
        [(-9, False, "absent"), (-8, False, "absent"), (-7, False, MISSING), (+5, False, None)],
        -30,
        None,
    ),
    (
        "not at risk while reachable",
        [
            (-9, False, "absent"),
            (+5, False, None),
            (+6, False, None),
            (+7, False, None),
            (+8, False, None),
            (+9, False, None),
        ],
        -30,
        None,
    ),
    ("session on the enrolment day counts", [(-5, False, "present"), (-6, False, MISSING)], -5, None),
]


def _day(offset: int) -> datetime.datetime:
    return NOW + datetime.timedelta(days=offset)


@pytest.mark.parametrize("label, sessions, enrolled, ended", CASES, ids=[case[0] for case in CASES])
def test_sql_progress_equals_the_python_rule(label, sessions, enrolled, ended):
    course = CourseFactory(min_attendance_percent=80)
    trainee, other = TraineeFactory(), TraineeFactory()
    EnrolmentFactory(cohort=course.cohort, trainee=other, enrolled_on=_day(-60).date())
    enrolled_on = _day(enrolled).date()
    ended_on = _day(ended).date() if ended is not None else None
    EnrolmentFactory(cohort=course.cohort, trainee=trainee, enrolled_on=_day(-60).date())
    facts = []
    for offset, cancelled, status in sessions:
        session = SessionFactory(
            course=course,
            starts_at=_day(offset),
            ends_at=_day(offset) + datetime.timedelta(hours=2),
            status=Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED,
        )
        if status == MISSING:
            AttendanceFactory(session=session, trainee=other)
        elif status:
            AttendanceFactory(session=session, trainee=trainee, status=status)
        own = None if status == MISSING else status
        facts.append(SessionFact(_day(offset).date(), 2.0, _day(offset) <= NOW, cancelled, own, recorded=bool(status)))
    # The enrolment window of the case (the row above only satisfies the cohort's constraints).
    course.cohort.enrolments.filter(trainee=trainee).update(enrolled_on=enrolled_on, ended_on=ended_on)

    expected = progress_of(facts, required_percent=80, enrolled_on=enrolled_on, ended_on=ended_on)
    table = progress_table([Window(trainee.pk, course.cohort_id, enrolled_on, ended_on)], now=NOW)

    assert table[(trainee.pk, course.pk)] == expected


def test_at_risk_flag_rises_as_soon_as_the_threshold_is_out_of_reach():
    facts = [SessionFact(datetime.date(2024, 1, d), 2.0, True, False, "absent") for d in (1, 2)]
    # A begun session nobody recorded yet is pending, like one to come.
    facts.append(SessionFact(datetime.date(2024, 1, 4), 2.0, True, False, None, recorded=False))
    facts += [SessionFact(datetime.date(2024, 2, d), 2.0, False) for d in range(1, 8)]
    # 8 of 10 still reachable: not at risk.
    assert not progress_of(facts, required_percent=80, enrolled_on=datetime.date(2023, 1, 1)).at_risk
    facts.append(SessionFact(datetime.date(2024, 1, 3), 2.0, True, False, "absent"))
    # 8 of 11 is below 80%: at risk.
    assert progress_of(facts, required_percent=80, enrolled_on=datetime.date(2023, 1, 1)).at_risk


def test_progress_table_takes_three_queries_whatever_the_number_of_trainees(django_assert_num_queries):
    course = CourseFactory()
    sessions = SessionFactory.create_batch(
        3, course=course, starts_at=_day(-3), ends_at=_day(-3) + datetime.timedelta(hours=1)
    )
    windows = []
    for _ in range(12):
        enrolment = EnrolmentFactory(cohort=course.cohort)
        AttendanceFactory(session=sessions[0], trainee=enrolment.trainee)
        windows.append(Window(enrolment.trainee_id, course.cohort_id, enrolment.enrolled_on, None))
    with django_assert_num_queries(3):
        table = progress_table(windows, now=NOW)
    assert len(table) == 12
    # Only the first session is recorded: the other two are still pending.
    assert all((p.attended, p.held, p.upcoming) == (1, 1, 2) for p in table.values())


def test_a_withdrawal_from_another_cohort_does_not_end_this_enrolment():
    course = CourseFactory()
    trainee = TraineeFactory()
    EnrolmentFactory(cohort=course.cohort, trainee=trainee, enrolled_on=_day(-60).date())
    EnrolmentFactory(
        trainee=trainee,
        enrolled_on=_day(-60).date(),
        status="withdrawn",
        ended_on=_day(-50).date(),
        withdrawal_reason="x",
    )
    session = SessionFactory(course=course, starts_at=_day(-3), ends_at=_day(-3) + datetime.timedelta(hours=2))
    AttendanceFactory(session=session, trainee=trainee, status="present")
    table = progress_table([Window(trainee.pk, course.cohort_id, _day(-60).date(), None)], now=NOW)
    assert (table[(trainee.pk, course.pk)].attended, table[(trainee.pk, course.pk)].hours) == (1, 2.0)
