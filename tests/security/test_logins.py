"""Logins as an attacker tries them: guessing through the admin's login page, guessing from
behind the same proxy as everyone else, and choosing a weak password from an invitation.

The failed-login limits live in the cache, which tests/conftest.py empties around each test."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from egovexperts.notifications import delivery
from egovexperts.notifications.models import OutboundMessage
from tests.factories import TraineeFactory
from trainees.accounts import invite_trainee

PASSWORD = "correct horse battery staple"  # the factories' password
PROXY = "10.0.0.1"


def _log_in(client, email, password, *, client_ip=None, url=None):
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip} if client_ip else {}
    return client.post(url or reverse("account_login"), {"login": email, "password": password}, **headers)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- One login page, rate-limited -----------------------------------------------------


def test_the_admin_login_page_sends_to_the_login_page_and_keeps_next(client, db):
    response = client.get("/admin/login/?next=/admin/trainees/trainee/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Ftrainees%2Ftrainee%2F"


def test_the_admin_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


def test_guessing_the_superuser_password_on_the_admin_login_page_is_stopped(client, admin_user):
    login_page = client.get("/admin/login/?next=/admin/", follow=True)
    form_url = login_page.request["PATH_INFO"] + "?" + login_page.request["QUERY_STRING"]
    for _ in range(6):
        _log_in(client, "admin@example.org", "wrong password", url=form_url)

    right = _log_in(client, "admin@example.org", PASSWORD, url=form_url)
    posted_to_admin = _log_in(client, "admin@example.org", PASSWORD, url="/admin/login/?next=/admin/")

    assert "Too many failed login attempts" in right.content.decode()
    assert posted_to_admin.status_code == 302 and posted_to_admin["Location"].startswith("/accounts/login/")
    assert not _signed_in(client)


def test_the_superuser_signs_in_to_the_admin_through_the_login_page(client, admin_user):
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "admin@example.org", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[0][0] == "/admin/"
    assert response.status_code == 200
    assert _signed_in(client)
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_a_signed_in_trainee_is_refused_the_admin_instead_of_sent_round_in_circles(trainee_client):
    response = trainee_client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


# --- Behind a reverse proxy -------------------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_behind_the_proxy_one_client_guessing_does_not_lock_out_another(client, trainee, behind_one_proxy):
    for number in range(6):
        _log_in(client, f"nobody{number}@example.org", "guess", client_ip="203.0.113.5")
    locked = _log_in(client, trainee.email, PASSWORD, client_ip="203.0.113.5")
    assert "Too many failed login attempts" in locked.content.decode()
    assert not _signed_in(client)

    response = _log_in(client, trainee.email, PASSWORD, client_ip="198.51.100.7")

    assert response.status_code == 302
    assert _signed_in(client)


def test_behind_the_proxy_an_account_stays_locked_whatever_address_the_guesses_come_from(
    client, trainee, behind_one_proxy
):
    for number in range(5):
        _log_in(client, trainee.email, "guess", client_ip=f"203.0.113.{number + 10}")

    response = _log_in(client, trainee.email, PASSWORD, client_ip="198.51.100.7")

    assert "Too many failed login attempts" in response.content.decode()
    assert not _signed_in(client)


def test_a_forwarded_for_header_shorter_than_the_proxy_chain_is_counted_against_its_sender(client, trainee, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    for number in range(6):
        _log_in(client, f"nobody{number}@example.org", "guess", client_ip=f"203.0.113.{number + 10}")

    response = _log_in(client, trainee.email, PASSWORD, client_ip="198.51.100.7")

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not _signed_in(client)


def test_without_a_declared_proxy_a_forged_forwarded_for_header_escapes_no_limit(client, trainee, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for number in range(6):
        _log_in(client, f"nobody{number}@example.org", "guess", client_ip=f"203.0.113.{number + 10}")

    response = _log_in(client, trainee.email, PASSWORD, client_ip="198.51.100.7")

    assert "Too many failed login attempts" in response.content.decode()
    assert not _signed_in(client)


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "egovexperts.settings"}
    read = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**env, **extra},
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for extra in ({"TRUSTED_PROXY_COUNT": "1"}, {"TRUSTED_PROXY_COUNT": "0"})
    ]
    assert read == ["1", "0"]


# --- Choosing a password ------------------------------------------------------------------


def _set_password_page(client, trainee):
    invite_trainee(trainee)
    (message,) = OutboundMessage.objects.filter(kind="invitation")
    link = re.search(r"/accounts/password/reset/key/\S+", delivery.render(message).body).group(0)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    return page.redirect_chain[-1][0] if page.redirect_chain else link


@pytest.mark.parametrize("weak", ["123456", "lan.vu@example.org", "password123", "Lan2026!"])
def test_an_invited_trainee_cannot_choose_a_weak_password(client, db, weak):
    trainee = TraineeFactory(email="lan.vu@example.org")
    form_url = _set_password_page(client, trainee)

    response = client.post(form_url, {"password1": weak, "password2": weak})

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    trainee.user.refresh_from_db()
    assert not trainee.user.has_usable_password()
    assert _log_in(client, "lan.vu@example.org", weak).status_code == 200
    assert not _signed_in(client)


def test_an_invited_trainee_sets_a_long_password_from_the_same_page(client, db):
    trainee = TraineeFactory(email="lan.vu@example.org")
    form_url = _set_password_page(client, trainee)

    response = client.post(form_url, {"password1": "ba con mèo trèo cây cau", "password2": "ba con mèo trèo cây cau"})

    assert response.status_code == 302
    trainee.user.refresh_from_db()
    assert trainee.user.check_password("ba con mèo trèo cây cau")
