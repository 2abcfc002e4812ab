"""An organizer opens the coverage page from the menu, then looks back to 31/12/2021: the map
shows the 63 provinces of that day instead of today's 34."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in, screenshot
from tests.factories import AssignmentFactory, CommitmentFactory, TraineeFactory, agency

PASSWORD = "correct horse battery staple"  # tests/factories.py
D = datetime.date


@pytest.fixture
def experts(transactional_db):
    today = timezone.localdate()
    for name, slug, first, last in [
        ("Hoàng Văn Giang", "ha-giang", D(2019, 3, 1), None),  # Tuyên Quang's from 1 July 2025
        ("Lê Thị Thông", "bo-thong-tin-va-truyen-thong", D(2019, 3, 1), None),  # Bộ KH&CN's from 1 March 2025
        ("Trần Văn Nội", "ha-noi", D(2019, 3, 1), None),
        ("Phạm Thị Cao", "cao-bang", D(2019, 3, 1), D(2023, 8, 31)),  # left: Cao Bằng has no expert today
    ]:
        trainee = TraineeFactory(full_name=name)
        AssignmentFactory(trainee=trainee, agency=agency(slug), starts_on=first, ends_on=last)
        CommitmentFactory(trainee=trainee, agency=agency(slug), starts_on=D(2020, 6, 1), ends_on=D(2023, 6, 1))
    # Hà Nội's renewal ends within six months: it is losing its guarantee.
    renewed = TraineeFactory(full_name="Đỗ Văn Hà")
    AssignmentFactory(trainee=renewed, agency=agency("ha-noi"), starts_on=D(2019, 3, 1))
    CommitmentFactory(
        trainee=renewed,
        agency=agency("ha-noi"),
        starts_on=today - datetime.timedelta(days=900),
        ends_on=today + datetime.timedelta(days=60),
    )


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_organizer_switches_the_coverage_page_to_the_63_provinces_of_2021(
    live_server, page, vietnamese_phone, organizer, experts
):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, organizer.email, PASSWORD)
    page.locator("header details summary", has_text="Trainees").click()
    page.locator("header a", has_text="Coverage").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == "Coverage of ministries and provinces"
    assert page.locator("svg.tile-map g.tile").count() == 34
    assert page.locator("svg.tile-map g.tile.none").count() == 34 - 2  # Tuyên Quang (Hà Giang's post) and Hà Nội
    assert page.locator("g.tile[data-slug='ha-giang']").count() == 0
    assert page.locator("#losing-guarantee tbody tr").all_inner_texts()[0].startswith("Thành phố Hà Nội")
    assert (
        page.locator("#central tbody tr[data-agency='bo-khoa-hoc-va-cong-nghe'] [data-figure=experts]").inner_text()
        == "1"
    )
    _no_sideways_scroll(page, 1280)
    screenshot(page, "coverage-today")

    page.fill("input[name=on]", "2021-12-31")
    page.locator("form.coverage-date button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("?on=2021-12-31")
    assert page.locator(".as-of").inner_text() == "As of 31/12/2021"
    assert page.locator("svg.tile-map g.tile").count() == 63
    assert page.locator("g.tile.guaranteed[data-slug='ha-giang']").count() == 1
    assert page.locator("g.tile.guaranteed[data-slug='cao-bang']").count() == 1
    assert page.locator("#central tbody tr").count() == 22
    assert (
        page.locator("#central tbody tr[data-agency='bo-thong-tin-va-truyen-thong'] [data-figure=active]").inner_text()
        == "1"
    )
    _no_sideways_scroll(page, 1280)
    screenshot(page, "coverage-2021")
    assert [error for error in errors if "Content Security Policy" in error] == []

    phone = vietnamese_phone
    log_in(phone, live_server, organizer.email, PASSWORD)
    phone.goto(f"{live_server.url}/reports/coverage/?on=2021-12-31")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("svg.tile-map g.tile").count() == 63
    _no_sideways_scroll(phone, 375)
    screenshot(phone, "coverage-phone")
