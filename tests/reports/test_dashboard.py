import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Attendance
from egovexperts.imports.models import ImportRun
from egovexperts.reports.selectors import dashboard
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    agency,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2024, 3, 15, 12, 0, tzinfo=datetime.UTC)


def _session(course, days, **kwargs):
    start = NOW + datetime.timedelta(days=days)
    return SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2), **kwargs)


@time_machine.travel(NOW, tick=False)
def test_dashboard_figures():
    cohort = CohortFactory(name="Khóa 1")
    course = CourseFactory(cohort=cohort, code="KT-01", min_attendance_percent=80)
    good, poor = (EnrolmentFactory(cohort=cohort).trainee for _ in range(2))
    EnrolmentFactory(cohort=cohort, status="withdrawn", ended_on=datetime.date(2021, 1, 1), withdrawal_reason="x")
    held = [_session(course, -d) for d in (9, 8, 7)]
    unrecorded = _session(course, -1)
    upcoming = _session(course, 3)
    for session in held:
        AttendanceFactory(session=session, trainee=good)
        AttendanceFactory(session=session, trainee=poor, status="absent")

    figures = dashboard()

    (row,) = figures.cohorts
    assert (row.enrolled_count, row.active_count, row.withdrawn_count) == (3, 2, 1)
    assert figures.next_sessions == [upcoming]
    assert figures.unrecorded_sessions == [unrecorded] and figures.unrecorded_count == 1
    (rate,) = figures.course_rates
    assert (rate.attended, rate.counted) == (3, 6)  # the unrecorded session is still pending
    assert [(r.full_name, r.course.code, r.percent, r.at_risk) for r in figures.behind] == [
        (poor.full_name, "KT-01", 0, True)
    ]
    assert (figures.behind_count, figures.at_risk_count) == (1, 1)


def test_dashboard_lists_commitments_ending_soon_and_broken():
    today = timezone.localdate()
    ending = CommitmentFactory(starts_on=today - datetime.timedelta(days=3 * 365 - 30))
    AssignmentFactory(trainee=ending.trainee, starts_on=datetime.date(2010, 1, 1))
    broken = CommitmentFactory(starts_on=today - datetime.timedelta(days=400))
    post = AssignmentFactory(trainee=broken.trainee, starts_on=datetime.date(2015, 1, 1))
    post.ends_on = today - datetime.timedelta(days=100)
    post.save()
    AssignmentFactory(trainee=broken.trainee, agency=agency("bo-y-te"), starts_on=today - datetime.timedelta(days=99))
    fine = CommitmentFactory(starts_on=today - datetime.timedelta(days=100))
    AssignmentFactory(trainee=fine.trainee, starts_on=datetime.date(2010, 1, 1))

    figures = dashboard()

    assert figures.commitments_ending == [ending]
    assert figures.commitments_broken == [broken]


def test_dashboard_numbers_change_as_soon_as_attendance_is_taken():
    course = CourseFactory()
    trainee = EnrolmentFactory(cohort=course.cohort).trainee
    start = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    assert dashboard().unrecorded_count == 1
    services.record_attendance(session, trainee=trainee, status="present")
    figures = dashboard()
    assert figures.unrecorded_count == 0
    assert (figures.course_rates[0].attended, figures.course_rates[0].counted) == (1, 1)


def test_organizers_land_on_the_dashboard(organizer_client):
    assert organizer_client.get(reverse("home")).url == reverse("reports:dashboard")


@pytest.mark.parametrize("size", [5, 50])
def test_dashboard_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size):
    cohort = CohortFactory()
    courses = CourseFactory.create_batch(2, cohort=cohort)
    sessions = [
        _session(
            course,
            days,
        )
        for course in courses
        for days in (-30, -20, 10)
    ]
    for enrolment in EnrolmentFactory.create_batch(size, cohort=cohort):
        CommitmentFactory(trainee=enrolment.trainee, starts_on=datetime.date(2022, 1, 1))
        AssignmentFactory(trainee=enrolment.trainee, starts_on=datetime.date(2019, 1, 1))
        for session in sessions[:2]:
            AttendanceFactory(session=session, trainee=enrolment.trainee, status="absent")
    # session, user, groups, trainee of the user; fingerprint; cohorts, next sessions, unrecorded
    # sessions and their count, courses; the attendance figures' marks, enrolments, courses,
    # sessions and attendance of the progress table; trainee names; agencies, commitments with
    # trainees, their posts; posts held today, those of trainees with a closed one (coverage line)
    with django_assert_max_num_queries(21):
        response = organizer_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    # Cached: the fingerprint only.
    with django_assert_max_num_queries(5):
        organizer_client.get(reverse("reports:dashboard"))


def test_dashboard_page_shows_attendance_taken_since_it_was_last_rendered(organizer_client):
    course = CourseFactory()
    trainee = EnrolmentFactory(cohort=course.cohort).trainee
    start = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    url = reverse("reports:dashboard")
    assert 'data-figure="unrecorded">1<' in organizer_client.get(url).text
    services.record_attendance(session, trainee=trainee, status="present")
    assert 'data-figure="unrecorded">0<' in organizer_client.get(url).text


def test_dashboard_page_follows_bulk_writes_of_an_import(organizer_client, organizer):
    course = CourseFactory(min_attendance_percent=50)
    trainee = EnrolmentFactory(cohort=course.cohort).trainee
    start = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    AttendanceFactory(session=session, trainee=trainee, status="absent")
    url = reverse("reports:dashboard")
    assert 'data-figure="rate">0.0%' in organizer_client.get(url).text
    # What an import does: rows updated in bulk (no history row), then its run is logged.
    Attendance.objects.filter(session=session).update(status="present")
    ImportRun.objects.create(kind="attendance", file_name="x.csv", checksum="0", created_by=organizer)
    assert 'data-figure="rate">100.0%' in organizer_client.get(url).text


def test_dashboard_page_is_cached_per_language(organizer_client):
    CohortFactory(name="Khóa 1")
    url = reverse("reports:dashboard")
    for language, heading in [("en", "<h2>Cohorts</h2>"), ("vi", "<h2>Khóa</h2>"), ("en", "<h2>Cohorts</h2>")]:
        organizer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the visitor's choice
        assert heading in organizer_client.get(url).text


@time_machine.travel(datetime.datetime(2026, 12, 4, 3, tzinfo=datetime.UTC), tick=False)
def test_dashboard_says_how_many_provinces_and_ministries_have_an_expert_in_post_today(organizer_client):
    # Recorded at Hà Giang and at Bộ TT&TT: in post today at Tuyên Quang and Bộ KH&CN, which took them over.
    for slug in ("ha-giang", "tuyen-quang", "ha-noi", "bo-thong-tin-va-truyen-thong"):
        AssignmentFactory(agency=agency(slug), starts_on=datetime.date(2019, 1, 1))
    left = AssignmentFactory(agency=agency("bo-y-te"), starts_on=datetime.date(2019, 1, 1))
    left.ends_on = datetime.date(2026, 1, 1)
    left.save()

    html = organizer_client.get(reverse("reports:dashboard")).text

    line = "2 of 34 provinces and 1 of 17 ministries and ministry-level agencies have an expert in post today"
    assert f'<a href="{reverse("reports:coverage")}">{line}</a>' in html


def test_dashboard_lists_name_the_committing_agency_in_force_today_beside_the_recorded_one(organizer_client):
    today = timezone.localdate()
    ending = CommitmentFactory(agency=agency("ha-giang"), starts_on=today - datetime.timedelta(days=3 * 365 - 30))
    AssignmentFactory(trainee=ending.trainee, agency=agency("ha-giang"), starts_on=datetime.date(2010, 1, 1))
    html = organizer_client.get(reverse("reports:dashboard")).content.decode()
    section = html[html.index('id="commitments-ending"') : html.index('id="commitments-broken"')]
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in section


def test_a_mark_of_attendance_does_not_evaluate_the_commitments_again_but_a_post_change_does():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trainees.services import record_assignment

    course = CourseFactory()
    trainee = EnrolmentFactory(cohort=course.cohort).trainee
    commitment = CommitmentFactory(trainee=trainee, starts_on=timezone.localdate() - datetime.timedelta(days=400))
    AssignmentFactory(trainee=trainee, agency=commitment.agency, starts_on=datetime.date(2015, 1, 1))
    start = timezone.now() - datetime.timedelta(hours=3)
    session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    assert dashboard().commitments_broken == []

    services.record_attendance(session, trainee=trainee, status="present")
    with CaptureQueriesContext(connection) as queries:
        assert dashboard().unrecorded_count == 0
    # Only the versions' look-up of the highest ids reads the commitments table.
    assert not [
        q for q in queries if "retentioncommitment" in q["sql"] and not q["sql"].startswith("SELECT (SELECT MAX")
    ]

    record_assignment(trainee, agency=agency("bo-y-te"), position="Vụ trưởng", starts_on=timezone.localdate())
    assert dashboard().commitments_broken == [commitment]
