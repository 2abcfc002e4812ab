"""The agency page in a real browser: wide, on a phone, and printed (print media), on the demo data."""

from django.urls import reverse

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_content_policy import _watch


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_an_agency_page_reads_on_a_wide_screen_a_phone_and_paper(live_server, page, vietnamese_phone, demo_data):
    organizer = demo_data["organizer"]
    tuyen_quang = f"{live_server.url}{reverse('reports:agency', args=['tuyen-quang'])}"

    problems = _watch(page)
    log_in(page, live_server, organizer.email, organizer.password)
    # From the coverage table to the province's page.
    page.goto(f"{live_server.url}{reverse('reports:coverage')}")
    page.locator("#provincial a.agency-link", has_text="Tỉnh Tuyên Quang").click()
    page.wait_for_load_state("networkidle")
    assert page.url == tuyen_quang
    assert page.locator("h1").inner_text() == "Tỉnh Tuyên Quang"
    # Experts recorded at Hà Giang, merged into Tuyên Quang, are its experts today.
    assert page.locator("#in-post small.recorded", has_text="recorded: Hà Giang").count() >= 1
    assert page.locator("#attendance td.cell").count() >= 5
    screenshot(page, "agency-page-1280")
    # The Print button asks the browser to print (static/js/app.js: no inline script).
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = 'yes'; }; }")
    page.locator("[data-print]").click()
    assert page.evaluate("() => document.body.dataset.printed") == "yes"

    # An abolished province names and links the one that carries it.
    page.locator(".predecessors a", has_text="Tỉnh Hà Giang").click()
    page.wait_for_load_state("networkidle")
    assert "was merged on 01/07/2025" in page.locator(".handed-over").inner_text()
    page.locator(".handed-over a").click()
    page.wait_for_load_state("networkidle")
    assert page.url == tuyen_quang

    # Printed: no menu, no button, the tables whole.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert page.locator("#in-post table").is_visible() and page.locator(".printed-on").is_visible()
    page.pdf(path=str(screenshot(page, "agency-page-print").with_suffix(".pdf")), format="A4")
    page.emulate_media(media="screen")

    # A province that lost its only expert, on a 375 px phone, in Vietnamese.
    log_in(vietnamese_phone, live_server, organizer.email, organizer.password)
    vietnamese_phone.goto(f"{live_server.url}{reverse('reports:agency', args=['cao-bang'])}")
    assert vietnamese_phone.locator("[data-figure=in-post]").inner_text() == "0"
    assert vietnamese_phone.locator("#former tbody tr").count() == 1
    _no_sideways_scroll(vietnamese_phone, 375)
    screenshot(vietnamese_phone, "agency-page-375-cao-bang")
    vietnamese_phone.goto(tuyen_quang)
    _no_sideways_scroll(vietnamese_phone, 375)
    screenshot(vietnamese_phone, "agency-page-375")
    assert problems == []
