"""An organizer finds a failed message in the delivery log, sends it again and sees the copy."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from egovexperts.celery_app import app
from egovexperts.notifications import outbox, planning
from egovexperts.notifications.models import OutboundMessage
from tests.browser.conftest import log_in, screenshot

PASSWORD = "correct horse battery staple"  # tests/factories.py
Status = OutboundMessage.Status


@pytest.fixture
def eager_worker():
    """The worker runs in the page's process: the copy is delivered before the page reloads."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def outbox_rows(transactional_db, eager_worker):
    earlier = timezone.now() - datetime.timedelta(days=1)
    context = {
        "full_name": "Trần Thị Bích",
        "title": "Chính phủ số và dữ liệu mở",
        "course": "CPS-2026",
        "status": "moved",
        "previous_start": "10/06/2026 08:00",
        "starts_at": "12/06/2026 08:00",
        "ends_at": "12/06/2026 11:30",
        "venue": "Hội trường A, 18 Nguyễn Du, Hà Nội",
    }
    rows = {}
    for name, status in [("an", Status.SENT), ("binh", Status.FAILED), ("cuong", Status.FAILED)]:
        rows[name] = OutboundMessage.objects.create(
            kind="session_changed",
            recipient=f"{name}.nguyen@so-tttt.gov.vn",
            key=f"session:7:changed:{name}",
            context=context,
            due_at=earlier,
            status=status,
            attempts=1 if status == Status.SENT else 5,
            sent_at=earlier if status == Status.SENT else None,
            last_error="" if status == Status.SENT else "SMTPServerDisconnected: Connection unexpectedly closed",
        )
    rows["invitation"] = OutboundMessage.objects.create(
        kind="invitation",
        recipient="hoa.le@so-tttt.gov.vn",
        key="trainee:9:invitation",
        context={"full_name": "Lê Thị Hoa"},
        due_at=earlier,
        status=Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: 550 Mailbox unavailable",
    )
    return rows


@pytest.fixture
def planned(monkeypatch):
    """A planner with one session reminder due in three days."""
    monkeypatch.setattr(planning, "_planners", {})
    due = timezone.now() + datetime.timedelta(days=3)
    context = {"full_name": "Phạm Văn Dũng", "title": "An toàn thông tin", "course": "ATTT-2026", "status": "moved"}
    context |= {"previous_start": "20/06/2026 08:00", "starts_at": "21/06/2026 08:00", "ends_at": "21/06/2026 11:30"}

    def plan(*, start, end):
        message = outbox.Message("session_changed", "planned.trainee@so-tttt.gov.vn", "test:1", context, due)
        return [message] if start < due <= end else []

    planning.register("browser-test", plan)


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_organizer_filters_failed_messages_and_resends_one(
    live_server, page, vietnamese_phone, organizer, outbox_rows, planned
):
    log_in(page, live_server, organizer.email, PASSWORD)
    page.locator("header a[href='/messages/']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == "Messages"

    page.select_option("select[name=status]", "failed")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "status=failed" in page.url
    assert page.locator("tbody tr").count() == 3
    assert page.locator("tbody .badge").all_inner_texts() == ["failed"] * 3
    # the invitation's link is never sent again: its row has no button
    assert page.locator("tbody tr", has_text="hoa.le@").locator("button").count() == 0
    screenshot(page, "delivery-log-failed")

    binh = outbox_rows["binh"]
    page.locator(f"#message-{binh.pk} button", has_text="Re-send").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}{reverse('notifications:message-list')}"
    copy = OutboundMessage.objects.get(resent_from=binh)
    assert copy.status == Status.SENT
    assert [sent.to for sent in mail.outbox] == [["binh.nguyen@so-tttt.gov.vn"]]
    assert page.locator("article.message").inner_text().startswith("A copy of the message to binh.nguyen@")
    new_row = page.locator("tbody tr").first
    assert new_row.get_attribute("id") == f"message-{copy.pk}"
    assert f"copy of #{binh.pk}" in new_row.inner_text()
    assert new_row.locator(".badge").inner_text() == "sent"
    new_row.locator("details.mail-text summary").click()
    assert "Hội trường A" in new_row.locator("details.mail-text pre").inner_text()
    _no_sideways_scroll(page, 1280)
    screenshot(page, "delivery-log-resent")

    new_row.locator(f"a[href='{reverse('notifications:message-detail', args=[copy.pk])}']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("main h1").inner_text() == f"Message #{copy.pk}"
    assert page.locator("main table tbody tr").count() == 2  # the original and its copy
    screenshot(page, "delivery-log-message")

    page.locator("main a", has_text="Messages").first.click()
    page.locator("nav.log-tabs a", has_text="Upcoming").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("tbody tr", has_text="planned.trainee@").count() == 1
    _no_sideways_scroll(page, 1280)
    screenshot(page, "delivery-log-upcoming")

    phone = vietnamese_phone
    log_in(phone, live_server, organizer.email, PASSWORD)
    phone.goto(f"{live_server.url}{reverse('notifications:message-list')}?status=failed")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("tbody tr").count() == 3
    phone.locator(f"#message-{binh.pk} details.mail-text summary").click()
    _no_sideways_scroll(phone, 375)
    screenshot(phone, "delivery-log-phone")
