"""Health checks for load balancers and orchestrators.

`/healthz` says the process answers (no database: a database outage must not make every web
process look dead and get restarted). `/readyz` says this process can serve: the database
answers, the Celery broker answers and every migration on disk is applied; otherwise 503 with
the reasons. Both are public and cheap (one query on the migration table, one broker ping), and
exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT) so a balancer may probe in plain HTTP.
"""

import logging
import os
from functools import cache
from urllib.parse import urlsplit

import kombu
import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
BROKER_TIMEOUT = 2  # seconds: a probe must answer well before the balancer gives up on it


def check_database(connection) -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("readyz: database unreachable: %s", error)
        return f"database unreachable ({type(error).__name__})"
    return None


@cache
def migrations_on_disk() -> tuple[tuple[tuple[str, str], tuple], ...]:
    """(app, name) of every migration in the code and the migrations it replaces: read once per
    process, since the code does not change while it runs."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return tuple((key, tuple(graph.nodes[key].replaces or ())) for key in sorted(graph.nodes))


def check_migrations(connection) -> str | None:
    try:
        # The table itself (applied_migrations() first asks whether it exists: one query more).
        applied = set(MigrationRecorder(connection).migration_qs.values_list("app", "name"))
    except DatabaseError as error:
        logger.warning("readyz: migration table unreadable: %s", error)
        return f"migrations unknown ({type(error).__name__})"
    missing = [
        f"{app}.{name}"
        for (app, name), replaces in migrations_on_disk()
        if (app, name) not in applied and not (replaces and all(key in applied for key in replaces))
    ]
    if missing:
        return f"{len(missing)} unapplied migration(s): {', '.join(missing[:5])}"
    return None


def check_broker(url: str | None = None) -> str | None:
    url = url or settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)
            with client:
                client.ping()
        except redis.RedisError as error:
            logger.warning("readyz: broker unreachable: %s", error)
            return f"broker unreachable ({type(error).__name__})"
        return None
    if scheme == "filesystem":
        folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", "")
        if not (folder and os.path.isdir(folder) and os.access(folder, os.W_OK)):
            return "broker folder missing or read-only"
        return None
    try:  # any other transport kombu knows (amqp...)
        with kombu.Connection(url, connect_timeout=BROKER_TIMEOUT) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors
        logger.warning("readyz: broker unreachable: %s", error)
        return f"broker unreachable ({type(error).__name__})"
    return None


def readiness(alias: str = "default") -> dict[str, str]:
    """Name -> "ok" or the reason it is not."""
    connection = connections[alias]
    database = check_database(connection)
    checks = {
        "database": database,
        "migrations": "not checked" if database else check_migrations(connection),
        "broker": check_broker(),
    }
    return {name: reason or "ok" for name, reason in checks.items()}


@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
