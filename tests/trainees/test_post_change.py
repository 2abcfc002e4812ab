"""Recording a post change from the trainee's page: the breach warning and its confirmation."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from egovexperts.notifications.models import OutboundMessage
from tests.factories import AssignmentFactory, CommitmentFactory, TraineeFactory, UnitFactory, agency
from trainees.models import Assignment

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def doctor():
    """At Bộ Y tế since 2019, whose renewed commitment ends on 17/01/2027."""
    trainee = TraineeFactory(full_name="Phạm Thị Hoa")
    AssignmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=D(2019, 1, 1), position="Phó Cục trưởng")
    CommitmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=D(2024, 1, 17))
    return trainee


def url(trainee, name="trainees:trainee-post-change"):
    return reverse(name, args=[trainee.pk])


def change(slug, day="2026-12-02", **extra):
    return {"agency": agency(slug).pk, "starts_on": day, "position": "Vụ trưởng", "reason": "transferred", **extra}


def alerts():
    return list(OutboundMessage.objects.filter(kind="commitment_broken").values_list("recipient", "key"))


def posts(trainee):
    return list(Assignment.objects.filter(trainee=trainee).order_by("starts_on").values_list("agency__slug", "ends_on"))


def test_a_transfer_that_breaks_a_commitment_is_not_saved_without_confirmation(organizer_client, doctor):
    response = organizer_client.post(url(doctor), change("bo-tai-chinh"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This change breaks the commitment of Bộ Y tế, ends 17/01/2027, 46 days left." in html
    assert 'name="confirm"' in html
    assert posts(doctor) == [("bo-y-te", None)]


def test_confirming_the_breach_closes_the_old_post_opens_the_new_one_and_alerts_the_office(
    organizer_client, organizer, doctor
):
    token = organizer_client.post(url(doctor), change("bo-tai-chinh")).context["token"]
    assert not alerts()
    response = organizer_client.post(url(doctor), change("bo-tai-chinh", confirm=token))
    assert response.status_code == 302 and response["Location"] == reverse("trainees:trainee-detail", args=[doctor.pk])
    assert posts(doctor) == [("bo-y-te", D(2026, 12, 1)), ("bo-tai-chinh", None)]
    commitment = doctor.commitments.get()
    assert alerts() == [(organizer.email, f"commitment:{commitment.pk}:broken:20261202")]


@pytest.mark.parametrize(
    "confirm", ["", "on", "{other}:2026-12-02", "{pk}:2026-12-03", "{pk}:2026-12-02,{other}:2026-12-02"]
)
def test_a_crafted_post_without_the_confirmation_of_this_breach_writes_nothing(organizer_client, doctor, confirm):
    commitment = doctor.commitments.get()
    response = organizer_client.post(
        url(doctor), change("bo-tai-chinh", confirm=confirm.format(pk=commitment.pk, other=commitment.pk + 1))
    )
    assert response.status_code == 200
    assert posts(doctor) == [("bo-y-te", None)]
    assert doctor.commitments.get().history.count() == commitment.history.count()
    assert not alerts()


def test_the_confirmation_of_one_breach_does_not_cover_another(organizer_client, doctor):
    token = organizer_client.post(url(doctor), change("bo-tai-chinh")).context["token"]
    # Same breach token, another date: the commitment breaks on another day, not the one confirmed.
    response = organizer_client.post(url(doctor), change("bo-tai-chinh", day="2026-12-10", confirm=token))
    assert response.status_code == 200
    assert posts(doctor) == [("bo-y-te", None)]


def test_a_transfer_between_units_of_one_agency_is_no_breach_and_says_so(organizer_client, doctor):
    unit = UnitFactory(agency=agency("bo-y-te"), name="Cục Công nghệ thông tin")
    response = organizer_client.get(url(doctor, "trainees:trainee-post-change-check"), change("bo-y-te"))
    html = response.content.decode()
    assert "No breach: the new post is in Bộ Y tế, whose commitment holds." in html
    assert 'name="confirm"' not in html
    assert f'value="{unit.pk}"' in html  # the units of the agency chosen
    response = organizer_client.post(url(doctor), change("bo-y-te", unit=unit.pk, reason="promoted"))
    assert response.status_code == 302
    assert posts(doctor) == [("bo-y-te", D(2026, 12, 1)), ("bo-y-te", None)]
    assert not alerts()


def test_moving_to_the_agency_that_took_over_is_no_breach_and_says_so(organizer_client):
    trainee = TraineeFactory()
    AssignmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=D(2019, 1, 1))
    CommitmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=D(2024, 6, 1))
    response = organizer_client.post(url(trainee), change("tuyen-quang", reason="reorganized"))
    assert response.status_code == 302
    assert posts(trainee) == [("ha-giang", D(2026, 12, 1)), ("tuyen-quang", None)]
    html = organizer_client.get(url(trainee, "trainees:trainee-post-change-check"), change("tuyen-quang")).content
    assert "No breach: Tuyên Quang took over Hà Giang, and the commitment with it." in html.decode()


def test_the_check_reads_only(organizer_client, doctor):
    response = organizer_client.get(url(doctor, "trainees:trainee-post-change-check"), change("bo-tai-chinh"))
    assert "This change breaks the commitment" in response.content.decode()
    assert posts(doctor) == [("bo-y-te", None)]


def test_a_post_starting_before_the_current_one_is_refused_and_nothing_written(organizer_client, doctor):
    response = organizer_client.post(url(doctor), change("bo-y-te", day="2018-06-01"))
    assert response.status_code == 200
    assert "The new post must start after the current one (01/01/2019)." in response.content.decode()
    assert posts(doctor) == [("bo-y-te", None)]


@pytest.mark.parametrize(
    "data",
    [
        {"agency": "abc", "starts_on": "2026-12-02"},
        {"agency": "99999999999999999999999", "starts_on": "2026-12-02"},
        {"agency": "1", "starts_on": "02/13/2026"},
        {"agency": "1", "starts_on": "2026-12-02", "unit": "x"},
        {"position": "x" * 500},
    ],
)
def test_wrong_input_gives_the_form_again_not_an_error(organizer_client, doctor, data):
    for name in ("trainees:trainee-post-change", "trainees:trainee-post-change-check"):
        assert organizer_client.post(url(doctor, name), data).status_code in (200, 405)
        assert organizer_client.get(url(doctor, name), data).status_code == 200
    assert posts(doctor) == [("bo-y-te", None)]


def test_trainees_cannot_record_posts(trainee_client, doctor):
    assert trainee_client.post(url(doctor), change("bo-tai-chinh", confirm="x")).status_code == 403
    assert trainee_client.get(url(doctor, "trainees:trainee-post-change-check")).status_code == 403
    assert posts(doctor) == [("bo-y-te", None)]
