"""Every URL pattern of the URLconf × every persona: who may open what.

The URL list is read from the resolver, so a new URL fails `test_every_url_is_classified`
until its author says below who may use it.
"""

import datetime
import fnmatch
import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone

from egovexperts.notifications.models import OutboundMessage
from tests.factories import (
    AbsenceNoticeFactory,
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    MaterialFactory,
    PostChangeRequestFactory,
    ProgrammeFactory,
    SessionFactory,
    TraineeFactory,
    UserFactory,
)

PUBLIC = "public"  # anyone
LOGIN = "login"  # any signed-in user
TRAINEE = "trainee"  # signed-in trainees
ORGANIZER = "organizer"  # organizers and admins
ADMIN = "admin"  # the Django admin: staff with model permissions, superusers
TOKEN = "token"  # a secret in the URL is the access check (calendar feeds): not walked here

# Who may use each URL: by "namespace:name", then by namespace, then (outside any namespace)
# by name, shell-style patterns allowed. Every URL must match an entry.
ACCESS = {
    "reports": ORGANIZER,
    "cohorts": ORGANIZER,
    "courses": ORGANIZER,
    "trainees": ORGANIZER,
    "imports": ORGANIZER,
    "notifications": ORGANIZER,
    "history": ORGANIZER,
    "portal": TRAINEE,  # except names starting with "organizer-": ORGANIZER
    "portal:library": PUBLIC,
    "portal:material-download": PUBLIC,  # each material answers 404 unless the library shows it
    "library": PUBLIC,
    "calendar": TOKEN,
    "admin": ADMIN,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "home": LOGIN,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "set_language": PUBLIC,
    "account_*": PUBLIC,
}

WORLD_ID = 900_000_001  # every object of the test world has this id
MISSING_ID = 900_000_999


@dataclass(frozen=True)
class Route:
    namespace: str | None
    name: str
    converters: dict  # keyword -> converter class name ("IntConverter") or "regex"

    @property
    def full_name(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name


def routes() -> list[Route]:
    found = []

    def walk(patterns, namespace, converters):
        for pattern in patterns:
            own = dict(converters)
            own.update({key: type(value).__name__ for key, value in getattr(pattern.pattern, "converters", {}).items()})
            regex_groups = re.findall(r"\(\?P<(\w+)>", str(pattern.pattern))
            own.update({key: "regex" for key in regex_groups if key not in own})
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, inner, own)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append(Route(namespace, pattern.name, own))

    walk(get_resolver().url_patterns, None, {})
    return found


def access_of(route: Route) -> str | None:
    if "token" in route.converters:
        return TOKEN
    if route.full_name in ACCESS:
        return ACCESS[route.full_name]
    if route.namespace == "portal" and route.name.startswith("organizer-"):
        return ORGANIZER
    if route.namespace:
        return ACCESS.get(route.namespace.split(":")[0])
    for pattern, access in ACCESS.items():
        if ":" not in pattern and fnmatch.fnmatchcase(route.name, pattern):
            return access
    return None


def _candidates(converter: str, object_id: int) -> list:
    if converter == "UUIDConverter":
        return [uuid.UUID(int=object_id)]
    if converter == "IntConverter":
        return [object_id]
    # str, slug, path and regex groups: the id first, then values some regexes demand
    from django.apps import apps

    return [str(object_id), "x", *[config.label for config in apps.get_app_configs()]]


def url_of(route: Route, object_id: int) -> str | None:
    """The route's URL with every argument filled with `object_id` (or a value its regex accepts)."""
    kwargs = {}
    for key, converter in route.converters.items():
        kwargs[key] = _candidates(converter, object_id)
    choices = [{}]
    for key, values in kwargs.items():
        choices = [{**choice, key: value} for choice in choices for value in values][:200]
    for choice in choices:
        try:
            return reverse(route.full_name, kwargs=choice)
        except NoReverseMatch:
            continue
    return None


def urls(object_id: int = WORLD_ID):
    """(route, access, url) of every URL walked by these tests."""
    for route in routes():
        access = access_of(route)
        if access in (None, TOKEN):
            continue
        url = url_of(route, object_id)
        if url is not None:
            yield route, access, url


@pytest.fixture
def world(db, trainee):
    """One object of each kind, all with id WORLD_ID, so that every `<int:...>` URL finds one."""
    user = UserFactory(id=WORLD_ID)
    person = TraineeFactory(id=WORLD_ID, user=user, email=user.email)
    cohort = CohortFactory(id=WORLD_ID, programme=ProgrammeFactory(id=WORLD_ID, code="world"))
    EnrolmentFactory(id=WORLD_ID, cohort=cohort, trainee=person)
    EnrolmentFactory(cohort=cohort, trainee=trainee)
    course = CourseFactory(id=WORLD_ID, cohort=cohort)
    start = timezone.now() - datetime.timedelta(days=1)
    session = SessionFactory(id=WORLD_ID, course=course, starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    AttendanceFactory(id=WORLD_ID, session=session, trainee=person)
    MaterialFactory(id=WORLD_ID, course=course, session=session)
    AbsenceNoticeFactory(id=WORLD_ID, session=session, trainee=trainee)
    AssignmentFactory(id=WORLD_ID, trainee=person)
    CommitmentFactory(id=WORLD_ID, trainee=person)
    PostChangeRequestFactory(id=WORLD_ID, trainee=trainee)
    OutboundMessage.objects.create(id=WORLD_ID, kind="session_changed", recipient=person.email, key="w", due_at=start)
    return session


def test_every_url_is_classified():
    unclassified = sorted({route.full_name for route in routes() if access_of(route) is None})
    assert not unclassified, f"Say in ACCESS who may use: {unclassified}"


def _denied(response, method: str) -> bool:
    """Sent to log in; a POST-only URL may refuse a GET before looking at the user."""
    if method == "get" and response.status_code == 405:
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def _walk(client, user=None, methods=("get", "post"), object_id=WORLD_ID):
    """Request every URL; the user is logged in again before each (some URLs log out)."""
    for route, access, url in urls(object_id):
        for method in methods:
            if user is not None:
                client.force_login(user)
            yield route, access, url, method, getattr(client, method)(url)


def test_anonymous_users_are_sent_to_log_in_everywhere_but_public_pages(world, client):
    wrong = [
        (url, method, response.status_code)
        for route, access, url, method, response in _walk(client)
        if access in (LOGIN, TRAINEE, ORGANIZER, ADMIN) and not _denied(response, method)
    ]
    assert not wrong


def test_trainees_get_403_on_organizer_urls_and_no_admin_page(world, client, trainee):
    wrong = []
    for _route, access, url, method, response in _walk(client, trainee.user):
        if access == ORGANIZER and not (
            response.status_code == 403 or (method == "get" and response.status_code == 405)
        ):
            wrong.append((url, method, response.status_code))
        if access == ADMIN and response.status_code == 200:
            wrong.append((url, method, response.status_code))
        if access == TRAINEE and response.status_code in (403, 500):
            wrong.append((url, method, response.status_code))
    assert not wrong


def test_organizers_open_every_organizer_page(world, client, organizer):
    wrong = [
        (url, response.status_code)
        for route, access, url, method, response in _walk(client, organizer, methods=("get",))
        if access == ORGANIZER and response.status_code in (401, 403, 500)
    ]
    assert not wrong


def test_admins_open_every_organizer_page_and_the_admin(world, client, admin_user):
    wrong = [
        (url, response.status_code)
        for route, access, url, method, response in _walk(client, admin_user, methods=("get",))
        if (access == ORGANIZER and response.status_code in (401, 403, 500))
        or (access == ADMIN and response.status_code == 500)
    ]
    assert not wrong


def test_missing_ids_are_not_found_for_organizers(world, client, organizer):
    wrong = [
        (url, response.status_code)
        for route, access, url, method, response in _walk(client, organizer, ("get",), MISSING_ID)
        if access == ORGANIZER and route.converters and response.status_code in (200, 403, 500)
    ]
    assert not wrong


def test_missing_ids_of_the_workspace_are_a_404(world, client, organizer):
    wrong = [
        (url, response.status_code)
        for route, access, url, method, response in _walk(client, organizer, ("get", "post"), MISSING_ID)
        if route.namespace in ("cohorts", "courses", "trainees", "reports", "notifications", "history")
        and route.converters
        and response.status_code != 404
        and not (method == "get" and response.status_code == 405)  # POST-only URLs
    ]
    assert not wrong
