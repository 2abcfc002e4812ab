"""A post change that breaks a retention commitment alerts the programme office whatever path
writes it: the workspace's service or the Django admin's post and trainee pages."""

import datetime

import pytest
from django.urls import reverse

from egovexperts.notifications.models import OutboundMessage
from tests.factories import AssignmentFactory, CommitmentFactory, agency, post_form

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def post():
    """A trainee in post at Hà Nội, whose commitment runs to 1 June 2027 (today is later than its start)."""
    post = AssignmentFactory(agency=agency("ha-noi"), starts_on=D(2019, 1, 1), trainee__full_name="Nguyễn Văn An")
    CommitmentFactory(trainee=post.trainee, agency=agency("ha-noi"), starts_on=D(2024, 6, 1))
    return post


def _alerts():
    return OutboundMessage.objects.filter(kind="commitment_broken")


def test_ending_a_post_in_the_admin_alerts_of_the_commitment_it_breaks(organizer_client, organizer, post):
    url = reverse("admin:trainees_assignment_change", args=[post.pk])

    response = organizer_client.post(url, post_form(post, ends_on="2026-01-31", end_reason="transferred"))

    assert response.status_code == 302
    assert _alerts().filter(recipient=organizer.email).count() == 1
    assert _alerts().get(recipient=organizer.email).context["broken_on"] == "01/02/2026"


def test_a_new_post_elsewhere_added_on_the_trainee_page_of_the_admin_alerts(admin_client, admin_user, post):
    url = reverse("admin:trainees_trainee_change", args=[post.trainee_id])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "user"}
    data.update(
        {
            "assignments-TOTAL_FORMS": "2",
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": post.pk,
            "assignments-0-trainee": post.trainee_id,
            **{f"assignments-0-{key}": value for key, value in post_form(post, ends_on="2026-01-31").items()},
            "assignments-1-trainee": post.trainee_id,
            **{
                f"assignments-1-{key}": value
                for key, value in post_form(post, agency=agency("bo-y-te").pk, starts_on="2026-02-01").items()
            },
            "commitments-TOTAL_FORMS": "0",
            "commitments-INITIAL_FORMS": "0",
        }
    )
    data.pop("assignments-1-trainee")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert _alerts().filter(recipient=admin_user.email).count() == 1


def test_an_edit_in_the_admin_that_keeps_the_post_alerts_nobody(organizer_client, post):
    url = reverse("admin:trainees_assignment_change", args=[post.pk])

    organizer_client.post(url, post_form(post, position="Giám đốc Trung tâm"))

    assert not _alerts().exists()
