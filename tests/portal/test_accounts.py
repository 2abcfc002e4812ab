"""Login, password reset and invitations (django-allauth with the project's settings)."""

import re

from django.core import mail
from django.urls import reverse

from egovexperts.notifications import delivery
from egovexperts.notifications.models import OutboundMessage
from tests.factories import TraineeFactory
from trainees.accounts import invite_trainee

PASSWORD = "correct horse battery staple"


def _log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_trainee_logs_in_by_email_and_lands_on_the_schedule(client, trainee):
    response = _log_in(client, trainee.email, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse("portal:schedule")


def test_login_is_refused_after_too_many_failures_even_with_the_right_password(client, trainee):
    for _ in range(5):
        assert _log_in(client, trainee.email, "wrong password").status_code == 200

    response = _log_in(client, trainee.email, PASSWORD)

    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode() or response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, trainee):
    known = client.post(reverse("account_reset_password"), {"email": trainee.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert _without_csrf(client.get(known["Location"])) == _without_csrf(client.get(unknown["Location"]))
    # Only the real account holder is sent a reset link, through the outbox; nothing goes to others.
    (message,) = OutboundMessage.objects.all()
    assert (message.kind, message.recipient) == ("password_reset", trainee.email)
    assert delivery.render(message).body.count("/password/reset/key/") == 1
    assert mail.outbox == []


def test_a_reset_link_is_mailed_by_the_worker_in_the_language_of_the_page(client, trainee, settings):
    settings.SITE_URL = "http://testserver"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"  # the page is in Vietnamese
    client.post(reverse("account_reset_password"), {"email": trainee.email})
    (message,) = OutboundMessage.objects.filter(kind="password_reset")
    assert message.language == "vi"

    delivery.deliver(message.pk)

    (sent,) = mail.outbox
    assert "mật khẩu" in sent.subject
    link = re.search(r"http://testserver(/\S+)", sent.body).group(1)
    response = client.post(link, follow=True)  # allauth moves the key into the session
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    changed = client.post(form_url, {"password1": "a new Passw0rd!", "password2": "a new Passw0rd!"})
    assert changed.status_code == 302
    assert _log_in(client, trainee.email, "a new Passw0rd!").status_code == 302


def _without_csrf(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def test_an_invited_trainee_sets_a_password_from_the_emailed_link_and_logs_in(client, db, settings):
    settings.SITE_URL = "http://testserver"
    trainee = TraineeFactory(email="moi@example.org")
    invite_trainee(trainee)
    (message,) = OutboundMessage.objects.filter(kind="invitation", recipient="moi@example.org")

    delivery.deliver(message.pk)

    (email,) = mail.outbox
    link = re.search(r"http://testserver(\S+)", email.body).group(1)
    set_password_page = client.get(link, follow=True)
    assert set_password_page.status_code == 200
    new_password = "Mật khẩu mới thật dài 2026"
    response = client.post(
        set_password_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    client.logout()
    assert _log_in(client, "moi@example.org", new_password).status_code == 302


def test_an_organizer_resends_an_invitation(organizer_client, trainee):
    response = organizer_client.post(reverse("portal:organizer-invitation-resend", args=[trainee.pk]))

    assert response.status_code == 302
    assert OutboundMessage.objects.filter(kind="invitation", recipient=trainee.email).count() == 1


def test_the_accounts_list_shows_who_was_invited(organizer_client, trainee):
    invite_trainee(trainee)
    page = organizer_client.get(reverse("portal:organizer-invitations")).content.decode()
    assert trainee.email in page


def _accounts_queries(client, django_assert_num_queries):
    # 1 session, 2 user, 3 organizer group, 4 count, 5 page of trainees with user and last
    # invitation, 6 trainee record of the user (navigation).
    with django_assert_num_queries(6):
        assert client.get(reverse("portal:organizer-invitations")).status_code == 200


def test_the_accounts_page_takes_the_same_queries_for_3_or_30_trainees(organizer_client, django_assert_num_queries):
    for trainee in TraineeFactory.create_batch(3):
        invite_trainee(trainee)
    _accounts_queries(organizer_client, django_assert_num_queries)
    for trainee in TraineeFactory.create_batch(27):
        invite_trainee(trainee)
    _accounts_queries(organizer_client, django_assert_num_queries)
