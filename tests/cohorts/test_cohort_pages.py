import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, Enrolment
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)

pytestmark = pytest.mark.django_db


def test_cohort_page_shows_name_trainees_grouped_by_agency_kind_and_progress(organizer_client):
    cohort = CohortFactory(name="Khóa 2024")
    ministry = AssignmentFactory(agency=agency("bo-y-te"), trainee__full_name="Phạm Minh Châu").trainee
    province = AssignmentFactory(trainee__full_name="Đỗ Thị Hà").trainee
    for trainee in (ministry, province):
        EnrolmentFactory(cohort=cohort, trainee=trainee)
    start = timezone.now() - datetime.timedelta(days=2)
    session = SessionFactory(
        course=CourseFactory(cohort=cohort), starts_at=start, ends_at=start + datetime.timedelta(hours=4)
    )
    AttendanceFactory(session=session, trainee=ministry)

    response = organizer_client.get(reverse("cohorts:cohort-detail", args=[cohort.pk]))

    html = response.content.decode()
    assert "Khóa 2024" in html and "Phạm Minh Châu" in html and "Đỗ Thị Hà" in html
    assert (
        html.index("Ministries and central agencies")
        < html.index("Phạm Minh Châu")
        < html.index("Provinces and cities")
    )
    progress = {e.trainee_id: e.progress for e in response.context["enrolments"]}
    assert (progress[ministry.pk].attended, progress[ministry.pk].counted, progress[ministry.pk].hours) == (1, 1, 4.0)
    assert (progress[province.pk].attended, progress[province.pk].counted) == (0, 1)


@pytest.mark.parametrize("size", [4, 40])
def test_cohort_pages_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size):
    cohort = CohortFactory()
    course = CourseFactory(cohort=cohort)
    session = SessionFactory(
        course=course,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() - datetime.timedelta(hours=20),
    )
    for enrolment in EnrolmentFactory.create_batch(size, cohort=cohort):
        AssignmentFactory(trainee=enrolment.trainee)
        AttendanceFactory(session=session, trainee=enrolment.trainee)
    CohortFactory.create_batch(size // 4)
    with django_assert_max_num_queries(6):
        organizer_client.get(reverse("cohorts:cohort-list"))
    # session, user, groups, cohort, enrolments, trainees, courses, sessions, attendance, agencies of the form,
    # the agency directory that resolves today's agencies (kept per process after a first page)
    with django_assert_max_num_queries(12):
        organizer_client.get(reverse("cohorts:cohort-detail", args=[cohort.pk]))


def test_organizer_creates_and_edits_a_cohort(organizer_client):
    programme = CohortFactory().programme
    data = {"programme": programme.pk, "code": "k2026", "name": "Khóa 2026", "starts_on": "2026-03-01", "capacity": 50}
    response = organizer_client.post(reverse("cohorts:cohort-create"), data)
    cohort = Cohort.objects.get(code="k2026")
    assert response.url == reverse("cohorts:cohort-detail", args=[cohort.pk])
    data.update(ends_on="2025-01-01")
    response = organizer_client.post(reverse("cohorts:cohort-update", args=[cohort.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors


def test_enrolling_by_email_within_capacity(organizer_client):
    cohort = CohortFactory(capacity=1)
    first, second = TraineeFactory(email="an@example.org"), TraineeFactory()
    url = reverse("cohorts:enrolment-create", args=[cohort.pk])
    data = {"trainee": " AN@example.org ", "nominated_by": agency("ha-noi").pk, "enrolled_on": "2024-01-10"}
    assert organizer_client.post(url, data).status_code == 302
    assert Enrolment.objects.get().trainee == first
    response = organizer_client.post(url, {**data, "trainee": second.email})
    assert "full" in str(response.context["form"].non_field_errors())
    response = organizer_client.post(url, {**data, "trainee": "nobody@example.org"})
    assert "trainee" in response.context["form"].errors


def test_a_trainee_is_enrolled_in_a_cohort_once():
    enrolment = EnrolmentFactory()
    with pytest.raises(ValidationError) as error:
        services.enrol_trainee(
            enrolment.cohort,
            trainee=enrolment.trainee,
            nominated_by=agency("ha-noi"),
            enrolled_on=datetime.date(2024, 1, 1),
        )
    assert "trainee" in error.value.message_dict


def test_withdrawal_needs_a_reason_and_a_date_and_keeps_the_enrolment(organizer_client):
    enrolment = EnrolmentFactory(enrolled_on=datetime.date(2024, 1, 1))
    url = reverse("cohorts:enrolment-withdraw", args=[enrolment.pk])
    response = organizer_client.post(url, {"on": "", "reason": ""})
    assert {"on", "reason"} <= set(response.context["form"].errors)
    response = organizer_client.post(url, {"on": "2023-12-01", "reason": "Nghỉ hưu"})
    assert "on" in response.context["form"].errors
    response = organizer_client.post(url, {"on": "2024-06-01", "reason": "Nghỉ hưu"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on, enrolment.withdrawal_reason) == (
        "withdrawn",
        datetime.date(2024, 6, 1),
        "Nghỉ hưu",
    )
    with pytest.raises(ValidationError):
        services.withdraw_enrolment(enrolment, on=datetime.date(2024, 7, 1), reason="lại")


def test_cohort_page_shows_the_agency_in_force_today_with_the_recorded_one_beside_it(organizer_client):
    cohort = CohortFactory()
    trainee = AssignmentFactory(agency=agency("ha-giang"), trainee__full_name="Lò Văn Giàng").trainee
    EnrolmentFactory(cohort=cohort, trainee=trainee, nominated_by=agency("ha-giang"))
    html = organizer_client.get(reverse("cohorts:cohort-detail", args=[cohort.pk])).content.decode()
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in html
    assert html.index("Provinces and cities") < html.index("Lò Văn Giàng")
