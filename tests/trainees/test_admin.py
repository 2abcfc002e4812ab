"""Posts edited in the Django admin reach the directory search as those written by the services."""

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, UnitFactory, agency, post_form
from trainees.models import Trainee

pytestmark = pytest.mark.django_db


def test_a_post_changed_or_deleted_in_the_admin_is_searched_at_once(admin_client):
    post = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Mai Anh")
    change = reverse("admin:trainees_assignment_change", args=[post.pk])
    response = admin_client.post(change, post_form(post, agency=agency("bo-y-te").pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Trainee.objects.search("bo y te")) == [post.trainee]
    assert list(Trainee.objects.search("ha noi")) == []

    admin_client.post(reverse("admin:trainees_assignment_delete", args=[post.pk]), {"post": "yes"})
    assert list(Trainee.objects.search("bo y te")) == []


def test_a_post_edited_in_the_trainee_page_of_the_admin_is_searched_at_once(admin_client):
    post = AssignmentFactory(agency=agency("ha-noi"), trainee__full_name="Mai Anh")
    trainee = post.trainee
    inline = {f"assignments-0-{name}": value for name, value in post_form(post, agency=agency("da-nang").pk).items()}
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


def _change_form(client, url, **changes) -> dict:
    """The admin form of a record as the browser posts it, with some fields changed."""
    form = client.get(url).context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in values.items() if value is not False}
    return {**data, **changes}


def test_an_agency_or_unit_renamed_in_the_admin_is_searched_by_its_new_name(admin_client):
    unit = UnitFactory(agency=agency("ha-noi"), name="Phòng Quản trị mạng")
    post = AssignmentFactory(agency=unit.agency, unit=unit)
    elsewhere = AssignmentFactory(agency=agency("da-nang"))
    url = reverse("admin:trainees_agency_change", args=[post.agency_id])
    response = admin_client.post(url, _change_form(admin_client, url, abbreviations='["Thủ đô"]'))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Trainee.objects.search("thu do")) == [post.trainee]

    url = reverse("admin:trainees_unit_change", args=[post.unit_id])
    response = admin_client.post(url, _change_form(admin_client, url, name="Phòng Chuyển đổi số"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Trainee.objects.search("chuyen doi so")) == [post.trainee]
    assert list(Trainee.objects.search("quan tri mang")) == []
    elsewhere.refresh_from_db()
    assert "thu do" not in elsewhere.search_text
