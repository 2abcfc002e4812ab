"""The organizers' weekly digest, Monday 07:00 Vietnam time (egovexperts/reports/digest.py)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.core.workdays import VIETNAM
from egovexperts.notifications import delivery, planning
from egovexperts.notifications.models import LanguagePreference, OutboundMessage
from tests.clock import plan_at, vn
from tests.factories import (
    AbsenceNoticeFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
MONDAY = datetime.datetime(2027, 3, 8, 7, tzinfo=VIETNAM)


def digests():
    return OutboundMessage.objects.filter(kind="weekly_digest")


@pytest.fixture
def programme(organizer, admin_user):
    course = CourseFactory(code="CPĐT-101", min_attendance_percent=80)
    an = EnrolmentFactory(cohort=course.cohort, trainee__full_name="Nguyễn Văn An").trainee
    binh = EnrolmentFactory(cohort=course.cohort, trainee__full_name="Trần Thị Bình").trainee
    # Two sessions held, An absent at both: 0 of 2, at best 2 of 4 with two to come.
    for day in (1, 3):
        held = SessionFactory(course=course, starts_at=vn(2027, 3, day, 8), ends_at=vn(2027, 3, day, 11))
        AttendanceFactory(session=held, trainee=an, status="absent")
        AttendanceFactory(session=held, trainee=binh, status="present")
    this_week = SessionFactory(
        course=course, title="Buổi tuần này", starts_at=vn(2027, 3, 10, 8), ends_at=vn(2027, 3, 10, 11)
    )
    SessionFactory(course=course, title="Buổi tuần sau", starts_at=vn(2027, 3, 17, 8), ends_at=vn(2027, 3, 17, 11))
    AbsenceNoticeFactory(session=this_week, trainee=binh, reason="Họp giao ban")
    CommitmentFactory(trainee=an, starts_on=datetime.date(2024, 5, 1))  # ends 1 May 2027
    CommitmentFactory(trainee=binh, starts_on=datetime.date(2025, 5, 1))  # ends 2028: not listed
    OutboundMessage.objects.create(
        kind="session_reminder",
        recipient="wrong@example.org",
        key="k",
        due_at=vn(2027, 3, 6, 10),
        status="failed",
        last_error="SMTPRecipientsRefused: 550 Mailbox unavailable",
    )
    inactive = UserFactory(username="left@example.org", is_active=False)
    inactive.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    return course


def test_each_organizer_gets_one_digest_on_monday_at_seven(programme, organizer, admin_user):
    assert plan_at(MONDAY - datetime.timedelta(minutes=1)).counts.get("weekly_digest") is None
    assert plan_at(MONDAY).counts["weekly_digest"] == 2
    assert sorted(digests().values_list("recipient", flat=True)) == [admin_user.email, organizer.email]
    assert plan_at(MONDAY + datetime.timedelta(minutes=5)).written == 0
    assert plan_at(vn(2027, 3, 9, 7)).counts.get("weekly_digest") is None


def test_the_digest_lists_the_week_notices_risks_commitments_and_failures(programme, organizer):
    LanguagePreference.objects.create(address=organizer.email, language="en")
    plan_at(MONDAY)
    body = delivery.render(digests().get(recipient=organizer.email)).body
    assert "The week from 08/03/2027 to 14/03/2027." in body
    assert "Sessions this week (1)" in body and "Buổi tuần này" in body and "Buổi tuần sau" not in body
    assert "1 absence notice" in body
    assert "Trần Thị Bình: Buổi tuần này, 10/03/2027 08:00 – Họp giao ban" in body
    assert "Trainees at risk (1)" in body and "Nguyễn Văn An, CPĐT-101: 50% at best of 80%" in body
    assert "Commitments ending within 90 days (1)" in body and "01/05/2027: Nguyễn Văn An" in body
    assert "wrong@example.org (session_reminder): SMTPRecipientsRefused" in body


def test_the_digest_is_computed_once_whatever_the_number_of_organizers(programme, django_assert_max_num_queries):
    for number in range(5):
        user = UserFactory(username=f"office{number}@example.org")
        user.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    with time_machine.travel(MONDAY, tick=False), django_assert_max_num_queries(40):
        messages = planning.plan(dry_run=True).messages
    assert len([message for message in messages if message.kind == "weekly_digest"]) == 7
