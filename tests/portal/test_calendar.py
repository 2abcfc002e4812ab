import datetime

import icalendar
import pytest
from django.urls import reverse

from courses.services import cancel_session, reschedule_session
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory
from tests.portal.helpers import at


def _feed(client, trainee):
    response = client.get(reverse("portal:calendar-feed", args=[trainee.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_my_sessions_in_utc_with_stable_uids(client, trainee, course, other_session):
    session = SessionFactory(
        course=course,
        title="Kiến trúc tổng thể",
        starts_at=datetime.datetime(2031, 3, 2, 1, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 3, 2, 4, 30, tzinfo=datetime.UTC),
        meeting_url="https://meet.example.org/kien-truc",
        lecturers="TS. Lê Quang Minh",
    )

    calendar = _feed(client, trainee)

    assert str(calendar["VERSION"]) == "2.0"
    events = _events(calendar)
    assert list(events) == [f"session-{session.pk}@egovexperts"]
    event = events[f"session-{session.pk}@egovexperts"]
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["SUMMARY"]) == "CPĐT-101: Kiến trúc tổng thể"
    assert str(event["URL"]) == "https://meet.example.org/kien-truc"
    assert "TS. Lê Quang Minh" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(10, 8), ends_at=at(10, 12))
    before = _events(_feed(client, trainee))

    reschedule_session(session, starts_at=at(12, 13), ends_at=at(12, 17), reason="Giảng viên bận")
    after = _events(_feed(client, trainee))

    uid = f"session-{session.pk}@egovexperts"
    assert list(before) == list(after) == [uid]
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert after[uid].decoded("DTSTART") == at(12, 13)


def test_a_cancelled_session_stays_in_the_feed_as_cancelled_with_a_higher_sequence(client, trainee, course):
    session = SessionFactory(course=course, starts_at=at(10))
    cancel_session(session, reason="Bão")

    event = _events(_feed(client, trainee))[f"session-{session.pk}@egovexperts"]

    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_a_regenerated_token_revokes_the_old_feed_url(trainee_client, trainee, course):
    old_url = reverse("portal:calendar-feed", args=[trainee.calendar_token])
    assert trainee_client.get(old_url).status_code == 200

    response = trainee_client.post(reverse("portal:calendar-token-regenerate"))

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee_client.get(old_url).status_code == 404
    assert trainee_client.get(reverse("portal:calendar-feed", args=[trainee.calendar_token])).status_code == 200


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "%20"])
def test_an_unknown_token_gets_404(client, trainee, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_another_trainees_token_shows_only_their_sessions(client, other_trainee, course, other_session):
    SessionFactory(course=course, title="Buổi học của tôi")
    events = _events(_feed(client, other_trainee))
    assert list(events) == [f"session-{other_session.pk}@egovexperts"]


def test_a_single_session_downloads_as_an_ics_file(trainee_client, course):
    session = SessionFactory(course=course, venue="Hội trường A, 18 Nguyễn Du")

    response = trainee_client.get(reverse("portal:session-ics", args=[session.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="session-{session.pk}.ics"'
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == f"session-{session.pk}@egovexperts"
    assert str(event["LOCATION"]) == "Hội trường A, 18 Nguyễn Du"


def _feed_queries(client, trainee, django_assert_num_queries):
    # 1 trainee by token, 2 sessions with their course.
    with django_assert_num_queries(2):
        _feed(client, trainee)


def test_the_feed_takes_the_same_queries_for_3_or_30_sessions(client, trainee, django_assert_num_queries):
    course = CourseFactory()
    EnrolmentFactory(trainee=trainee, cohort=course.cohort)
    SessionFactory.create_batch(3, course=course)
    _feed_queries(client, trainee, django_assert_num_queries)
    SessionFactory.create_batch(30, course=CourseFactory(cohort=course.cohort))
    _feed_queries(client, trainee, django_assert_num_queries)
