"""Personas: admin, organizer, trainee and other_trainee, each with a logged-in client."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import translation

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.core.roles import create_roles
from tests.factories import TraineeFactory, UserFactory
from trainees.models import Agency
from trainees.reference import load_agencies

DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def english(settings):
    """Tests read messages in English; tests/test_i18n.py checks that users get Vietnamese first."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached figures and page fragments of one test never show in the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def reference_data(request):
    """The agencies and the Organizer group migrate creates, present in every test that uses the database.

    Transactional tests (live server, Celery worker) end by emptying every table, reference
    data included; the next test that finds them gone loads them again.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not DATABASE_FIXTURES & names:
        return
    transactional = bool({"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")))
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not Agency.objects.exists():
        load_agencies(Agency)
    create_roles(django_apps)  # the Organizer group, which the same flush removes


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def organizer(db):
    user = UserFactory(username="organizer@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    return user


@pytest.fixture
def trainee(db):
    user = UserFactory(username="trainee@example.org")
    return TraineeFactory(full_name="Trần Thị Bích", email=user.email, user=user)


@pytest.fixture
def other_trainee(db):
    user = UserFactory(username="other@example.org")
    return TraineeFactory(full_name="Lê Văn Cường", email=user.email, user=user)


def _logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    return _logged_in(client, admin_user)


@pytest.fixture
def organizer_client(client, organizer):
    return _logged_in(client, organizer)


@pytest.fixture
def trainee_client(client, trainee):
    return _logged_in(client, trainee.user)
