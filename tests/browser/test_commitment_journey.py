"""An organizer records a transfer that breaks a commitment: the form warns, the organizer
confirms, and the tracker, the coverage page and the delivery log show the change."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from egovexperts.celery_app import app
from tests.browser.conftest import ARTIFACTS, log_in, screenshot
from trainees.models import Agency, RetentionCommitment
from trainees.selectors import commitments_with_status


@pytest.fixture
def eager_worker():
    """The worker runs in the page's process: the alert is delivered before the next page."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def _running_commitment(slug: str) -> RetentionCommitment:
    """A commitment of the agency still running, whose trainee holds a post there today."""
    commitments = RetentionCommitment.objects.filter(agency__slug=slug).order_by("ends_on", "pk")
    for commitment in commitments_with_status(commitments):
        post = commitment.trainee.assignments.filter(ends_on__isnull=True).first()
        if commitment.evaluation.status in ("active", "ending_soon") and post and post.agency.slug == slug:
            return commitment
    raise AssertionError(f"the demo has no running commitment of {slug}")


def _count(page) -> int:
    return int(re.match(r"\d+", page.locator("[data-figure=commitments]").inner_text()).group())


def _coverage(page, slug: str) -> dict[str, int]:
    """The figures of one agency's row on the coverage page."""
    row = page.locator(f"tr[data-agency='{slug}']")
    return {name: int(row.locator(f"[data-figure={name}]").inner_text()) for name in ("experts", "active", "broken")}


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def _fill_transfer(page, agency: Agency, day) -> None:
    page.select_option("select[name=agency]", str(agency.pk))
    page.fill("input[name=starts_on]", f"{day:%Y-%m-%d}")
    page.locator("input[name=starts_on]").dispatch_event("change")
    page.fill("input[name=position]", "Phó Vụ trưởng Vụ Kế hoạch – Tài chính")
    page.select_option("select[name=reason]", "transferred")


def test_a_transfer_that_breaks_a_commitment_is_confirmed_and_shows_everywhere(
    live_server, page, vietnamese_phone, demo_data, eager_worker
):
    organizer = demo_data["organizer"]
    commitment = _running_commitment("bo-y-te")
    trainee = commitment.trainee
    finance = Agency.objects.get(slug="bo-tai-chinh")
    today = timezone.localdate()
    days_left = (commitment.ends_on - today).days
    tracker = f"{live_server.url}{reverse('reports:commitments')}"

    problems = []  # refusals of the Content-Security-Policy (console) and script errors
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, organizer.email, organizer.password)
    page.goto(f"{tracker}?status=broken")
    broken_before = _count(page)
    assert page.locator(f"tr[data-commitment='{commitment.pk}']").count() == 0
    page.goto(f"{live_server.url}{reverse('notifications:message-list')}")
    assert page.locator("tbody tr", has_text=trainee.full_name).count() == 0
    coverage = f"{live_server.url}{reverse('reports:coverage')}"
    page.goto(coverage)
    health_before, finance_before = _coverage(page, "bo-y-te"), _coverage(page, "bo-tai-chinh")

    # From the trainee's page to the form.
    page.goto(f"{live_server.url}{reverse('trainees:trainee-detail', args=[trainee.pk])}")
    page.get_by_role("button", name="Record a post change").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == "Record a post change"

    # The form says what the transfer breaks as soon as agency and date are chosen.
    _fill_transfer(page, finance, today)
    warning = page.locator("#post-change-verdict .breach")
    warning.wait_for()
    expected = (
        f"This change breaks the commitment of Bộ Y tế, ends {commitment.ends_on:%d/%m/%Y}, {days_left} days left."
    )
    assert warning.inner_text().strip() == expected
    confirm = page.locator("input[name=confirm]")
    assert confirm.is_visible() and not confirm.is_checked()
    _no_sideways_scroll(page, 1280)
    screenshot(page, "commitment-post-change-warning")

    # The browser will not send it unchecked; a request without the box writes nothing (server side).
    page.locator("form.post-change button[type=submit]").click()
    assert page.url.endswith("/post-change/")
    assert trainee.assignments.filter(ends_on__isnull=True).get().agency == commitment.agency

    confirm.check()
    page.locator("form.post-change button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}{reverse('trainees:trainee-detail', args=[trainee.pk])}"
    assert page.locator("article.message").first.inner_text() == "The new post is recorded."
    row = page.locator(f"ol.timeline li[data-commitment='{commitment.pk}']")
    assert row.get_attribute("class") == "broken"
    assert f"broken on {today:%d/%m/%Y}" in row.inner_text()
    screenshot(page, "commitment-profile-timeline")

    # The tracker counts it among the broken ones.
    page.goto(f"{tracker}?status=broken")
    assert _count(page) == broken_before + 1
    row = page.locator(f"tr[data-commitment='{commitment.pk}']")
    assert trainee.full_name in row.inner_text() and f"since {today:%d/%m/%Y}" in row.inner_text()
    _no_sideways_scroll(page, 1280)
    screenshot(page, "commitment-tracker-broken")
    page.goto(tracker)
    _no_sideways_scroll(page, 1280)
    screenshot(page, "commitment-tracker")
    page.screenshot(path=str(ARTIFACTS / "commitment-tracker-first-screen.png"))

    # Coverage today: the ministry lost an expert and an active commitment, and has a broken one more.
    page.goto(coverage)
    health, finance_now = _coverage(page, "bo-y-te"), _coverage(page, "bo-tai-chinh")
    assert health == {
        "experts": health_before["experts"] - 1,
        "active": health_before["active"] - 1,
        "broken": health_before["broken"] + 1,
    }
    assert finance_now["experts"] == finance_before["experts"] + 1
    page.locator("tr[data-agency='bo-y-te']").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "commitment-coverage-after.png"))

    # The alert went out to the programme office.
    page.goto(f"{live_server.url}{reverse('notifications:message-list')}?kind=commitment_broken")
    alert = page.locator("tbody tr", has_text=trainee.full_name).filter(has_text=organizer.email)
    assert alert.count() == 1
    assert alert.locator(".badge").inner_text() == "sent"
    assert "Commitment broken" in alert.inner_text()  # the kind; the mail itself is in its reader's language
    screenshot(page, "commitment-alert-delivered")

    assert problems == []

    # The same pages on a phone, in Vietnamese.
    phone = vietnamese_phone
    log_in(phone, live_server, organizer.email, organizer.password)
    phone.goto(tracker)
    _no_sideways_scroll(phone, 375)
    screenshot(phone, "commitment-tracker-phone")
    phone.screenshot(path=str(ARTIFACTS / "commitment-tracker-phone-first-screen.png"))
    phone.locator("table.tracker tbody tr").first.scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "commitment-tracker-phone-rows.png"))
    other = _running_commitment("ha-giang")  # merged into Tuyên Quang: the rows say both
    phone.goto(f"{live_server.url}{reverse('trainees:trainee-post-change', args=[other.trainee_id])}")
    _fill_transfer(phone, finance, today)
    phone.locator("#post-change-verdict .breach").wait_for()
    _no_sideways_scroll(phone, 375)
    screenshot(phone, "commitment-post-change-warning-phone")
    phone.goto(f"{live_server.url}{reverse('trainees:trainee-detail', args=[other.trainee_id])}")
    phone.locator("ol.timeline").scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "commitment-profile-phone-timeline.png"))
