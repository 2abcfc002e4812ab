"""No URL answers 500: every page with and without filters, with ids that exist and ids that
do not, with malformed query strings and malformed form posts, as organizer and as admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.test_access_matrix import MISSING_ID, WORLD_ID, routes, url_of, world  # noqa: F401 (fixture)

QUERIES = [
    "",
    # the filters of the list pages, with real values
    f"?q=nguyen+van&cohort={WORLD_ID}&agency_kind=provincial&status=active&page=1",
    # malformed (control characters get a 400 before any view: tests/security/test_control_characters.py)
    "?page=abc&q=%ff&cohort=x&agency=-1&agency_kind=%27;--&status[]=1&kind=zzz&course=1e9999&sort=__class__",
    "?page=99999999999999999999&cohort=&date=31/02/2025&from=2025-13-45",
]


def _junk_post():
    return {
        "title": "x" * 5000,
        "code": "",
        "status": "sleeping",
        "starts_at": "31/02/2025 25:61",
        "ends_at": "yesterday",
        "starts_on": "0000-00-00",
        "enrolled_on": "2025-02-30",
        "on": "-1",
        "capacity": "-5",
        "year": "99999999999",
        "required_hours": "NaN",
        "min_attendance_percent": "250",
        "cohort": "abc",
        "programme": "0",
        "trainee": "nobody",
        "nominated_by": "999999999",
        "session": "-1",
        "url": "javascript:alert(1)",
        "reason": "",
        "note": "\u202e\ufeff" * 200,
        "published": "maybe",
        "upload": SimpleUploadedFile("evil.exe", b"MZ", content_type="application/x-msdownload"),
        "file": SimpleUploadedFile("list.xlsx", b"not a workbook", content_type="text/plain"),
        "kind": "zzz",
    }


def _requests(object_id, *, admin: bool):
    for route in routes():
        if (route.namespace == "admin") != admin:
            continue
        url = url_of(route, object_id)
        if url is None:
            continue
        if not route.converters and object_id == MISSING_ID:
            continue
        for query in QUERIES:
            yield route, "get", url + query, None
        yield route, "post", url, {}
        yield route, "post", url, _junk_post()


def _failures(client, user, *, admin: bool):
    client.raise_request_exception = False
    failures = []
    for object_id in (WORLD_ID, MISSING_ID):
        for route, method, url, data in _requests(object_id, admin=admin):
            client.force_login(user)
            response = client.get(url) if method == "get" else client.post(url, data)
            if response.status_code >= 500:
                failures.append((route.full_name, method, url, response.status_code))
    return failures


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("persona", ["organizer", "admin_user"])
def test_no_url_answers_500(client, persona, request):
    assert not _failures(client, request.getfixturevalue(persona), admin=False)


@pytest.mark.usefixtures("world")
def test_no_admin_url_answers_500(client, admin_user):
    assert not _failures(client, admin_user, admin=True)
