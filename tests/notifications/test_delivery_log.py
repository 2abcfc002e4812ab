"""The delivery log: organizers read every message and its text (never a password-setting link),
filter them, send one again or retry every failed one; trainees and visitors get nothing."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from egovexperts.notifications import delivery, outbox, planning, services
from egovexperts.notifications.models import OutboundMessage, PlanningMark
from egovexperts.notifications.selectors import HIDDEN
from tests.factories import TraineeFactory
from trainees.accounts import invite_trainee

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
LOG = reverse("notifications:message-list")
RETRY = reverse("notifications:message-retry-failed")
SESSION = {
    "full_name": "Nguyễn Văn An",
    "title": "Chuyển đổi số cấp tỉnh",
    "course": "CĐS-2026",
    "status": "cancelled",
    "previous_start": "12/06/2026 08:00",
}


def message(**fields) -> OutboundMessage:
    """A row of the outbox as delivery leaves it (the state under test, not how it got there)."""
    values = {
        "kind": "session_changed",
        "recipient": "an.nguyen@example.org",
        "key": f"session:1:changed:{OutboundMessage.objects.count()}",
        "context": SESSION,
        "due_at": timezone.now() - datetime.timedelta(hours=1),
        "status": Status.SENT,
    }
    values.update(fields)
    if values["status"] == Status.SENT:
        values.setdefault("sent_at", values["due_at"])
        values.setdefault("attempts", 1)
    return OutboundMessage.objects.create(**values)


def resend(client, row: OutboundMessage):
    return client.post(reverse("notifications:message-resend", args=[row.pk]))


def copies_of(row: OutboundMessage) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(resent_from=row).order_by("pk"))


def deliver_everything_due() -> None:
    """The worker's sweep, run twice: the second pass must send nothing more."""
    for _ in range(2):
        for message_id in delivery.due_message_ids():
            delivery.deliver(message_id)


def log_rows(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="message-(\d+)"', response.content.decode())]


# --- Who may use it ----------------------------------------------------------------


def test_visitors_are_sent_to_log_in_and_write_nothing(client):
    row = message(status=Status.FAILED, sent_at=None)
    pages = [LOG, reverse("notifications:message-detail", args=[row.pk]), reverse("notifications:upcoming")]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    for url in (reverse("notifications:message-resend", args=[row.pk]), RETRY):
        response = client.post(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert OutboundMessage.objects.count() == 1


def test_trainees_are_refused_and_write_nothing(trainee_client):
    row = message(status=Status.FAILED, sent_at=None)
    for url in (LOG, reverse("notifications:message-detail", args=[row.pk]), reverse("notifications:upcoming")):
        assert trainee_client.get(url).status_code == 403
    assert resend(trainee_client, row).status_code == 403
    assert trainee_client.post(RETRY).status_code == 403
    assert OutboundMessage.objects.count() == 1


def test_the_writes_take_only_posts_and_unknown_messages_are_not_found(organizer_client):
    row = message()
    assert organizer_client.get(reverse("notifications:message-resend", args=[row.pk])).status_code == 405
    assert organizer_client.get(RETRY).status_code == 405
    assert organizer_client.post(reverse("notifications:message-resend", args=[row.pk + 1])).status_code == 404
    assert organizer_client.get(reverse("notifications:message-detail", args=[row.pk + 1])).status_code == 404
    assert OutboundMessage.objects.count() == 1


def test_the_writes_need_the_csrf_token(client, organizer):
    row = message()
    client.handler.enforce_csrf_checks = True
    client.force_login(organizer)
    assert resend(client, row).status_code == 403
    assert client.post(RETRY).status_code == 403
    assert OutboundMessage.objects.count() == 1


# --- What organizers read ------------------------------------------------------------


def test_organizers_read_each_message_with_its_state_and_rendered_text(organizer_client, admin_client):
    sent_at = datetime.datetime(2026, 6, 1, 9, 30, tzinfo=HANOI)
    message(sent_at=sent_at, due_at=sent_at, language="en")
    message(
        recipient="binh.tran@example.org",
        status=Status.FAILED,
        attempts=5,
        sent_at=None,
        last_error="SMTPRecipientsRefused: {'binh.tran@example.org': (550, b'Mailbox unavailable')}",
    )
    for client in (organizer_client, admin_client):
        page = client.get(LOG).content.decode()
        assert "an.nguyen@example.org" in page and "binh.tran@example.org" in page
        assert "01/06/2026 09:30" in page  # sent time, in Vietnam time
        assert "Mailbox unavailable" in page
        assert '<td data-label="Attempts">5</td>' in page
        # the rendered subject and body, each in its recipient's language
        assert "Cancelled: Chuyển đổi số cấp tỉnh on 12/06/2026 08:00" in page
        assert "Đã hủy: Chuyển đổi số cấp tỉnh vào 12/06/2026 08:00" in page
        assert "is cancelled." in page and "đã bị hủy." in page


def test_a_message_whose_text_cannot_be_rendered_is_listed_with_the_reason(organizer_client):
    message(kind="no_such_kind")
    response = organizer_client.get(LOG)
    assert response.status_code == 200
    assert "TemplateDoesNotExist" in response.content.decode()


def test_the_detail_page_shows_the_text_and_every_attempt_of_the_chain(organizer_client):
    original = message(status=Status.FAILED, sent_at=None, last_error="ConnectionRefusedError")
    copy = message(key=original.key + ":resend:1", resent_from=original)
    page = organizer_client.get(reverse("notifications:message-detail", args=[copy.pk])).content.decode()
    assert "đã bị hủy." in page
    assert reverse("notifications:message-detail", args=[original.pk]) in page
    assert "ConnectionRefusedError" in page


# --- Password-setting links are never shown --------------------------------------------


def _pages_an_organizer_can_open(client) -> str:
    pages = [LOG, f"{LOG}?kind=invitation", f"{LOG}?kind=password_reset", f"{LOG}?recipient=example"]
    pages += [
        reverse("notifications:message-detail", args=[pk])
        for pk in OutboundMessage.objects.values_list("pk", flat=True)
    ]
    return "".join(client.get(url).content.decode() for url in pages)


def test_an_organizer_never_reads_a_password_setting_link_of_any_account(organizer_client, client, admin_user):
    trainee = TraineeFactory(email="hoa.le@example.org")
    invite_trainee(trainee)
    # allauth's reset form queues a link to the admin's own address (accounts.AccountAdapter)
    client.post(reverse("account_reset_password"), {"email": admin_user.email})
    links = {row.kind: row.secret_context["path"] for row in OutboundMessage.objects.all()}
    assert set(links) == {"invitation", "password_reset"}
    for row in OutboundMessage.objects.all():
        assert links[row.kind] in delivery.render(row).body  # the worker does render it

    waiting = _pages_an_organizer_can_open(organizer_client)
    OutboundMessage.objects.filter(kind="invitation").update(status=Status.FAILED, secret_context={})
    deliver_everything_due()  # the reset link is sent (and erased)
    gone = _pages_an_organizer_can_open(organizer_client)

    for page in (waiting, gone):
        for link in links.values():
            token = link.rstrip("/").rsplit("/", 1)[-1]
            assert link not in page and token not in page
        assert HIDDEN in page
        assert trainee.full_name in page  # the rest of the text is shown


def test_invitations_and_password_resets_are_not_sent_again(organizer_client):
    for kind in ("invitation", "password_reset"):
        for status in (Status.SENT, Status.FAILED):
            row = message(kind=kind, status=status, context={"full_name": "Lê Thị Hoa"})
            response = resend(organizer_client, row)
            assert response.status_code == 302
            assert copies_of(row) == []
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "send a new invitation from Trainee accounts" in messages[0]
    assert organizer_client.post(RETRY).status_code == 302
    assert OutboundMessage.objects.count() == 4


# --- Re-send ---------------------------------------------------------------------------


def test_resending_a_sent_message_queues_a_copy_pointing_to_it_which_is_delivered_once(organizer_client):
    original = message()
    response = resend(organizer_client, original)
    assert response.status_code == 302 and response["Location"] == LOG
    [copy] = copies_of(original)
    assert copy.status == Status.QUEUED
    assert (copy.kind, copy.recipient, copy.context, copy.language) == (
        original.kind,
        original.recipient,
        original.context,
        original.language,
    )
    assert copy.key == f"{original.key}:resend:{original.pk}"
    deliver_everything_due()
    assert [sent.to for sent in mail.outbox] == [["an.nguyen@example.org"]]
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.status == Status.SENT and copy.attempts == 1
    assert original.status == Status.SENT and original.attempts == 1  # the original is left as it was
    assert copy.pk in log_rows(organizer_client.get(LOG))


def test_a_second_click_while_the_copy_is_on_its_way_writes_nothing(organizer_client):
    original = message(status=Status.FAILED, sent_at=None)
    resend(organizer_client, original)
    response = resend(organizer_client, original)
    assert len(copies_of(original)) == 1
    assert "already on its way" in str(list(get_messages(response.wsgi_request))[-1])


def test_resending_a_copy_points_to_the_first_message_and_follows_the_last_attempt(organizer_client):
    original = message()
    resend(organizer_client, original)
    deliver_everything_due()
    [first_copy] = copies_of(original)
    resend(organizer_client, first_copy)
    second_copy = copies_of(original)[-1]
    assert second_copy.resent_from == original
    assert second_copy.key == f"{original.key}:resend:{first_copy.pk}"
    assert OutboundMessage.objects.filter(resent_from=first_copy).count() == 0


def test_a_message_not_yet_sent_or_given_up_is_not_sent_again(organizer_client):
    for status in (Status.QUEUED, Status.SENDING):
        row = message(status=status, sent_at=None)
        resend(organizer_client, row)
        assert copies_of(row) == []


def test_a_copy_of_a_long_key_stays_in_the_column_and_unique():
    long_key = "k" * 200
    keys = {services.copy_key(long_key, after=after) for after in (1, 2)}
    keys.add(services.copy_key(long_key[:-1] + "j", after=1))
    assert len(keys) == 3
    assert all(len(key) <= 200 for key in keys)
    original = message(key=long_key)
    copy = services.resend_message(original)
    copy.full_clean()


# --- Retry all failed -----------------------------------------------------------------


def test_retry_all_sends_each_failed_message_once_and_a_second_click_writes_nothing(organizer_client):
    failed = message(recipient="a@example.org", status=Status.FAILED, sent_at=None)
    sent_then_copy_failed = message(recipient="b@example.org")
    failed_copy = message(
        recipient="b@example.org",
        key=sent_then_copy_failed.key + ":resend:x",
        status=Status.FAILED,
        sent_at=None,
        resent_from=sent_then_copy_failed,
    )
    copy_on_its_way = message(recipient="c@example.org", status=Status.FAILED, sent_at=None)
    message(recipient="c@example.org", key="c:resend", resent_from=copy_on_its_way, status=Status.QUEUED)
    already_delivered = message(recipient="d@example.org", status=Status.FAILED, sent_at=None)
    message(recipient="d@example.org", key="d:resend", resent_from=already_delivered)
    message(kind="invitation", recipient="e@example.org", status=Status.FAILED, sent_at=None)
    message(recipient="f@example.org")  # sent: nothing to retry
    before = OutboundMessage.objects.count()

    response = organizer_client.post(RETRY)
    assert response.status_code == 302
    assert "2 failed messages are queued again." in str(list(get_messages(response.wsgi_request))[0])
    assert OutboundMessage.objects.count() == before + 2
    [copy_a] = copies_of(failed)
    assert copy_a.key == f"{failed.key}:resend:{failed.pk}"
    copy_b = copies_of(sent_then_copy_failed)[-1]
    assert copy_b.key == f"{sent_then_copy_failed.key}:resend:{failed_copy.pk}"
    failed.refresh_from_db()
    assert failed.status == Status.FAILED  # the failed row stays as the record of what happened

    organizer_client.post(RETRY)
    assert OutboundMessage.objects.count() == before + 2
    deliver_everything_due()
    assert sorted(sent.to[0] for sent in mail.outbox) == ["a@example.org", "b@example.org", "c@example.org"]


def test_retry_all_reads_and_writes_in_the_same_number_of_queries_for_ten_times_the_failures(
    django_assert_num_queries,
):
    def fail(count: int, tag: str):
        for number in range(count):
            message(recipient=f"{tag}{number}@example.org", status=Status.FAILED, sent_at=None)

    fail(3, "one")
    # the savepoint (atomic); the last failed attempt of each chain, with its original; the
    # insert (one per 500 copies); the savepoint's release
    with django_assert_num_queries(4):
        assert services.retry_failed() == 3
    fail(30, "ten")
    with django_assert_num_queries(4):
        assert services.retry_failed() == 30


# --- Filters, pages, queries ----------------------------------------------------------


def test_the_log_filters_by_kind_status_recipient_and_vietnam_day(organizer_client):
    late_evening = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=HANOI)  # 16:30 UTC, same day
    invitation = message(kind="invitation", recipient="hoa.le@example.org", context={"full_name": "Lê Thị Hoa"})
    failed = message(recipient="Binh.Tran@example.org", status=Status.FAILED, sent_at=None, due_at=late_evening)
    sent = message(recipient="an.nguyen@example.org", sent_at=late_evening + datetime.timedelta(hours=1))
    cases = {
        "kind=invitation": [invitation],
        "status=failed": [failed],
        "recipient=BINH": [failed],
        "recipient=example.org&status=sent": [sent, invitation],
        "date_from=2026-03-01&date_to=2026-03-01": [failed],
        "date_from=2026-03-02&date_to=2026-03-02": [sent],
        "date_to=2026-03-02": [sent, failed],
    }
    for query, expected in cases.items():
        assert log_rows(organizer_client.get(f"{LOG}?{query}")) == [row.pk for row in expected], query


def test_malformed_filters_are_shown_as_errors_not_failures(organizer_client):
    message()
    for query in (
        "kind=zzz",
        "status=lost",
        "date_from=2026-13-45",
        "date_to=yesterday",
        "page=abc",
        "recipient=" + "x" * 300,
    ):
        response = organizer_client.get(f"{LOG}?{query}")
        assert response.status_code == 200, query


def test_the_log_pages_keep_the_filters(organizer_client):
    for number in range(30):
        message(recipient=f"person{number}@example.org", status=Status.FAILED, sent_at=None)
    message(recipient="other@example.org")
    first = organizer_client.get(f"{LOG}?status=failed")
    assert len(log_rows(first)) == 25
    assert "?status=failed&amp;page=2" in first.content.decode()
    second = organizer_client.get(f"{LOG}?status=failed&page=2")
    assert len(log_rows(second)) == 5
    assert set(log_rows(first)).isdisjoint(log_rows(second))


@pytest.mark.parametrize("rows", [2, 20])
def test_the_log_reads_the_same_number_of_queries_at_ten_times_the_rows(
    organizer_client, rows, django_assert_num_queries
):
    for number in range(rows):
        original = message(recipient=f"person{number}@example.org", status=Status.FAILED, sent_at=None)
        message(recipient=original.recipient, key=f"{original.key}:copy", resent_from=original)
    # the session; the user; the user's groups (organizer?); its trainee record (the menu);
    # the kinds for the filter; the count of rows; the page's rows
    with django_assert_num_queries(7):
        response = organizer_client.get(f"{LOG}?status=failed")
    assert len(log_rows(response)) == rows
    with django_assert_num_queries(6):  # the kinds are kept a while
        organizer_client.get(f"{LOG}?status=failed")


# --- Upcoming ----------------------------------------------------------------------------


@pytest.fixture
def planner(monkeypatch):
    """One planner of session changes due in 3, 10 and 20 days, late in the evening (Vietnam time)."""
    monkeypatch.setattr(planning, "_planners", {})
    base = timezone.localtime().replace(hour=22, minute=30, second=0, microsecond=0)

    def plan_changes(*, start, end):
        due = [base + datetime.timedelta(days=days) for days in (3, 10, 20)]
        return [
            outbox.Message("session_changed", f"p{number}@example.org", f"test:{number}", SESSION, due_at=when)
            for number, when in enumerate(due)
            if start < when <= end
        ]

    planning.register("delivery-log-test", plan_changes)
    return base


def test_the_upcoming_tab_shows_what_planning_would_send_in_14_days_and_writes_nothing(organizer_client, planner):
    response = organizer_client.get(reverse("notifications:upcoming"))
    page = response.content.decode()
    assert "p0@example.org" in page and "p1@example.org" in page
    assert "p2@example.org" not in page  # beyond 14 days
    assert "Đã hủy: Chuyển đổi số cấp tỉnh" in page  # rendered, in the recipient's language
    # planning holds what falls in the night until 07:00 the next morning
    held = timezone.localtime(planner + datetime.timedelta(days=4)).replace(hour=7, minute=0)
    assert f"{held:%d/%m/%Y %H:%M}" in page
    assert "Session change: 2" in page
    assert OutboundMessage.objects.count() == 0
    assert PlanningMark.objects.count() == 0


def test_the_upcoming_tab_filters_by_kind_and_recipient(organizer_client, planner):
    url = reverse("notifications:upcoming")
    assert "p0@example.org" not in organizer_client.get(f"{url}?recipient=P1").content.decode()
    assert "p1@example.org" in organizer_client.get(f"{url}?recipient=P1").content.decode()
    assert "p1@example.org" not in organizer_client.get(f"{url}?kind=invitation").content.decode()
    assert organizer_client.get(f"{url}?kind={'x' * 300}&page=zz").status_code == 200
