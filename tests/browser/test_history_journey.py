"""An organizer moves a session by mistake, finds the change in its history, restores the earlier
time and sees the trainees' notice of it in the delivery log."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from egovexperts.core.permissions import ORGANIZER_GROUP
from tests.browser.conftest import log_in, screenshot
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory, UserFactory

PASSWORD = "correct horse battery staple"  # tests/factories.py
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture
def organizer_login(transactional_db):
    user = UserFactory(username="hoa.tran@mic.gov.vn", first_name="Hoa", last_name="Trần", is_staff=True)
    user.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    return user.email


@pytest.fixture
def session(transactional_db):
    """Tomorrow morning, less than 48 hours ahead: its change notices go out at once."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(8), tzinfo=VIETNAM)
    course = CourseFactory(code="CPS-2026", title="Chính phủ số và dữ liệu mở")
    for name in ["Trần Thị Bích", "Lê Văn Cường"]:
        EnrolmentFactory(cohort=course.cohort, trainee__full_name=name)
    return SessionFactory(
        course=course, title="Dữ liệu mở", starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )


def test_organizer_restores_a_session_time_from_its_history(live_server, page, organizer_login, session):
    day = f"{timezone.localtime(session.starts_at):%d/%m/%Y}"
    log_in(page, live_server, organizer_login, PASSWORD)

    # The mistake: the session moved to the afternoon.
    page.goto(f"{live_server.url}/courses/sessions/{session.pk}/")
    page.locator(f"a[href$='/sessions/{session.pk}/reschedule/']").click()
    when = f"{timezone.localtime(session.starts_at):%Y-%m-%d}"
    page.fill("input[name=starts_at]", f"{when}T14:00")
    page.fill("input[name=ends_at]", f"{when}T17:00")
    page.fill("input[name=reason]", "Giảng viên bận buổi sáng")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"{day} 14:00").first.is_visible()

    # The session's page shows its history below the attendance (loaded once the page is shown).
    page.wait_for_function("() => document.querySelectorAll('#history .version').length === 2")
    latest = page.locator("#history .version").first
    assert "Hoa Trần" in latest.inner_text()
    assert "Giảng viên bận buổi sáng" in latest.inner_text()
    assert f"{day} 08:00 → {day} 14:00" in latest.inner_text()
    screenshot(page, "history-session-page")

    # Every change, on a page of its own, on a laptop and on a phone.
    page.locator("#history a", has_text="Every change").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="History").is_visible()
    screenshot(page, "history-page-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "history-page-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Restore the version the session was created with: a confirmation first.
    page.get_by_role("link", name="Restore this version").click()
    page.wait_for_load_state("networkidle")
    changes = page.locator("table.restore-changes").inner_text()
    assert f"{day} 14:00" in changes and f"{day} 08:00" in changes
    assert page.get_by_text("Every trainee concerned receives a notice of the change.").is_visible()
    screenshot(page, "history-restore-confirmation")
    page.get_by_role("button", name="Restore this version").click()
    page.wait_for_load_state("networkidle")

    # Back on the session's page, at its first time, with the restore in its history.
    assert page.url.endswith(f"/courses/sessions/{session.pk}/")
    assert page.locator("article.message.success").is_visible()
    assert page.get_by_text(f"{day} 08:00").first.is_visible()
    page.wait_for_function("() => document.querySelectorAll('#history .version').length === 3")
    assert "Restored version of" in page.locator("#history .version").first.inner_text()

    # Each trainee's notice of the time restored waits in the delivery log, in their language.
    page.goto(f"{live_server.url}/messages/?kind=session_changed")
    subjects = page.locator("table.message-log summary").all_inner_texts()
    assert subjects.count(f"Thời gian mới: Dữ liệu mở vào {day} 08:00") == 2
    assert subjects.count(f"Thời gian mới: Dữ liệu mở vào {day} 14:00") == 2
    screenshot(page, "history-delivery-log")
