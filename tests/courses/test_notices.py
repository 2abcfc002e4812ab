"""Change notices: edits close together are one message, cancellations supersede, urgent ones
go at once (courses/notices.py)."""

import datetime

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from courses import services
from egovexperts.notifications import delivery, planning
from egovexperts.notifications.models import OutboundMessage
from tests.clock import vn
from tests.factories import EnrolmentFactory, SessionFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status


START = vn(2027, 3, 10, 8, 30)


@pytest.fixture
def session():
    session = SessionFactory(title="Khung kiến trúc 3.0", starts_at=START, ends_at=vn(2027, 3, 10, 12))
    EnrolmentFactory(cohort=session.course.cohort, trainee__email="an@example.org")
    return session


def move(session, at, start, *, hours=3, reason="Giảng viên bận"):
    with time_machine.travel(at, tick=False):
        return services.reschedule_session(
            session, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), reason=reason
        )


def notices(**filters):
    return OutboundMessage.objects.filter(kind="session_changed", **filters).order_by("pk")


def sent_at(moment):
    """Deliver whatever is due at that moment, as the sweep would; the mails sent."""
    with time_machine.travel(moment, tick=False):
        for message in OutboundMessage.objects.filter(status=Status.QUEUED, due_at__lte=moment):
            delivery.deliver(message.pk)
    return mail.outbox


def test_edits_within_ten_minutes_reach_the_trainee_as_one_message_with_the_latest_state(session):
    move(session, vn(2027, 3, 1, 9), vn(2027, 3, 11, 8, 30))
    assert notices().get().due_at == vn(2027, 3, 1, 9, 10)
    move(session, vn(2027, 3, 1, 9, 4), vn(2027, 3, 12, 13, 30), hours=4, reason="Đổi phòng")

    first, latest = notices()
    assert (first.status, latest.status) == (Status.SUPERSEDED, Status.QUEUED)
    assert latest.due_at == vn(2027, 3, 1, 9, 10)  # the first edit's ten minutes, not ten more
    assert latest.context["changes"] == [
        ["starts_at", "10/03/2027 08:30", "12/03/2027 13:30"],
        ["ends_at", "10/03/2027 12:00", "12/03/2027 17:30"],
    ]
    assert sent_at(vn(2027, 3, 1, 9, 9)) == []
    (sent,) = sent_at(vn(2027, 3, 1, 9, 10))
    assert "12/03/2027 13:30" in sent.subject
    assert "10/03/2027 08:30 → 12/03/2027 13:30" in sent.body and "11/03/2027" not in sent.body
    assert "Đổi phòng" in sent.body


def test_an_edit_after_the_notice_went_out_is_a_new_message_from_what_was_sent(session):
    move(session, vn(2027, 3, 1, 9), vn(2027, 3, 11, 8, 30))
    sent_at(vn(2027, 3, 1, 9, 10))
    move(session, vn(2027, 3, 1, 9, 15), vn(2027, 3, 12, 8, 30))
    assert notices().last().context["changes"][0] == ["starts_at", "11/03/2027 08:30", "12/03/2027 08:30"]
    assert len(sent_at(vn(2027, 3, 1, 9, 25))) == 2


def test_a_session_moved_and_moved_back_within_ten_minutes_sends_nothing(session):
    move(session, vn(2027, 3, 1, 9), vn(2027, 3, 11, 8, 30))
    move(session, vn(2027, 3, 1, 9, 5), START, hours=3.5)
    assert list(notices().values_list("status", flat=True)) == [Status.SUPERSEDED]
    assert sent_at(vn(2027, 3, 1, 10)) == []


def test_a_change_less_than_48_hours_before_the_session_goes_out_at_once_even_at_night(session):
    move(session, vn(2027, 3, 8, 23), vn(2027, 3, 10, 13, 30))
    assert notices().get().due_at == vn(2027, 3, 8, 23)
    # Moving a session from far away to within 48 hours is urgent too.
    other = SessionFactory(course=session.course, starts_at=vn(2027, 4, 1, 8), ends_at=vn(2027, 4, 1, 11))
    move(other, vn(2027, 3, 8, 23, 30), vn(2027, 3, 9, 14))
    assert notices().last().due_at == vn(2027, 3, 8, 23, 30)


def test_a_change_made_at_night_waits_for_the_morning(session):
    move(session, vn(2027, 3, 1, 22), vn(2027, 3, 11, 8, 30))
    assert notices().get().due_at == vn(2027, 3, 2, 7)


def test_a_cancellation_supersedes_waiting_reminders_and_notices_and_carries_a_cancelled_event(session):
    move(session, vn(2027, 3, 2, 21), vn(2027, 3, 10, 9))  # its notice waits for the morning
    with time_machine.travel(vn(2027, 3, 2, 21, 2), tick=False):
        # The reminder of the new time, due at 09:00 the next morning, written ahead.
        planning.plan(horizon=datetime.timedelta(days=1))
    reminder = OutboundMessage.objects.get(kind="session_reminder")
    assert reminder.due_at == vn(2027, 3, 3, 9)
    with time_machine.travel(vn(2027, 3, 2, 21, 5), tick=False):
        services.cancel_session(session, reason="Bão")
    reminder.refresh_from_db()
    moved, cancelled = notices()
    assert (reminder.status, moved.status, cancelled.status) == (Status.SUPERSEDED,) * 2 + (Status.QUEUED,)
    assert cancelled.due_at == vn(2027, 3, 3, 7)  # not urgent: after the night

    (sent,) = sent_at(vn(2027, 3, 3, 7))
    assert sent.subject.startswith("Đã hủy") or sent.subject.startswith("Cancelled")
    (attachment,) = sent.message().get_payload()[1:]
    (event,) = Calendar.from_ical(attachment.get_payload(decode=True)).walk("VEVENT")
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 2  # the move was 1
    assert str(event["uid"]) == f"session-{session.pk}@egovexperts"


def test_a_cancellation_within_48_hours_goes_at_once(session):
    with time_machine.travel(vn(2027, 3, 9, 22), tick=False):
        services.cancel_session(session, reason="Bão")
    assert notices().get().due_at == vn(2027, 3, 9, 22)


def test_withdrawn_trainees_are_not_told_and_reminders_off_does_not_stop_change_notices(session):
    cohort = session.course.cohort
    EnrolmentFactory(
        cohort=cohort,
        trainee__email="gone@example.org",
        status="withdrawn",
        ended_on=datetime.date(2027, 1, 1),
        withdrawal_reason="Chuyển công tác",
    )
    EnrolmentFactory(cohort=cohort, trainee__email="quiet@example.org", trainee__email_reminders=False)
    move(session, vn(2027, 3, 1, 9), vn(2027, 3, 11, 8, 30))
    assert sorted(notices().values_list("recipient", flat=True)) == ["an@example.org", "quiet@example.org"]


def test_change_notices_are_written_in_vietnamese_unless_the_trainee_chose_otherwise(session):
    move(session, vn(2027, 3, 1, 9), vn(2027, 3, 11, 8, 30))
    mail_ = delivery.render(notices().get())
    assert mail_.body.startswith("Kính gửi")
    assert "Bắt đầu: 10/03/2027 08:30 → 11/03/2027 08:30" in mail_.body
