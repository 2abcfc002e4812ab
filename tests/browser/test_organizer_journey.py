"""An organizer's day: plan a course and a session, take attendance, see the dashboard move."""

import datetime
import re

from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, log_in, screenshot
from trainees.models import Trainee


def _first_screen(page, name: str) -> None:
    """What the user sees without scrolling, beside the full-page screenshot."""
    screenshot(page, name)
    page.screenshot(path=str(ARTIFACTS / f"{name}-first-screen.png"))


def _figure(page, name: str) -> str:
    return page.locator(f"[data-figure={name}]").first.inner_text().strip()


def test_organizer_plans_a_session_takes_attendance_and_sees_the_dashboard_change(
    live_server, page, vietnamese_phone, demo_data
):
    organizer = demo_data["organizer"]
    log_in(page, live_server, organizer.email, organizer.password)
    # Organizers land on the dashboard.
    assert page.url.endswith("/reports/dashboard/")
    unrecorded_before = int(_figure(page, "unrecorded"))
    assert unrecorded_before >= 1
    screenshot(page, "organizer-dashboard")

    # The directory finds people without accents.
    page.goto(f"{live_server.url}/trainees/")
    everyone = page.locator("#trainee-rows p.muted").inner_text()
    page.fill("input[name=q]", "nguyen")
    # The rows are replaced in place: wait for the count to change. "nguyen" also finds posts in
    # Thái Nguyên or at the Bộ Tài nguyên và Môi trường, so the rows are those of the search.
    page.wait_for_function(f"() => document.querySelector('#trainee-rows p.muted').innerText != {everyone!r}")
    names = page.locator("#trainee-rows tbody td:first-child").all_inner_texts()
    assert sorted(names) == sorted(trainee.full_name for trainee in Trainee.objects.search("nguyen"))
    assert any(name.startswith("Nguyễn") for name in names)
    _first_screen(page, "organizer-directory")

    # Curriculum -> new course.
    page.goto(f"{live_server.url}/courses/")
    _first_screen(page, "organizer-curriculum")
    page.locator("a[href*='/courses/new/']").click()
    page.fill("input[name=code]", "AI-2026")
    page.fill("input[name=title]", "Trí tuệ nhân tạo trong dịch vụ công")
    page.fill("input[name=year]", "2026")
    page.fill("input[name=required_hours]", "8")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=re.compile("AI-2026")).is_visible()

    # ... and a session of it, in Hanoi time.
    page.locator("a[href*='/sessions/new/']").first.click()
    day = timezone.localdate() + datetime.timedelta(days=9)
    page.fill("input[name=title]", "Buổi mở đầu: AI trong dịch vụ công")
    page.select_option("select[name=kind]", "in_person")
    page.fill("input[name=starts_at]", f"{day:%Y-%m-%d}T19:00")
    page.fill("input[name=ends_at]", f"{day:%Y-%m-%d}T21:00")
    page.fill("input[name=venue]", "Hội trường A, 18 Nguyễn Du, Hà Nội")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Buổi mở đầu: AI trong dịch vụ công").is_visible()
    assert page.get_by_text(f"{day:%d/%m/%Y} 19:00").first.is_visible()

    # Take attendance of the session held without it, listed on the dashboard.
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.locator("#unrecorded a").first.click()
    page.wait_for_load_state("networkidle")
    grid_url = page.url
    unmarked = int(page.locator("[data-count=unmarked]").inner_text())
    assert unmarked > 0
    page.locator("#mark-all").click()
    page.wait_for_function("() => document.querySelector('[data-count=unmarked]').innerText === '0'")
    assert int(page.locator("[data-count=present]").inner_text()) == unmarked
    first_row = page.locator(".att-row").first
    first_row.locator("button[value=absent]").click()
    page.wait_for_function("() => document.querySelector('.att-row').classList.contains('absent')")
    assert int(page.locator("[data-count=absent]").inner_text()) == 1
    _first_screen(page, "organizer-attendance-grid")

    # The dashboard counts one session fewer without attendance.
    page.goto(f"{live_server.url}/reports/dashboard/")
    assert int(_figure(page, "unrecorded")) == unrecorded_before - 1
    assert page.get_by_text("Buổi mở đầu: AI trong dịch vụ công").is_visible()
    screenshot(page, "organizer-dashboard-after")

    # The same grid on a phone in the classroom, in Vietnamese (the longest labels).
    phone_page = vietnamese_phone
    log_in(phone_page, live_server, organizer.email, organizer.password)
    phone_page.goto(grid_url)
    row = phone_page.locator(".att-row").nth(1)
    row.locator("button[value=late]").click()
    phone_page.wait_for_function("() => document.querySelectorAll('.att-row')[1].classList.contains('late')")
    # A note typed and sent with Enter keeps the status.
    row = phone_page.locator(".att-row").nth(1)
    row.locator("input[name=note]").fill("Tắc đường")
    row.locator("input[name=note]").press("Enter")
    phone_page.wait_for_function(
        "() => document.querySelectorAll('.att-row')[1].querySelector('input[name=note]').defaultValue === 'Tắc đường'"
    )
    assert "late" in phone_page.locator(".att-row").nth(1).get_attribute("class")
    # Buttons stay inside the screen: nothing to scroll sideways in the classroom.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    # ... and inside their row's card, every one of them.
    overflowing = phone_page.evaluate(
        """() => [...document.querySelectorAll('.att-row')].slice(0, 3).flatMap(row => {
            const card = row.getBoundingClientRect();
            return [...row.querySelectorAll('.status-buttons button')]
                .filter(button => button.getBoundingClientRect().right > card.right + 0.5)
                .map(button => button.value);
        })"""
    )
    assert overflowing == []
    _first_screen(phone_page, "organizer-attendance-grid-phone")
