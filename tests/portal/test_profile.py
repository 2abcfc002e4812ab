import datetime

from django.urls import reverse

from tests.factories import AssignmentFactory, PostChangeRequestFactory, UnitFactory, agency
from trainees.models import Assignment, PostChangeRequest


def test_a_trainee_updates_phone_and_contact_preferences(trainee_client, trainee):
    response = trainee_client.post(
        reverse("portal:profile"), {"phone": " 0987 654 321 ", "share_contact": "on", "email_reminders": ""}
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert (trainee.phone, trainee.share_contact, trainee.email_reminders) == ("0987 654 321", True, False)


def test_a_trainee_requests_a_change_of_post(trainee_client, trainee):
    response = trainee_client.post(
        reverse("portal:post-change-request"),
        {
            "agency": agency("da-nang").pk,
            "unit_name": "Sở Khoa học và Công nghệ",
            "position": "Phó Giám đốc Sở",
            "starts_on": "2026-03-01",
            "reason": Assignment.Reason.TRANSFERRED,
            "note": "",
        },
    )

    assert response.status_code == 302
    request = PostChangeRequest.objects.get(trainee=trainee)
    assert (request.status, request.position, request.starts_on) == (
        "pending",
        "Phó Giám đốc Sở",
        datetime.date(2026, 3, 1),
    )


def test_a_second_pending_request_is_refused(trainee_client, trainee):
    PostChangeRequestFactory(trainee=trainee)
    response = trainee_client.post(
        reverse("portal:post-change-request"),
        {"agency": agency("ha-noi").pk, "position": "Giám đốc", "starts_on": "2026-03-01", "reason": "promoted"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert PostChangeRequest.objects.count() == 1


def test_an_organizer_confirms_a_request_into_the_assignment_history(organizer_client, organizer, trainee):
    AssignmentFactory(trainee=trainee, agency=agency("ha-noi"), starts_on=datetime.date(2019, 1, 1))
    unit = UnitFactory(agency=agency("da-nang"), name="Sở Khoa học và Công nghệ")
    request = PostChangeRequestFactory(
        trainee=trainee,
        agency=agency("da-nang"),
        unit_name="sở khoa học và công nghệ",
        position="Phó Giám đốc Sở",
        starts_on=datetime.date(2026, 3, 1),
        reason=Assignment.Reason.TRANSFERRED,
    )

    response = organizer_client.post(reverse("portal:organizer-post-change-confirm", args=[request.pk]))

    assert response.status_code == 302
    old, new = trainee.assignments.order_by("starts_on")
    assert old.ends_on == datetime.date(2026, 2, 28)
    assert (new.agency, new.unit, new.position, new.reason) == (
        agency("da-nang"),
        unit,
        "Phó Giám đốc Sở",
        "transferred",
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (PostChangeRequest.Status.CONFIRMED, organizer)


def test_a_request_decided_once_cannot_be_confirmed_again(organizer_client, trainee):
    request = PostChangeRequestFactory(trainee=trainee)
    organizer_client.post(reverse("portal:organizer-post-change-reject", args=[request.pk]))

    organizer_client.post(reverse("portal:organizer-post-change-confirm", args=[request.pk]))

    request.refresh_from_db()
    assert request.status == PostChangeRequest.Status.REJECTED
    assert not trainee.assignments.exists()


def test_a_request_starting_before_the_current_post_shows_the_error(organizer_client, trainee):
    AssignmentFactory(trainee=trainee, starts_on=datetime.date(2026, 5, 1))
    request = PostChangeRequestFactory(trainee=trainee, starts_on=datetime.date(2026, 1, 1))

    response = organizer_client.post(reverse("portal:organizer-post-change-confirm", args=[request.pk]), follow=True)

    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    request.refresh_from_db()
    assert request.status == PostChangeRequest.Status.PENDING


def test_pending_requests_list_shows_the_current_post(organizer_client, trainee):
    AssignmentFactory(trainee=trainee, position="Trưởng phòng CNTT")
    PostChangeRequestFactory(trainee=trainee, position="Giám đốc Trung tâm")

    page = organizer_client.get(reverse("portal:organizer-post-changes")).content.decode()

    assert "Trưởng phòng CNTT" in page and "Giám đốc Trung tâm" in page


def _post_changes_queries(client, django_assert_num_queries):
    client.get(reverse("portal:organizer-post-changes"))  # the agencies are read once, then kept
    # 1 session, 2 user, 3 organizer group, 4 trainee record of the user (navigation),
    # 5 pending requests with agency, 6 their trainees with current post.
    with django_assert_num_queries(6):
        assert client.get(reverse("portal:organizer-post-changes")).status_code == 200


def test_the_pending_requests_page_takes_the_same_queries_for_2_or_20_requests(
    organizer_client, django_assert_num_queries
):
    for _ in range(2):
        PostChangeRequestFactory(trainee=AssignmentFactory().trainee)
    _post_changes_queries(organizer_client, django_assert_num_queries)
    for _ in range(18):
        PostChangeRequestFactory(trainee=AssignmentFactory().trainee)
    _post_changes_queries(organizer_client, django_assert_num_queries)


def test_the_profile_shows_my_post_under_the_agency_in_force_today(trainee_client, trainee):
    AssignmentFactory(trainee=trainee, agency=agency("ha-giang"), position="Trưởng phòng CNTT")
    page = trainee_client.get(reverse("portal:profile")).content.decode()
    assert 'Trưởng phòng CNTT, Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in page


def test_the_pending_requests_show_the_current_post_under_the_agency_in_force_today(organizer_client):
    PostChangeRequestFactory(trainee=AssignmentFactory(agency=agency("ha-giang")).trainee)
    page = organizer_client.get(reverse("portal:organizer-post-changes")).content.decode()
    assert 'Tuyên Quang <small class="muted recorded">· recorded: Hà Giang</small>' in page
