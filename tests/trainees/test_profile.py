import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    agency,
)

pytestmark = pytest.mark.django_db


def test_profile_shows_contact_posts_commitment_and_attendance(organizer_client):
    first = AssignmentFactory(
        position="Chuyên viên", starts_on=datetime.date(2018, 1, 1), ends_on=datetime.date(2021, 6, 30)
    )
    trainee = first.trainee
    AssignmentFactory(
        trainee=trainee, agency=agency("bo-y-te"), position="Phó Vụ trưởng", starts_on=datetime.date(2021, 7, 1)
    )
    CommitmentFactory(trainee=trainee, starts_on=datetime.date(2020, 6, 1))
    enrolment = EnrolmentFactory(trainee=trainee)
    start = timezone.now() - datetime.timedelta(days=3)
    session = SessionFactory(
        course=CourseFactory(cohort=enrolment.cohort, code="KT-01"),
        title="Kiến trúc CPĐT",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    AttendanceFactory(session=session, trainee=trainee, status="late", note="Tắc đường")

    response = organizer_client.get(reverse("trainees:trainee-detail", args=[trainee.pk]))

    html = response.content.decode()
    for text in [trainee.email, "Chuyên viên", "Phó Vụ trưởng", "30/06/2021", "Kiến trúc CPĐT", "Tắc đường", "KT-01"]:
        assert text in html
    commitment = response.context["commitments"][0]
    assert commitment.evaluation.status == "broken"  # left Hà Nội for a ministry on 01/07/2021
    ((course, progress),) = response.context["progress"]
    assert (course.code, progress.attended, progress.hours) == ("KT-01", 1, 2.0)


def test_profile_of_a_missing_trainee_is_a_404(organizer_client):
    assert organizer_client.get(reverse("trainees:trainee-detail", args=[987654321])).status_code == 404


@pytest.mark.parametrize("size", [2, 20])
def test_profile_query_count_does_not_grow(organizer_client, django_assert_max_num_queries, size):
    enrolment = EnrolmentFactory()
    trainee = enrolment.trainee
    AssignmentFactory(trainee=trainee)
    CommitmentFactory(trainee=trainee)
    course = CourseFactory(cohort=enrolment.cohort)
    for day in range(size):
        start = timezone.now() - datetime.timedelta(days=day + 1)
        session = SessionFactory(course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=1))
        AttendanceFactory(session=session, trainee=trainee)
    with django_assert_max_num_queries(16):
        organizer_client.get(reverse("trainees:trainee-detail", args=[trainee.pk]))


def test_the_profile_shows_the_commitments_as_a_timeline_with_renewals_and_breaches(organizer_client):
    import time_machine

    start, left = datetime.date(2019, 1, 1), datetime.date(2025, 9, 30)
    trainee = AssignmentFactory(agency=agency("ha-giang"), starts_on=start, ends_on=left).trainee
    AssignmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=datetime.date(2025, 10, 1))
    CommitmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=datetime.date(2020, 6, 1))
    # Renewed by the province that took over Hà Giang; the transfer to a ministry broke it.
    CommitmentFactory(trainee=trainee, agency=agency("tuyen-quang"), starts_on=datetime.date(2023, 6, 1))
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC), tick=False):
        response = organizer_client.get(reverse("trainees:trainee-detail", args=[trainee.pk]))
    timeline = response.context["timeline"]
    assert (timeline.first, timeline.last) == (datetime.date(2020, 1, 1), datetime.date(2027, 1, 1))
    first, renewal = timeline.rows
    assert (first.renewal, first.commitment.evaluation.status) == (False, "fulfilled")
    assert (renewal.renewal, renewal.commitment.evaluation.status) == (True, "broken")
    assert first.done_width == first.width  # held to its end
    assert renewal.mark_x == renewal.x + renewal.done_width  # held until the breach on 01/10/2025
    html = response.content.decode()
    assert "renewal" in html and "broken on 01/10/2025" in html
    assert 'class="today"' in html


def test_the_profile_shows_todays_agency_of_the_post_held_now_and_the_agency_of_a_past_post_at_its_end(
    organizer_client,
):
    trainee = AssignmentFactory(
        agency=agency("bo-thong-tin-va-truyen-thong"),
        starts_on=datetime.date(2018, 1, 1),
        ends_on=datetime.date(2021, 6, 30),
    ).trainee
    AssignmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=datetime.date(2021, 7, 1))
    response = organizer_client.get(reverse("trainees:trainee-detail", args=[trainee.pk]))
    html = response.content.decode()
    today = 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>'
    assert html.count(today) == 2  # the heading and the post held now
    now, past = response.context["posts"]
    assert (str(now.agency_as_of), str(past.agency_as_of)) == ("Tuyên Quang · recorded: Hà Giang", "Bộ TT&TT")
