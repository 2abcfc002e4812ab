"""/healthz: the process answers. /readyz: database, broker and migrations, or 503 with the reason."""

import json

import pytest
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from egovexperts.core.health import check_database, migrations_on_disk


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")  # no database access is allowed in this test
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_answers_200_when_database_broker_and_migrations_are_ready(client, django_assert_num_queries):
    # the "SELECT 1" and the applied migrations; the broker costs no query
    with django_assert_num_queries(2):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
    }


@pytest.mark.django_db
def test_readyz_answers_503_naming_an_unapplied_migration(client):
    app, name = max(key for key, _replaces in migrations_on_disk() if key[0] == "courses")
    MigrationRecorder(connections["default"]).record_unapplied(app, name)  # rolled back with the test
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == f"1 unapplied migration(s): {app}.{name}"
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["broker"] == "broker unreachable (ConnectionError)"


@pytest.mark.django_db
def test_readyz_answers_503_when_the_file_broker_folder_is_missing(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["broker"] == "broker folder missing or read-only"


@pytest.mark.django_db
def test_the_database_check_reports_a_database_that_cannot_be_reached(tmp_path):
    default = connections["default"]
    name = str(tmp_path / "no-such-folder" / "db.sqlite3") if default.vendor == "sqlite" else "egov_no_such_database"
    unreachable = type(default)({**default.settings_dict, "NAME": name}, alias="unreachable")
    try:
        assert check_database(unreachable) == "database unreachable (OperationalError)"
    finally:
        unreachable.close()
    assert check_database(default) is None


@pytest.mark.django_db
def test_probes_in_plain_http_are_not_redirected_to_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import runpy

    from django.conf import settings

    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:9123"
    assert config["workers"] == 3
    assert config["forwarded_allow_ips"] == "10.0.0.5"
    assert config["accesslog"] == "-"
