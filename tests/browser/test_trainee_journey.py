"""An invited trainee chooses a password from the emailed link, signs in, sees the next
session and adds it to their calendar, on a desktop and on a phone."""

import datetime
import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from egovexperts.celery_app import app as celery_app
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    MaterialFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)
from trainees.accounts import invite_trainee
from trainees.models import Agency
from trainees.reference import load_agencies

PASSWORD = "Mật khẩu của học viên 2026"


@pytest.fixture
def eager_celery():
    """The invitation goes through the outbox and Celery, run in-process here."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def invited_trainee(live_server, settings, eager_celery):
    settings.SITE_URL = live_server.url
    # Live-server tests flush the database afterwards, reference data included: reload it.
    load_agencies(Agency)
    trainee = TraineeFactory(full_name="Vũ Thị Lan", email="lan.vu@example.org")
    AssignmentFactory(trainee=trainee, position="Giám đốc Sở Khoa học và Công nghệ", agency=agency("da-nang"))
    course = CourseFactory(code="CPĐT-201", title="Quản trị dữ liệu trong cơ quan nhà nước")
    EnrolmentFactory(trainee=trainee, cohort=course.cohort)
    now = timezone.localtime()
    start = (now + datetime.timedelta(days=3)).replace(hour=8, minute=30, second=0, microsecond=0)
    past = SessionFactory(course=course, title="Nhập môn dữ liệu", starts_at=start - datetime.timedelta(days=14))
    AttendanceFactory(session=past, trainee=trainee)
    upcoming = SessionFactory(
        course=course,
        title="Kiến trúc dữ liệu quốc gia",
        kind="online",
        venue="",
        meeting_url="https://meet.example.org/du-lieu",
        lecturers="PGS. TS. Nguyễn Ái Việt",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )
    MaterialFactory(course=course, session=upcoming, title="Slide: Kiến trúc dữ liệu")
    MaterialFactory(course=course, session=past, title="Bài giảng: Nhập môn dữ liệu", public=True)
    SessionFactory(
        course=course,
        title="Tham quan Trung tâm dữ liệu",
        kind="site_visit",
        starts_at=start + datetime.timedelta(days=35),
    )
    invite_trainee(trainee)
    return trainee


def _link_from_invitation(live_server) -> str:
    (email,) = [message for message in mail.outbox if message.to == ["lan.vu@example.org"]]
    return re.search(re.escape(live_server.url) + r"\S+", email.body).group(0)


def _download_ics(page):
    with page.expect_download() as info:
        page.locator("#next-heading + article a[href$='.ics']").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    (event,) = calendar.walk("VEVENT")
    assert "Kiến trúc dữ liệu quốc gia" in str(event["SUMMARY"])


def test_an_invited_trainee_sets_a_password_signs_in_and_adds_the_next_session(page, live_server, invited_trainee):
    page.goto(_link_from_invitation(live_server))
    screenshot(page, "trainee-set-password")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() != ""

    log_in(page, live_server, "lan.vu@example.org", PASSWORD)

    assert page.url.endswith("/me/")
    next_session = page.locator("#next-heading + article")
    assert "Kiến trúc dữ liệu quốc gia" in next_session.inner_text()
    assert "https://meet.example.org/du-lieu" in next_session.inner_text()
    screenshot(page, "trainee-schedule-desktop")
    _download_ics(page)

    page.locator("header a[href='/me/progress/']").click()
    page.wait_for_url("**/me/progress/")
    assert "CPĐT-201" in page.locator("main").inner_text()
    screenshot(page, "trainee-progress")

    page.locator("header a[href='/me/profile/']").click()
    page.fill("input[name=phone]", "0912 000 111")
    page.check("input[name=share_contact]")
    page.locator("main form button[type=submit]").first.click()
    page.locator("header a[href='/network/']").click()
    assert "0912 000 111" in page.locator("main").inner_text()
    screenshot(page, "expert-network")


def test_the_schedule_works_on_a_phone(phone_page, live_server, invited_trainee):
    user = invited_trainee.user
    user.set_password(PASSWORD)
    user.save()

    phone_page.goto(f"{live_server.url}/library/")
    assert "Bài giảng: Nhập môn dữ liệu" in phone_page.locator("main").inner_text()
    assert "Slide: Kiến trúc dữ liệu" not in phone_page.locator("main").inner_text()
    screenshot(phone_page, "library-phone-anonymous")
    log_in(phone_page, live_server, "lan.vu@example.org", PASSWORD)

    assert "Kiến trúc dữ liệu quốc gia" in phone_page.locator("#next-heading + article").inner_text()
    screenshot(phone_page, "trainee-schedule-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the schedule scrolls sideways on a phone ({width}px)"
    _download_ics(phone_page)
