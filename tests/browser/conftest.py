"""Headless Chromium from Debian, driven by Playwright; never a downloaded browser.

Browser tests run against pytest-django's live server and are marked `browser`.
Screenshots of each journey land in test-artifacts/ to be looked at.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from egovexperts.management import demo
from trainees.models import Agency
from trainees.reference import load_agencies

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Django's live server runs in a thread of the test process; Playwright's sync API runs an
# event loop in the same process, which Django's async-safety check would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium'."
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # launch() starts Chromium with a new empty profile of its own each time.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _chose_english(context) -> None:
    """The site ignores the browser's language (Vietnamese first): an English reader is one who
    chose English once, which the language cookie remembers."""
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": "localhost", "path": "/"}])


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="en-US", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    _chose_english(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def vietnamese_page(browser, settings):
    """A browser as Vietnamese users have it: pages in the default language."""
    settings.LANGUAGE_CODE = "vi"
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _phone(browser, *, locale: str, width: int):
    context = browser.new_context(
        locale=locale, timezone_id="Asia/Ho_Chi_Minh", viewport={"width": width, "height": 844}, is_mobile=True
    )
    if locale.startswith("en"):
        _chose_english(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    yield from _phone(browser, locale="en-US", width=390)


@pytest.fixture
def vietnamese_phone(browser, settings):
    """The narrowest common phone, in Vietnamese: the longest labels on the least room."""
    settings.LANGUAGE_CODE = "vi"
    yield from _phone(browser, locale="vi-VN", width=375)


@pytest.fixture
def demo_data(transactional_db):
    """The demo of `make run`, seeded for a journey; its logins by role."""
    if not Agency.objects.exists():  # an earlier transactional test flushed the reference data
        load_agencies(Agency)
    created, logins = demo.seed()
    assert created
    return {login.role: login for login in logins}


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
