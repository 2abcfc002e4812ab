"""The Content-Security-Policy allows no inline script or style: pages, the admin and their
behaviours (htmx, the small app.js) must work under it without a single violation."""

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in, screenshot
from tests.factories import CohortFactory, CourseFactory
from tests.test_navigation import ORGANIZER_PAGES, TRAINEE_PAGES

PASSWORD = "correct horse battery staple"  # tests/factories.py
ADMIN_PAGES = [
    "admin:index",
    "admin:trainees_trainee_changelist",
    "admin:trainees_trainee_add",
    "admin:courses_material_add",
]


def _watch(page) -> list[str]:
    """Every refusal the browser reports: CSP violations land in the console, script errors as page errors."""
    problems = []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _visit(page, live_server, names) -> None:
    for name in names:
        response = page.goto(f"{live_server.url}{reverse(name)}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, name
        assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("persona", "pages"), [("admin_user", ORGANIZER_PAGES + ADMIN_PAGES), ("trainee", TRAINEE_PAGES)]
)
def test_no_page_breaks_the_content_policy(live_server, page, request, persona, pages):
    problems = _watch(page)
    log_in(page, live_server, request.getfixturevalue(persona).email, PASSWORD)

    _visit(page, live_server, pages)

    assert problems == []


def test_behaviours_moved_out_of_inline_script_still_work(live_server, page, admin_user, trainee):
    problems = _watch(page)
    first, second = CohortFactory(name="Khóa 2020"), CohortFactory(name="Khóa 2026")
    CourseFactory(cohort=second, title="Điện toán đám mây")
    log_in(page, live_server, admin_user.email, PASSWORD)

    page.goto(f"{live_server.url}{reverse('courses:curriculum')}?cohort={first.pk}")
    page.select_option("select[name=cohort]", str(second.pk))  # submits by itself (data-submit-on-change)
    page.wait_for_url(f"**cohort={second.pk}")
    assert "Điện toán đám mây" in page.locator("main").inner_text()
    screenshot(page, "content-policy-curriculum")
    assert problems == []
