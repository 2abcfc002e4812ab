"""Who may see and restore versions, and what a crafted request cannot do."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import AttendanceFactory, EnrolmentFactory, SessionFactory, TraineeFactory, UserFactory
from trainees.models import Trainee

pytestmark = pytest.mark.django_db


def restore_url(feed, pk, kind, history_id):
    return reverse(f"history:{feed}-restore", args=[pk, kind, history_id])


@pytest.fixture
def renamed(trainee):
    """The trainee fixture's record, renamed once."""
    first = trainee.history.earliest()
    trainee.full_name = "Trần Thị Bích Ngọc"
    trainee.save()
    return trainee, first


def test_anonymous_users_are_sent_to_log_in_and_restore_nothing(client, renamed):
    trainee, first = renamed
    for response in [
        client.get(reverse("history:trainee", args=[trainee.pk])),
        client.get(restore_url("trainee", trainee.pk, "trainee", first.history_id)),
        client.post(restore_url("trainee", trainee.pk, "trainee", first.history_id)),
    ]:
        assert response.status_code == 302 and "/login/" in response["Location"]
    trainee.refresh_from_db()
    assert trainee.full_name == "Trần Thị Bích Ngọc"


def test_trainees_may_neither_read_nor_restore_even_their_own_history(trainee_client, renamed):
    trainee, first = renamed
    session = AttendanceFactory(trainee=trainee).session
    for url in [
        reverse("history:trainee", args=[trainee.pk]),
        reverse("history:session", args=[session.pk]),
        reverse("history:cohort", args=[EnrolmentFactory(trainee=trainee).cohort_id]),
        restore_url("trainee", trainee.pk, "trainee", first.history_id),
    ]:
        assert trainee_client.get(url).status_code == 403
        assert trainee_client.post(url).status_code == 403
    trainee.refresh_from_db()
    assert trainee.full_name == "Trần Thị Bích Ngọc"


def test_a_restore_needs_the_csrf_token(organizer, renamed):
    trainee, first = renamed
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    assert client.post(restore_url("trainee", trainee.pk, "trainee", first.history_id)).status_code == 403
    trainee.refresh_from_db()
    assert trainee.full_name == "Trần Thị Bích Ngọc"


def test_restoring_a_trainee_never_links_the_account_a_version_had(organizer_client):
    """An attacker's account linked once by mistake, unlinked since: restoring that version brings
    back the name it had, never the link; fields posted beside it are ignored."""
    attacker = UserFactory(username="attacker@example.net")
    trainee = TraineeFactory(full_name="Lê Thị Hạnh", user=attacker)
    linked = trainee.history.latest()
    trainee.user, trainee.full_name = None, "Lê Thị Hạnh Dung"
    trainee.save()

    response = organizer_client.post(
        restore_url("trainee", trainee.pk, "trainee", linked.history_id), {"user": attacker.pk, "user_id": attacker.pk}
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert (trainee.full_name, trainee.user_id) == ("Lê Thị Hạnh", None)
    assert trainee.history.latest().user_id is None
    assert not Trainee.objects.filter(user=attacker).exists()


def test_restoring_a_version_from_before_the_account_keeps_the_account(organizer_client, trainee):
    """The trainee fixture has an account; its first version already did. One from before any
    account (a record created without, linked later) does not unlink it either."""
    unlinked = TraineeFactory(full_name="Võ Văn Tâm")
    before = unlinked.history.latest()
    account = UserFactory(username="tam.vo@so-tttt.gov.vn")
    unlinked.user, unlinked.full_name = account, "Võ Văn Tám"
    unlinked.save()

    organizer_client.post(restore_url("trainee", unlinked.pk, "trainee", before.history_id))

    unlinked.refresh_from_db()
    assert (unlinked.full_name, unlinked.user) == ("Võ Văn Tâm", account)


def test_a_version_of_another_model_another_object_or_another_page_is_not_found(organizer_client, renamed):
    trainee, first = renamed
    other = TraineeFactory()
    other.phone = "0900 000 000"
    other.save()
    session = SessionFactory()
    own_ids = set(trainee.history.values_list("history_id", flat=True))
    # Each history table counts its own ids (on SQLite from 1): save until the session has a
    # version whose id is not also one of the trainee's, so the forged URL can only match by id.
    for venue in [f"Phòng {n}" for n in range(len(own_ids) + 1)] + ["Phòng 12"]:
        session.venue = venue
        session.save()
    session_version = next(v for v in session.history.all() if v.history_id not in own_ids)
    other_version = next(v for v in other.history.all() if v.history_id not in own_ids)

    for url in [
        restore_url("trainee", trainee.pk, "trainee", session_version.history_id),  # a session's version
        restore_url("trainee", trainee.pk, "trainee", other_version.history_id),  # another trainee's
        restore_url("trainee", trainee.pk, "session", session_version.history_id),  # a kind the page has not
        restore_url("session", session.pk, "trainee", first.history_id),
        restore_url("trainee", trainee.pk, "account", first.history_id),  # no such kind
        restore_url("trainee", 987654321, "trainee", first.history_id),  # no such trainee
        restore_url("trainee", trainee.pk, "trainee", 2**63),  # an id beyond the column's range
    ]:
        assert organizer_client.get(url).status_code == 404, url
        assert organizer_client.post(url).status_code == 404, url
    session.refresh_from_db()
    other.refresh_from_db()
    assert (session.venue, other.phone) == ("Phòng 12", "0900 000 000")
    assert organizer_client.get(reverse("history:session", args=[987654321])).status_code == 404
