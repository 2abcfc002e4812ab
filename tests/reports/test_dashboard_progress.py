"""The dashboard's attendance figures kept per cohort: after any change, the same as computed afresh."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Cohort
from courses import services as course_services
from courses.models import Course, Session
from egovexperts.imports.models import ImportRun
from egovexperts.reports import dashboard_progress
from egovexperts.reports.dashboard_progress import cohort_figures
from tests.clock import vn
from tests.factories import AttendanceFactory, CohortFactory, CourseFactory, EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _cohort(name, *, held, upcoming=1, size=3):
    """A cohort with its sessions and attendance, written ten minutes ago: changes made in the
    test are the only recent ones."""
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=10)):
        return _build(
            name, held=held, upcoming=upcoming, size=size, now=timezone.now() + datetime.timedelta(minutes=10)
        )


def _build(name, *, held, upcoming, size, now):
    cohort = CohortFactory(name=name)
    course = CourseFactory(cohort=cohort, min_attendance_percent=80)
    trainees = [EnrolmentFactory(cohort=cohort).trainee for _ in range(size)]
    for days in range(held, 0, -1):
        start = now - datetime.timedelta(days=days)
        session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        for n, trainee in enumerate(trainees):
            AttendanceFactory(session=session, trainee=trainee, status="present" if (n + days) % 3 else "absent")
    for days in range(1, upcoming + 1):
        start = now + datetime.timedelta(days=days)
        SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    return cohort, course, trainees


def _kept(now=None, cohorts=None):
    now = now or timezone.now()
    courses = dict(Course.objects.values_list("pk", "cohort_id"))
    cohorts = set(Cohort.objects.values_list("pk", flat=True)) if cohorts is None else cohorts
    return cohort_figures(now=now, cohort_ids=cohorts, courses=courses)


def _fresh(now=None):
    cache.delete(dashboard_progress.CACHE_KEY)
    return _kept(now)


@pytest.fixture
def two_cohorts():
    return _cohort("A", held=4), _cohort("B", held=3)


@pytest.fixture
def recomputed(monkeypatch):
    """The cohorts whose progress table each computation read."""
    seen = []
    real = dashboard_progress.progress_table

    def spy(windows, **kwargs):
        windows = list(windows)
        seen.append({window.cohort_id for window in windows})
        return real(windows, **kwargs)

    monkeypatch.setattr(dashboard_progress, "progress_table", spy)
    return seen


def test_a_change_in_one_cohort_recomputes_that_cohort_alone(two_cohorts, recomputed):
    (a, course_a, trainees_a), (b, _course_b, _trainees_b) = two_cohorts
    _kept()
    session = Session.objects.filter(course=course_a, starts_at__lt=timezone.now()).first()
    course_services.record_attendance(session, trainee=trainees_a[0], status="absent")

    kept = _kept()

    assert recomputed == [{a.pk, b.pk}, {a.pk}]
    assert kept == _fresh()


@pytest.fixture
def midday():
    """Noon in Vietnam: five minutes later is the same day (a new day recomputes everything)."""
    with time_machine.travel(vn(2026, 12, 2, 12, 0)):
        yield


def test_nothing_is_recomputed_when_nothing_changed(midday, two_cohorts, recomputed):
    now = timezone.now()
    first = _kept(now)
    assert _kept(now + datetime.timedelta(minutes=5)) == first
    assert recomputed == [{two_cohorts[0][0].pk, two_cohorts[1][0].pk}]


@pytest.mark.parametrize(
    "change",
    [
        "attendance taken",
        "attendance changed",
        "enrolment withdrawn",
        "new enrolment",
        "session moved",
        "session cancelled",
        "upcoming session deleted",
    ],
)
def test_after_each_change_the_kept_figures_are_those_computed_afresh(two_cohorts, change):
    (a, course_a, trainees_a), (b, course_b, trainees_b) = two_cohorts
    _kept()
    now = timezone.now()
    held_b = Session.objects.filter(course=course_b, starts_at__lt=now).order_by("starts_at")
    if change == "attendance taken":
        start = now - datetime.timedelta(hours=3)
        session = SessionFactory(course=course_b, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        course_services.record_attendance(session, trainee=trainees_b[0], status="present")
    elif change == "attendance changed":
        course_services.record_attendance(held_b.first(), trainee=trainees_b[1], status="excused")
    elif change == "enrolment withdrawn":
        enrolment = b.enrolments.get(trainee=trainees_b[2])
        cohort_services.withdraw_enrolment(enrolment, on=timezone.localdate(), reason="Nghỉ hưu")
    elif change == "new enrolment":
        EnrolmentFactory(cohort=b, enrolled_on=datetime.date(2020, 1, 1))
    elif change == "session moved":
        session = held_b.first()
        session.starts_at += datetime.timedelta(days=30)
        session.ends_at += datetime.timedelta(days=30)
        session.save()
    elif change == "session cancelled":
        session = held_b.last()
        session.status = Session.Status.CANCELLED
        session.save()
    elif change == "upcoming session deleted":
        course_services.delete_session(Session.objects.filter(course=course_b, starts_at__gt=now).get())

    assert _kept() == _fresh()


def test_a_session_that_begins_counts_without_any_write(recomputed):
    cohort, course, trainees = _cohort("C", held=2, upcoming=0)
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(minutes=10)):  # recorded in advance, before the figures
        start = now + datetime.timedelta(minutes=10)
        session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
        AttendanceFactory(session=session, trainee=trainees[0], status="present")
    before = _kept(now)
    later = now + datetime.timedelta(minutes=20)
    after = _kept(later)
    assert after != before
    assert after == _fresh(later)
    assert recomputed[1] == {cohort.pk}


def test_an_import_recomputes_every_cohort(two_cohorts, recomputed, organizer):
    _kept()
    ImportRun.objects.create(kind="attendance", file_name="x.csv", checksum="0", created_by=organizer)
    _kept()
    assert recomputed[1] == {two_cohorts[0][0].pk, two_cohorts[1][0].pk}


def test_a_cohort_no_longer_listed_leaves_the_figures(two_cohorts):
    (a, _course_a, _), (b, _course_b, _) = two_cohorts
    assert set(_kept()) == {a.pk, b.pk}
    assert set(_kept(cohorts={b.pk})) == {b.pk}
