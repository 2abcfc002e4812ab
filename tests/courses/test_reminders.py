"""Session reminders: who gets them, when, once, and what they say (courses/reminders.py)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from courses import services
from egovexperts.notifications import delivery, planning
from egovexperts.notifications.models import LanguagePreference, OutboundMessage, PlanningMark, ReminderOffset
from tests.clock import plan_at, vn
from tests.factories import (
    AbsenceNoticeFactory,
    CourseFactory,
    EnrolmentFactory,
    MaterialFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


# A Wednesday far from any holiday: reminders are due Wednesday 3 March (7 days) and Tuesday
# 9 March (1 working day), at the session's clock time.
START = vn(2027, 3, 10, 8, 30)
SEVEN_DAYS = vn(2027, 3, 3, 8, 30)
ONE_WORKING_DAY = vn(2027, 3, 9, 8, 30)


@pytest.fixture
def session():
    course = CourseFactory(code="CPĐT-101", title="Kiến trúc Chính phủ điện tử")
    return SessionFactory(
        course=course,
        title="Khung kiến trúc 3.0",
        kind="in_person",
        starts_at=START,
        ends_at=START + datetime.timedelta(hours=3, minutes=30),
        venue="Hội trường A, 18 Nguyễn Du, Hà Nội",
        lecturers="TS. Nguyễn Văn Hùng",
    )


@pytest.fixture
def an(session):
    return EnrolmentFactory(cohort=session.course.cohort, trainee__email="an@example.org").trainee


def reminders(**filters):
    return OutboundMessage.objects.filter(kind="session_reminder", **filters)


def recipients(**filters):
    return sorted(reminders(**filters).values_list("recipient", flat=True))


def test_each_active_trainee_of_the_cohort_gets_a_reminder_7_days_and_1_working_day_before(session, an):
    cohort = session.course.cohort
    EnrolmentFactory(cohort=cohort, trainee__email="binh@example.org")
    EnrolmentFactory(
        cohort=cohort,
        trainee__email="withdrawn@example.org",
        status="withdrawn",
        ended_on=datetime.date(2026, 12, 31),
        withdrawal_reason="Nghỉ hưu",
    )
    EnrolmentFactory(cohort=cohort, trainee__email="later@example.org", enrolled_on=datetime.date(2027, 4, 1))
    EnrolmentFactory(trainee__email="other-cohort@example.org")
    excused = EnrolmentFactory(cohort=cohort, trainee__email="excused@example.org").trainee
    AbsenceNoticeFactory(session=session, trainee=excused)
    EnrolmentFactory(cohort=cohort, trainee__email="quiet@example.org", trainee__email_reminders=False)

    assert plan_at(SEVEN_DAYS - datetime.timedelta(minutes=5)).written == 0
    assert plan_at(SEVEN_DAYS).written == 2
    assert recipients() == ["an@example.org", "binh@example.org"]
    assert {message.due_at for message in reminders()} == {SEVEN_DAYS}

    assert plan_at(ONE_WORKING_DAY).written == 2
    assert set(reminders().values_list("key", flat=True)) == {
        f"session:{session.pk}:reminder:0:20270310T0130Z:7d",
        f"session:{session.pk}:reminder:0:20270310T0130Z:1wd",
    }


def test_a_second_run_or_an_overlapping_window_writes_nothing(session, an):
    assert plan_at(SEVEN_DAYS).written == 1
    assert plan_at(SEVEN_DAYS).written == 0  # the same beat tick twice
    PlanningMark.objects.all().delete()  # as if the mark were lost: the same window planned again
    again = plan_at(SEVEN_DAYS + datetime.timedelta(minutes=1))
    assert again.counts == {"session_reminder": 1}
    assert again.written == 0
    assert reminders().count() == 1


def test_one_working_day_before_the_monday_after_tet_is_the_friday_before_it():
    # Tết 2026: Monday 16 to Friday 20 February off; the next working day is Monday 23.
    session = SessionFactory(starts_at=vn(2026, 2, 23, 9), ends_at=vn(2026, 2, 23, 11))
    EnrolmentFactory(cohort=session.course.cohort)
    plan = plan_at(vn(2026, 2, 10), horizon=datetime.timedelta(days=14), dry_run=True)
    assert sorted(message.due_at for message in plan.messages) == [vn(2026, 2, 13, 9), vn(2026, 2, 16, 9)]
    assert plan.written == 0 and not OutboundMessage.objects.exists()


def test_a_saturday_made_a_working_day_counts_as_one():
    # 22 August 2026, a Saturday, is worked in exchange for Monday 31 August.
    ReminderOffset.objects.exclude(unit="working_days").delete()
    session = SessionFactory(starts_at=vn(2026, 8, 24, 8), ends_at=vn(2026, 8, 24, 11))
    EnrolmentFactory(cohort=session.course.cohort)
    plan = plan_at(vn(2026, 8, 20), horizon=datetime.timedelta(days=5), dry_run=True)
    assert [message.due_at for message in plan.messages] == [vn(2026, 8, 22, 8)]


def test_no_reminder_for_a_cancelled_session(session, an):
    services.cancel_session(session, reason="Bão")
    assert plan_at(SEVEN_DAYS).counts.get("session_reminder") is None
    assert not reminders().exists()


def test_a_trainee_enrolled_after_an_offset_passed_gets_only_the_next_reminder(session, an):
    plan_at(SEVEN_DAYS)
    late = EnrolmentFactory(cohort=session.course.cohort, trainee__email="late@example.org").trainee
    plan_at(vn(2027, 3, 5, 10))
    assert not reminders(recipient=late.email).exists()
    plan_at(ONE_WORKING_DAY)
    assert list(reminders(recipient=late.email).values_list("context__offset", flat=True)) == ["1wd"]
    assert recipients() == ["an@example.org", "an@example.org", "late@example.org"]


def test_a_planner_that_ran_late_sends_no_in_7_days_mail_two_days_before(session, an):
    PlanningMark.planned(until=vn(2027, 3, 1))  # the beat stopped for a week
    plan = plan_at(vn(2027, 3, 8, 9))
    assert plan.written == 0
    # Of the reminders overdue when the planner runs, only the nearest to the session is sent.
    ReminderOffset.objects.create(amount=12, unit="hours")  # due 9 March 20:30
    ReminderOffset.objects.create(amount=8, unit="hours")  # due 10 March 00:30, sent at 07:00
    PlanningMark.objects.update(planned_until=vn(2027, 3, 9, 12))
    plan = plan_at(vn(2027, 3, 10, 1))
    assert [(message.context["offset"], message.due_at) for message in plan.messages] == [("8h", vn(2027, 3, 10, 7))]


def test_a_rescheduled_session_gets_reminders_for_its_new_time(session, an):
    plan_at(SEVEN_DAYS)
    with time_machine.travel(vn(2027, 3, 4, 9), tick=False):
        services.reschedule_session(
            session, starts_at=vn(2027, 3, 17, 8, 30), ends_at=vn(2027, 3, 17, 12), reason="Giảng viên bận"
        )
    plan_at(vn(2027, 3, 10, 8, 30))
    keys = list(reminders(status="queued").values_list("key", flat=True))
    assert keys == [f"session:{session.pk}:reminder:1:20270317T0130Z:7d"]
    # The reminder of the old time had not gone out yet: it never will.
    assert reminders(status="superseded").count() == 1


def test_reminders_due_at_night_wait_until_seven(session, an):
    session.starts_at, session.ends_at = vn(2027, 3, 10, 22), vn(2027, 3, 10, 23)
    session.save()
    plan_at(vn(2027, 3, 3, 22))
    assert reminders().get().due_at == vn(2027, 3, 4, 7)
    # A reminder that waiting would push past the start is not sent at all.
    ReminderOffset.objects.create(amount=2, unit="hours")
    early = SessionFactory(course=session.course, starts_at=vn(2027, 3, 12, 6, 30), ends_at=vn(2027, 3, 12, 8))
    plan = plan_at(vn(2027, 3, 12, 4, 30))
    assert not [message for message in plan.messages if message.context["session_id"] == early.pk]


def test_offsets_set_by_an_admin_replace_the_defaults(session, an, admin_client):
    seven = ReminderOffset.objects.get(amount=7, unit="days")
    page = admin_client.post(
        reverse("admin:notifications_reminderoffset_change", args=[seven.pk]),
        {"amount": 7, "unit": "days"},  # active unticked
    )
    assert page.status_code == 302
    page = admin_client.post(
        reverse("admin:notifications_reminderoffset_add"), {"amount": 3, "unit": "days", "active": "on"}
    )
    assert page.status_code == 302
    assert plan_at(SEVEN_DAYS).written == 0
    plan_at(vn(2027, 3, 7, 8, 30))
    assert list(reminders().values_list("context__offset", flat=True)) == ["3d"]


def test_a_trainee_who_turned_reminders_off_on_the_profile_page_gets_none(session, trainee, trainee_client):
    EnrolmentFactory(cohort=session.course.cohort, trainee=trainee)
    page = trainee_client.post(reverse("portal:profile"), {"phone": "0912 000 111", "share_contact": ""})
    assert page.status_code == 302
    plan_at(SEVEN_DAYS)
    assert not reminders().exists()
    # Change notices still reach them.
    with time_machine.travel(vn(2027, 3, 4, 9), tick=False):
        services.reschedule_session(
            session, starts_at=vn(2027, 3, 11, 8, 30), ends_at=vn(2027, 3, 11, 12), reason="Đổi phòng"
        )
    assert OutboundMessage.objects.filter(kind="session_changed", recipient=trainee.email).exists()


def test_a_reminder_is_written_in_the_language_the_trainee_last_chose(session, trainee, trainee_client):
    EnrolmentFactory(cohort=session.course.cohort, trainee=trainee)
    EnrolmentFactory(cohort=session.course.cohort, trainee__email="never-chose@example.org")
    trainee_client.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    assert LanguagePreference.objects.get(address=trainee.email).language == "en"
    plan_at(SEVEN_DAYS)
    assert dict(reminders().values_list("recipient", "language")) == {
        trainee.email: "en",
        "never-chose@example.org": "vi",
    }
    english = delivery.render(reminders().get(recipient=trainee.email))
    assert english.subject == "Reminder: Khung kiến trúc 3.0 on 10/03/2027 08:30"


def test_a_reminder_says_when_where_who_and_what_to_read_and_carries_the_event(session, an):
    MaterialFactory(
        course=session.course, session=session, title="Khung kiến trúc (slide)", url="https://example.org/k.pdf"
    )
    MaterialFactory(course=session.course, session=session, title="Bản nháp", published=False)
    LanguagePreference.objects.create(address=an.email, language="en")
    plan_at(SEVEN_DAYS)
    message = reminders().get()
    with time_machine.travel(SEVEN_DAYS, tick=False):
        assert delivery.deliver(message.pk).endswith("sent")
    sent = mail.outbox[0]
    body = sent.body
    assert "10/03/2027 08:30 – 12:00 (Vietnam time)" in body
    assert "Kind: in person" in body
    assert "Venue: Hội trường A, 18 Nguyễn Du, Hà Nội" in body
    assert "Lecturers: TS. Nguyễn Văn Hùng" in body
    assert "Khung kiến trúc (slide): https://example.org/k.pdf" in body and "Bản nháp" not in body
    assert f"/me/#session-{session.pk}" in body
    assert reverse("portal:absence-notice", args=[session.pk]) in body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and 'href="https://example.org/k.pdf"' in html

    (attachment,) = sent.message().get_payload()[1:]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    assert attachment.get_filename() == f"session-{session.pk}.ics"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    assert calendar["method"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"session-{session.pk}@egovexperts"
    assert event["sequence"] == 0 and event["status"] == "CONFIRMED"
    assert event.decoded("dtstart") == START


def test_planning_reads_the_same_number_of_queries_at_ten_times_the_trainees(django_assert_num_queries):
    def cohort_with(trainees: int, sessions: int):
        course = CourseFactory()
        for _ in range(trainees):
            EnrolmentFactory(cohort=course.cohort)
        for hour in range(sessions):
            SessionFactory(course=course, starts_at=START + datetime.timedelta(hours=hour))

    cohort_with(2, 1)
    counts = []
    for size in (2, 20):
        if size == 20:
            OutboundMessage.objects.all().delete()
            PlanningMark.objects.all().delete()
            cohort_with(20, 3)  # 60 rows: one insert on SQLite too (71 rows a batch)
        with time_machine.travel(SEVEN_DAYS + datetime.timedelta(hours=6), tick=False):
            # The mark; reminders: offsets, sessions, enrolments, absence notices, materials;
            # missing attendance: sessions; at risk: courses with sessions to come, enrolments,
            # progress (3); commitments: agencies, commitments (none due); the languages; the
            # savepoint; the keys queued; the insert; the mark (2); the savepoint's release.
            with django_assert_num_queries(21) as captured:
                result = planning.plan()
        counts.append((len(captured), result.written))
    assert counts == [(21, 2), (21, 2 + 60)]
