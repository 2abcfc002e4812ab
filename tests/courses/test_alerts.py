"""Alerts to organizers: attendance not taken a day after a session, trainees at risk."""

import pytest
from django.contrib.auth.models import Group

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.notifications import delivery
from egovexperts.notifications.models import LanguagePreference, OutboundMessage
from tests.clock import plan_at, vn
from tests.factories import AttendanceFactory, CourseFactory, EnrolmentFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(organizer, admin_user):
    """The organizer, the admin, and people who must not get the programme office's mail."""
    gone = UserFactory(username="gone@example.org", is_active=False)
    gone.groups.add(Group.objects.get(name=ORGANIZER_GROUP))
    UserFactory(username="staff-only@example.org", is_staff=True)
    return sorted([organizer.email, admin_user.email])


def alerts(kind):
    return OutboundMessage.objects.filter(kind=kind)


def test_organizers_hear_once_when_attendance_is_not_taken_a_day_after_a_session(office):
    session = SessionFactory(title="Khung kiến trúc", starts_at=vn(2027, 3, 10, 8), ends_at=vn(2027, 3, 10, 11))
    recorded = SessionFactory(course=session.course, starts_at=vn(2027, 3, 10, 13), ends_at=vn(2027, 3, 10, 16))
    AttendanceFactory(session=recorded)
    cancelled = SessionFactory(starts_at=vn(2027, 3, 10, 8), ends_at=vn(2027, 3, 10, 11), status="cancelled")

    assert plan_at(vn(2027, 3, 11, 10, 55)).counts.get("missing_attendance") is None
    plan = plan_at(vn(2027, 3, 11, 11))
    assert plan.counts["missing_attendance"] == 2
    assert sorted(alerts("missing_attendance").values_list("recipient", flat=True)) == office
    assert set(alerts("missing_attendance").values_list("key", flat=True)) == {
        f"session:{session.pk}:missing_attendance"
    }
    assert plan_at(vn(2027, 3, 12, 11)).counts.get("missing_attendance") is None  # once per session
    assert not alerts("missing_attendance").filter(key__contains=f":{cancelled.pk}:").exists()

    mail = delivery.render(alerts("missing_attendance").first())
    assert "Khung kiến trúc" in mail.subject and f"/courses/sessions/{session.pk}/" in mail.body


def test_a_missing_attendance_alert_held_by_a_stopped_beat_still_goes_days_later(office):
    SessionFactory(starts_at=vn(2027, 3, 10, 8), ends_at=vn(2027, 3, 10, 11))
    plan_at(vn(2027, 3, 10, 12))
    assert plan_at(vn(2027, 3, 14, 9)).counts["missing_attendance"] == 2


@pytest.fixture
def course():
    """Five sessions at 80%: two held and recorded, three to come."""
    course = CourseFactory(code="CPĐT-101", title="Kiến trúc", min_attendance_percent=80)
    for day in (1, 8, 15, 22, 29):
        SessionFactory(course=course, starts_at=vn(2027, 3, day, 8), ends_at=vn(2027, 3, day, 11))
    return course


def attend(course, trainee, *statuses):
    for session, status in zip(course.sessions.order_by("starts_at"), statuses, strict=False):
        AttendanceFactory(session=session, trainee=trainee, status=status)


def test_a_trainee_who_can_no_longer_complete_a_course_and_the_organizers_hear_once(course, office):
    an = EnrolmentFactory(
        cohort=course.cohort, trainee__email="an@example.org", trainee__full_name="Nguyễn Văn An"
    ).trainee
    binh = EnrolmentFactory(cohort=course.cohort, trainee__email="binh@example.org").trainee
    attend(course, an, "absent")  # 1 held, at best 4 of 5: 80%, not at risk yet
    attend(course, binh, "present", "absent")
    assert plan_at(vn(2027, 3, 2, 9)).counts.get("at_risk") is None

    AttendanceFactory(session=course.sessions.order_by("starts_at")[1], trainee=an, status="absent")
    plan = plan_at(vn(2027, 3, 9, 9))  # at best 3 of 5: 60%
    assert plan.counts["at_risk"] == 3
    assert sorted(alerts("at_risk").values_list("recipient", flat=True)) == sorted([an.email, *office])
    assert plan_at(vn(2027, 3, 9, 9, 5)).written == 0
    third = course.sessions.order_by("starts_at")[2]
    AttendanceFactory(session=third, trainee=an, status="absent")
    AttendanceFactory(session=third, trainee=binh, status="present")
    plan_at(vn(2027, 3, 16, 9))  # still at risk, and worse: nothing more
    assert alerts("at_risk").count() == 3  # once per (trainee, course)

    LanguagePreference.objects.create(address=an.email, language="en")
    mine = alerts("at_risk").get(recipient=an.email)
    mine.language = "en"
    text = delivery.render(mine).body
    assert "You attended 0 of the 2 sessions" in text and "would reach 60%, below the 80%" in text
    theirs = alerts("at_risk").exclude(recipient=an.email).first()
    theirs.language = "en"
    assert delivery.render(theirs).subject == f"At risk: Nguyễn Văn An in {course}"


def test_nobody_is_told_of_a_course_that_is_over(course, office):
    an = EnrolmentFactory(cohort=course.cohort).trainee
    attend(course, an, "absent", "absent", "absent", "absent", "absent")
    assert plan_at(vn(2027, 4, 1, 9)).counts.get("at_risk") is None
