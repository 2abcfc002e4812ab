"""Control characters in any input (URL parts, query strings, form fields) get a clear 400, never
a 500: PostgreSQL refuses a NUL in a query parameter, so a `%00` that reached a query was a
server error (`/calendar/abc%00def.ics`, to anyone). Run these on PostgreSQL too."""

from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session as LoginSession
from django.urls import NoReverseMatch, reverse

from tests.test_access_matrix import WORLD_ID, _candidates, routes, world  # noqa: F401 (fixture)

PERSONAS = ["anonymous", "trainee", "organizer"]
QUERIES = ["?q=%00", "?q=nguyen%00van&page=1", "?q=a%01b", "?cohort=%00&status=%1b"]
WRITTEN_APPS = ("trainees", "cohorts", "courses", "imports", "notifications", "account", "admin")


def _kwargs(route) -> dict | None:
    """Arguments the route's URL accepts, every id being WORLD_ID (as tests/test_access_matrix.py fills them)."""
    choices = [{}]
    for key, converter in route.converters.items():
        choices = [{**choice, key: value} for choice in choices for value in _candidates(converter, WORLD_ID)][:200]
    for choice in choices:
        try:
            reverse(route.full_name, kwargs=choice)
        except NoReverseMatch:
            continue
        return choice
    return None


def nul_urls(route) -> list[str]:
    """The route's URL with a NUL in each path parameter (at the end of a path without any),
    then the plain URL with NULs and other control characters in its query string."""
    kwargs = _kwargs(route)
    if kwargs is None:
        return []
    url = reverse(route.full_name, kwargs=kwargs)
    paths = [] if kwargs else [f"{url}%00"]
    for key, value in kwargs.items():
        try:  # `<str:...>` and `<path:...>` take a NUL as it is
            paths.append(reverse(route.full_name, kwargs={**kwargs, key: f"{value}\x00x"}))
        except NoReverseMatch:  # the others do not: put it beside the value
            text = quote(str(value))
            paths.append(url.replace(f"/{text}", f"/{text}%00", 1) if f"/{text}" in url else f"{url}%00")
    return [*paths, *(url + query for query in QUERIES)]


def _log_in(client, persona, request):
    if persona != "anonymous":
        user = request.getfixturevalue(persona)
        client.force_login(getattr(user, "user", user))


def fingerprint() -> dict:
    """Every row of the project's tables, and of allauth's and the admin log: equal means nothing written."""
    models = [model for model in apps.get_models() if model._meta.app_label in WRITTEN_APPS]
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in models}


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_url_answers_500_to_control_characters_in_its_path_or_query(client, persona, request):
    client.raise_request_exception = False
    _log_in(client, persona, request)
    answers = {url: client.get(url).status_code for route in routes() for url in nul_urls(route)}
    assert len(answers) > 300  # every route of the URLconf, admin included
    assert not {url: status for url, status in answers.items() if not 400 <= status < 500}


def test_a_calendar_token_with_a_nul_is_a_bad_request(client, db):
    response = client.get("/calendar/abc%00def.ics")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "control characters" in response.content.decode()


def test_the_refusal_is_in_the_language_the_visitor_chose(client, db, settings):
    settings.LANGUAGE_CODE = "vi"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English chosen (the browser's language is not read)
    english = client.get("/library/?q=%00")
    assert english.status_code == 400
    assert "control characters" in english.content.decode()


def test_tabs_and_line_breaks_in_fields_are_not_control_characters_to_refuse(organizer_client):
    assert organizer_client.get(reverse("trainees:trainee-list") + "?q=nguyen%09van").status_code == 200


FORMS = [
    # (persona, URL name, arguments, data): each a form that writes when its data is valid
    ("organizer", "cohorts:cohort-create", [], {"name": "Khóa\x00 2026", "code": "k2026", "starts_on": "2026-06-01"}),
    ("organizer", "courses:course-create", [], {"code": "X\x00", "title": "Kiến trúc", "year": "2026"}),
    ("organizer", "cohorts:enrolment-create", [WORLD_ID], {"trainee": "\x00@example.org", "enrolled_on": "2026-06-01"}),
    ("trainee", "portal:post-change-request", [], {"position": "Giám đốc\x00", "starts_on": "2026-06-01"}),
    ("trainee", "portal:absence-notice", [WORLD_ID], {"reason": "Ốm\x00"}),
    ("organizer", "courses:attendance-record", [WORLD_ID, WORLD_ID], {"status": "late", "note": "\x00"}),
    ("anonymous", "account_login", [], {"login": "organizer@example.org\x00", "password": "x\x00"}),
    ("anonymous", "account_reset_password", [], {"email": "organizer@example.org\x00"}),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("persona, name, args, data", FORMS, ids=[form[1] for form in FORMS])
def test_a_form_posted_with_a_nul_is_refused_and_writes_nothing(client, persona, name, args, data, request):
    client.raise_request_exception = False
    _log_in(client, persona, request)
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"{name} takes other arguments")
    before = fingerprint()
    response = client.post(url, data)
    assert 400 <= response.status_code < 500
    assert fingerprint() == before
    if persona == "anonymous":
        assert not LoginSession.objects.exists()


@pytest.mark.usefixtures("world")
def test_a_nul_in_a_form_field_name_is_refused(organizer_client):
    before = fingerprint()
    response = organizer_client.post(reverse("cohorts:cohort-create"), {"name\x00": "Khóa 2026", "code": "k2026"})
    assert response.status_code == 400
    assert fingerprint() == before
