"""Who may open which portal URL: a trainee sees only their own data, never another's."""

import pytest
from django.urls import get_resolver, reverse

from courses.models import AbsenceNotice
from tests.factories import AbsenceNoticeFactory, PostChangeRequestFactory, SessionFactory, UserFactory

# Every portal URL name, by who may open it. A new URL must be added here to pass.
TRAINEE_ONLY = {
    "schedule",
    "progress",
    "profile",
    "post-change-request",
    "calendar-token-regenerate",
    "session-ics",
    "absence-notice",
    "absence-notice-withdraw",
}
ORGANIZER_ONLY = {
    "organizer-post-changes",
    "organizer-post-change-confirm",
    "organizer-post-change-reject",
    "organizer-invitations",
    "organizer-invitation-resend",
}
PUBLIC = {"library"}
TOKEN = {"calendar-feed"}
TRAINEES_AND_ORGANIZERS = {"network"}
BY_MATERIAL = {"material-download"}  # the library's rule, material by material: test_material_download.py
POST_ONLY = {
    "calendar-token-regenerate",
    "absence-notice-withdraw",
    "organizer-post-change-confirm",
    "organizer-post-change-reject",
    "organizer-invitation-resend",
}


def portal_url_names() -> set[str]:
    namespace, resolver = get_resolver().namespace_dict["portal"]
    return {name for name in resolver.reverse_dict if isinstance(name, str)}


def test_every_portal_url_is_classified_and_organizer_names_start_with_organizer():
    classified = TRAINEE_ONLY | ORGANIZER_ONLY | PUBLIC | TOKEN | TRAINEES_AND_ORGANIZERS | BY_MATERIAL
    assert portal_url_names() == classified
    assert all(name.startswith("organizer-") for name in ORGANIZER_ONLY)
    assert not any(name.startswith("organizer-") for name in classified - ORGANIZER_ONLY)


def _open(client, name, args=()):
    url = reverse(f"portal:{name}", args=args)
    return client.post(url) if name in POST_ONLY else client.get(url)


def _args(name, session, post_change, trainee):
    if name in {"session-ics", "absence-notice", "absence-notice-withdraw"}:
        return (session.pk,)
    if name.startswith("organizer-post-change-"):
        return (post_change.pk,)
    if name == "organizer-invitation-resend":
        return (trainee.pk,)
    return ()


@pytest.mark.parametrize("name", sorted(TRAINEE_ONLY | ORGANIZER_ONLY | TRAINEES_AND_ORGANIZERS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, other_session, other_trainee):
    post_change = PostChangeRequestFactory(trainee=other_trainee)
    response = _open(client, name, _args(name, other_session, post_change, other_trainee))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["session-ics", "absence-notice", "absence-notice-withdraw"])
def test_another_trainees_session_is_not_found(trainee_client, course, other_session, other_trainee, name):
    AbsenceNoticeFactory(session=other_session, trainee=other_trainee, reason="Lý do riêng tư")
    response = _open(trainee_client, name, (other_session.pk,))
    assert response.status_code == 404
    assert "Lý do riêng tư" not in response.content.decode()
    assert AbsenceNotice.objects.filter(trainee=other_trainee).exists()


def test_own_pages_never_show_another_trainees_sessions(trainee_client, course, other_session):
    SessionFactory(course=course, title="Buổi học của tôi")
    for name in ["schedule", "progress", "profile"]:
        response = trainee_client.get(reverse(f"portal:{name}"))
        assert response.status_code == 200
        assert other_session.title.encode() not in response.content
        assert b"BMTT-201" not in response.content


@pytest.mark.parametrize("name", sorted(ORGANIZER_ONLY))
def test_trainees_cannot_use_organizer_actions(trainee_client, name, other_trainee, other_session):
    post_change = PostChangeRequestFactory(trainee=other_trainee)
    response = _open(trainee_client, name, _args(name, other_session, post_change, other_trainee))
    assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(TRAINEE_ONLY - {"session-ics", "absence-notice", "absence-notice-withdraw"}))
def test_organizers_have_no_trainee_pages(organizer_client, name):
    assert _open(organizer_client, name).status_code == 403


@pytest.mark.parametrize("name", sorted(ORGANIZER_ONLY | TRAINEES_AND_ORGANIZERS))
def test_organizers_open_their_pages(organizer_client, name, other_trainee, other_session):
    post_change = PostChangeRequestFactory(trainee=other_trainee)
    response = _open(organizer_client, name, _args(name, other_session, post_change, other_trainee))
    if name in POST_ONLY:
        assert response.status_code == 302
        assert response["Location"] in {
            reverse("portal:organizer-post-changes"),
            reverse("portal:organizer-invitations"),
        }
    else:
        assert response.status_code == 200


def test_a_user_without_trainee_record_gets_403_on_trainee_pages_and_the_network(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("portal:schedule")).status_code == 403
    assert client.get(reverse("portal:network")).status_code == 403


def test_the_library_is_open_to_anonymous_visitors(client, db):
    assert client.get(reverse("portal:library")).status_code == 200


def test_the_home_page_sends_a_trainee_to_the_schedule(trainee_client):
    response = trainee_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:schedule")
