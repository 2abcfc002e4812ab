"""Production settings, the demo seed, credentials kept in the outbox and feeds of closed accounts."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from egovexperts.notifications import delivery
from egovexperts.notifications.models import OutboundMessage

ROOT = Path(settings.BASE_DIR)


def _production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow async-unsafe calls in this process; a deployment never does.
        if key not in {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "TRUSTED_PROXY_COUNT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="egov.example.org",
        DATABASE_URL="sqlite:///:memory:",
        **extra,
    )
    return env


def test_the_deployment_check_finds_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# Headers are under test, not the hashed static files (collectstatic has not run here).
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client(HTTP_HOST="egov.example.org")
plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
language = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
forged = Client(HTTP_HOST="egov.example.org", HTTP_X_FORWARDED_PROTO="https").get("/accounts/login/")
cookies = {**page.cookies, **language.cookies}
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "forged": forged.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "csp": page.get("Content-Security-Policy", ""),
    "cookies": {name: {"secure": bool(c["secure"]), "samesite": c["samesite"]} for name, c in cookies.items()},
}))
"""


def _probe(**env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=_production_env(DJANGO_SETTINGS_MODULE="egovexperts.settings", **env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_to_https_with_hsts_a_strict_policy_and_secure_cookies():
    seen = _probe()

    assert seen["plain"] == [301, "https://egov.example.org/accounts/login/"]
    # No proxy declared: a client cannot pretend it came over HTTPS.
    assert seen["forged"] == 301
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"] and "unsafe-inline" not in seen["csp"]
    assert "frame-ancestors 'none'" in seen["csp"]
    assert set(seen["cookies"]) >= {"csrftoken", "django_language"}
    for name, cookie in seen["cookies"].items():
        assert cookie == {"secure": True, "samesite": "Lax"}, name


def test_behind_a_declared_proxy_its_https_header_is_believed_and_redirects_can_be_left_to_it():
    seen = _probe(TRUSTED_PROXY_COUNT="1", SECURE_SSL_REDIRECT="false")

    assert seen["plain"][0] == 200
    assert seen["forged"] == 200


@pytest.mark.django_db
def test_pages_carry_a_policy_that_allows_no_inline_script_or_style(client):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_the_demo_refuses_to_seed_a_production_database_without_force(settings, capsys):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()

    call_command("seed_demo", force=True)
    assert get_user_model().objects.filter(is_superuser=True).exists()


def _links(text):
    return re.findall(r"/accounts/password/reset/key/[^\s\"<]+", text)


@pytest.mark.django_db
def test_a_delivered_invitation_leaves_no_usable_link_in_the_outbox(organizer_client, client, trainee):
    organizer_client.post(reverse("portal:organizer-invitation-resend", args=[trainee.pk]))
    message = OutboundMessage.objects.get(kind="invitation")
    assert _links(json.dumps(message.secret_context))  # waiting: the worker needs it

    delivery.deliver(message.pk)

    [link] = _links(mail.outbox[-1].body)
    row = json.dumps(list(OutboundMessage.objects.filter(pk=message.pk).values()), default=str)
    assert "/accounts/password/reset/key/" not in row
    assert link.split("/key/")[1].rstrip("/") not in row
    # The mail's link itself still works for its owner.
    assert client.get(link, follow=True).status_code == 200


@pytest.mark.django_db
def test_a_reset_link_given_up_after_failures_is_erased_too(client, trainee, settings):
    settings.EMAIL_BACKEND = "tests.security.test_production.BrokenBackend"
    client.post(reverse("account_reset_password"), {"email": trainee.email})
    message = OutboundMessage.objects.get(kind="password_reset")

    for _ in range(delivery.MAX_ATTEMPTS):
        OutboundMessage.objects.filter(pk=message.pk).update(due_at=message.created_at)
        delivery.deliver(message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert message.secret_context == {} and "path" not in message.context


class BrokenBackend:
    """A mail server that refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.mark.django_db
def test_the_calendar_feed_of_a_deactivated_account_answers_404(client, trainee):
    url = reverse("portal:calendar-feed", args=[trainee.calendar_token])
    assert client.get(url).status_code == 200

    trainee.user.is_active = False
    trainee.user.save()

    response = client.get(url)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content
