"""Demo data: realistic, complete, and a second run changes nothing. Scale data: the asked sizes."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command

from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Session
from egovexperts.management import demo
from trainees.commitments import Status
from trainees.models import Agency, Assignment, Trainee
from trainees.selectors import commitments_with_status

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Trainee, Assignment, Enrolment, Session, Attendance, Cohort)
    }


def test_demo_is_created_once_and_a_second_run_changes_nothing(capsys, settings):
    settings.DEBUG = True  # as under `make run`
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    output = capsys.readouterr().out
    assert "nothing changed" in output
    assert "organizer@example.org" in output and demo.PASSWORD in output


def test_demo_cohort_has_100_trainees_from_ministries_and_provinces_some_since_merged():
    demo.seed()
    cohort = Cohort.objects.get(code="2020")
    nominated = Enrolment.objects.filter(cohort=cohort, enrolled_on=demo.COHORT_START)
    assert nominated.count() == 100
    kinds = Counter(nominated.values_list("nominated_by__kind", flat=True))
    assert kinds[Agency.Kind.MINISTRY] > 10 and kinds[Agency.Kind.PROVINCE] > 40
    assert nominated.filter(nominated_by__valid_to=datetime.date(2025, 6, 30)).count() >= 20


def test_demo_curriculum_spans_the_years_with_the_june_2020_class_and_a_site_visit():
    demo.seed()
    sessions = Session.objects.filter(course__cohort__code="2020")
    assert set(sessions.values_list("course__year", flat=True)) >= {2020, 2021, 2022, 2023}
    june_class = sessions.filter(
        kind=Session.Kind.IN_PERSON, starts_at__date__in=[datetime.date(2020, 6, 11), datetime.date(2020, 6, 12)]
    )
    assert june_class.count() == 2
    assert sessions.filter(kind=Session.Kind.SITE_VISIT).exists()
    assert sessions.upcoming().count() >= 2
    assert Attendance.objects.count() > 1000


def test_demo_commitments_show_every_status_the_dashboard_watches():
    demo.seed()
    statuses = Counter(row.evaluation.status for row in commitments_with_status())
    for status in (Status.ACTIVE, Status.ENDING_SOON, Status.FULFILLED, Status.BROKEN, Status.WAIVED):
        assert statuses[status] > 0, status


def test_scale_data_has_the_asked_sizes(capsys):
    call_command("seed_scale", trainees=300, sessions=20, cohort_size=100)
    assert Trainee.objects.count() == 300
    assert Session.objects.held().count() == 20
    assert Attendance.objects.count() == 20 * 100  # every member of the cohort, for every held session
    assert Assignment.objects.count() == 300
    assert "300 trainees" in capsys.readouterr().out


@pytest.mark.parametrize("later", [False, True], ids=["today", "in-2031"])
def test_the_demo_tells_the_coverage_story_on_the_day_it_is_seeded(later):
    import time_machine
    from django.utils import timezone

    from egovexperts.reports.coverage import coverage
    from trainees.agencies import AgencyDirectory

    moment = datetime.datetime(2031, 5, 20, 9, tzinfo=datetime.UTC) if later else timezone.now()
    with time_machine.travel(moment, tick=False):
        demo.seed()
        today = timezone.localdate()
        report = coverage(on=today)
    # Posts stay recorded at the provinces merged on 1 July 2025; they count for their successors.
    merged = Assignment.objects.filter(ends_on__isnull=True, agency__valid_to=datetime.date(2025, 6, 30))
    assert merged.count() >= 20
    # A few agencies lost their only expert; one province never had one.
    lost = {slug for slug, _days, _target in demo.LOST_THEIR_EXPERT}
    assert {row.agency.slug for row in report.uncovered} == lost | {demo.NEVER_NOMINATED}
    assert all(Assignment.objects.filter(agency__slug=slug).exists() for slug in lost)
    never = AgencyDirectory.load().lineage(Agency.objects.get(slug=demo.NEVER_NOMINATED))
    assert not Assignment.objects.filter(agency__in=never).exists()
    # One agency's last guarantee ends within six months.
    [(losing, days)] = report.losing_guarantee
    assert losing.agency.slug == demo.LOSING_GUARANTEE and 40 <= days <= 50
    # Before the departures, only the province that never nominated anyone had no expert.
    assert [row.agency.slug for row in coverage(on=datetime.date(2021, 12, 31)).uncovered] == [demo.NEVER_NOMINATED]
