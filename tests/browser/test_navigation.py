"""The site menu as people see it: one line on a laptop, every page of the workspace one or two
clicks away, and menus that stay on a phone's screen."""

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in, screenshot
from tests.test_navigation import ORGANIZER_PAGES, TRAINEE_PAGES

PASSWORD = "correct horse battery staple"  # tests/factories.py
ONE_LINE = 120  # px: the header is about 104 px high on one line and over 150 on two


def _header(page):
    return page.locator("body > header")


def _assert_on_one_line(page) -> None:
    assert _header(page).bounding_box()["height"] < ONE_LINE
    items = _header(page).locator("nav > ul > li")
    middles = {
        round(box["y"] + box["height"] / 2) for box in (items.nth(i).bounding_box() for i in range(items.count()))
    }
    assert max(middles) - min(middles) <= 4, middles


def _open_menu_holding(page, href: str):
    """Links of a closed dropdown are hidden: open the dropdown first, as a person would."""
    link = _header(page).locator(f"a[href='{href}']")
    if not link.is_visible():
        _header(page).locator("details", has=page.locator(f"a[href='{href}']")).locator("summary").click()
    assert link.is_visible()
    return link


def _follow(page, live_server, href: str) -> None:
    _open_menu_holding(page, href).click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}{href}"
    assert page.locator("main h1").first.is_visible()
    assert _header(page).locator(f"a[href='{href}']").get_attribute("aria-current") == "page"


@pytest.mark.parametrize(("persona", "pages"), [("organizer", ORGANIZER_PAGES), ("trainee", TRAINEE_PAGES)])
def test_the_menu_fits_on_one_line_and_reaches_every_page(live_server, vietnamese_page, request, persona, pages):
    page = vietnamese_page
    log_in(page, live_server, request.getfixturevalue(persona).email, PASSWORD)  # a trainee's is their login
    _assert_on_one_line(page)
    screenshot(page, f"navigation-{persona}")
    for name in pages:
        _follow(page, live_server, reverse(name))
        _assert_on_one_line(page)


def test_the_account_menu_leads_admins_to_the_admin_and_signs_out(live_server, vietnamese_page, admin_user):
    page = vietnamese_page
    log_in(page, live_server, admin_user.email, PASSWORD)
    account = _header(page).locator(".nav-account summary")
    account.click()
    assert admin_user.email in _header(page).locator(".nav-account").inner_text()
    screenshot(page, "navigation-account-menu")
    _header(page).locator(f"a[href='{reverse('admin:index')}']").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}{reverse('admin:index')}"

    page.goto(f"{live_server.url}{reverse('reports:dashboard')}")
    _header(page).locator(".nav-account summary").click()
    _header(page).locator("button.sign-out").click()
    page.wait_for_load_state("networkidle")
    assert _header(page).locator(f"a[href='{reverse('account_login')}']").is_visible()


def test_on_a_phone_every_menu_opens_inside_the_screen(live_server, vietnamese_phone, admin_user):
    page = vietnamese_phone
    log_in(page, live_server, admin_user.email, PASSWORD)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert _header(page).bounding_box()["height"] < 220
    screenshot(page, "navigation-phone")
    summaries = _header(page).locator("summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()
        menu = _header(page).locator("details[open] > ul")
        box = menu.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        screenshot(page, f"navigation-phone-menu-{index}")
        summaries.nth(index).click()
    for name in ORGANIZER_PAGES:
        _follow(page, live_server, reverse(name))
