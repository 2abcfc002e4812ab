"""The first thing a newcomer does: sign in with a printed demo login and find the cohort."""

from tests.browser.conftest import log_in, screenshot


def test_demo_organizer_signs_in_and_sees_the_cohort(live_server, vietnamese_page, demo_data):
    page = vietnamese_page
    organizer = demo_data["organizer"]
    log_in(page, live_server, organizer.email, organizer.password)
    page.goto(f"{live_server.url}/cohorts/")
    page.get_by_role("link", name="Khóa 2020").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Khóa 2020").is_visible()
    rows = page.locator("table tbody tr")
    assert rows.count() == 102  # 100 nominated in 2020 and two who replaced those who left
    assert page.get_by_text("Chương trình đào tạo 100 chuyên gia Chính phủ điện tử").first.is_visible()
    screenshot(page, "demo-cohort")


def test_a_wrong_password_keeps_the_user_out(live_server, page, demo_data):
    log_in(page, live_server, demo_data["organizer"].email, "not-the-password")
    assert "/accounts/login/" in page.url
    page.goto(f"{live_server.url}/cohorts/")
    assert "/accounts/login/" in page.url
