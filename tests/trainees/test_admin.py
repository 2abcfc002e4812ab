"""Posts edited in the Django admin reach the directory search as those written by the services."""

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, agency
from trainees.models import Trainee

pytestmark = pytest.mark.django_db


def _post_form(post, **changes):
    data = {
        "trainee": post.trainee_id,
        "agency": post.agency_id,
        "unit": "",
        "position": post.position,
        "starts_on": post.starts_on.isoformat(),
        "ends_on": "",
        "reason": post.reason,
        "end_reason": "",
        "note": "",
    }
    return {**data, **changes}


def test_a_post_changed_or_deleted_in_the_admin_is_searched_at_once(admin_client):
    post = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Mai Anh")
    change = reverse("admin:trainees_assignment_change", args=[post.pk])
    response = admin_client.post(change, _post_form(post, agency=agency("bo-y-te").pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Trainee.objects.search("bo y te")) == [post.trainee]
    assert list(Trainee.objects.search("ha noi")) == []

    admin_client.post(reverse("admin:trainees_assignment_delete", args=[post.pk]), {"post": "yes"})
    assert list(Trainee.objects.search("bo y te")) == []


def test_a_post_edited_in_the_trainee_page_of_the_admin_is_searched_at_once(admin_client):
    post = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Mai Anh")
    trainee = post.trainee
    inline = {f"assignments-0-{name}": value for name, value in _post_form(post, agency=agency("da-nang").pk).items()}
    data = {
        "full_name": trainee.full_name,
        "email": trainee.email,
        "phone": trainee.phone,
        "share_contact": "on",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-0-id": post.pk,
        **inline,
        "commitments-TOTAL_FORMS": "0",
        "commitments-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:trainees_trainee_change", args=[trainee.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Trainee.objects.search("da nang")) == [trainee]
