"""Restoring a version: a confirmation that shows what changes, then the service that owns the
record, with its rules and side effects; a new version, none rewritten."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cohorts import services as cohort_services
from cohorts.models import Enrolment
from courses import services as course_services
from courses.models import Attendance, Session
from egovexperts.notifications.models import OutboundMessage
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CohortFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)
from trainees import services as trainee_services
from trainees.models import Assignment, RetentionCommitment, Trainee

pytestmark = pytest.mark.django_db

D = datetime.date
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
NOW = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)  # 09:00 in Hà Nội


@pytest.fixture(autouse=True)
def now():
    """The clock runs: each version is later than the one before."""
    with time_machine.travel(NOW):
        yield


def at(day, hour=8):
    return datetime.datetime(2026, 3, day, hour, tzinfo=VIETNAM)


def url(feed: str, pk: int, kind: str, version) -> str:
    return reverse(f"history:{feed}-restore", args=[pk, kind, version.history_id])


def first_version(record):
    return record.history.earliest()


# --- Sessions -------------------------------------------------------------------------


@pytest.fixture
def session():
    """A session two trainees are told of, moved once."""
    session = SessionFactory(title="Dữ liệu mở", starts_at=at(10), ends_at=at(10, 11))
    EnrolmentFactory.create_batch(2, cohort=session.course.cohort)
    course_services.reschedule_session(session, starts_at=at(12, 13), ends_at=at(12, 16), reason="Giảng viên bận")
    OutboundMessage.objects.all().delete()
    session.refresh_from_db()
    return session


def test_the_confirmation_shows_the_times_that_come_back_and_that_trainees_are_told(organizer_client, session):
    response = organizer_client.get(url("session", session.pk, "session", first_version(session)))

    assert response.status_code == 200
    changes = {change.label: (change.old, change.new) for change in response.context["plan"].changes}
    assert changes == {
        "Start": ("12/03/2026 13:00", "10/03/2026 08:00"),
        "End": ("12/03/2026 16:00", "10/03/2026 11:00"),
    }
    assert "Every trainee concerned receives a notice of the change." in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at(12, 13)  # a GET changes nothing


def test_restoring_a_session_time_reschedules_it_and_queues_a_change_notice(organizer_client, organizer, session):
    response = organizer_client.post(url("session", session.pk, "session", first_version(session)))

    assert response.status_code == 302 and response["Location"] == reverse("courses:session-detail", args=[session.pk])
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (at(10), at(10, 11))
    assert (session.status, session.sequence) == (Session.Status.RESCHEDULED, 2)
    latest = session.history.latest()
    assert latest.history_user == organizer
    assert latest.history_change_reason == "Restored version of 02/03/2026 09:00 by organizer@example.org"
    assert session.history.count() == 3  # created, moved, moved back: none rewritten
    notices = OutboundMessage.objects.filter(kind="session_changed")
    assert notices.count() == 2
    assert {notice.key for notice in notices} == {f"session:{session.pk}:rescheduled:2"}
    assert notices.first().context["changes"][0] == ["starts_at", "12/03/2026 13:00", "10/03/2026 08:00"]


def test_a_time_that_clashes_with_another_session_of_the_cohort_is_refused_with_a_message(organizer_client, session):
    SessionFactory(
        course=CourseFactory(cohort=session.course.cohort), title="Họp lớp", starts_at=at(10, 9), ends_at=at(10, 10)
    )

    response = organizer_client.post(url("session", session.pk, "session", first_version(session)))

    assert response.status_code == 200
    assert "The cohort already has “Họp lớp”" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == at(12, 13) and not OutboundMessage.objects.exists()


def test_a_cancelled_session_restored_takes_place_again_and_its_trainees_are_told(organizer_client, session):
    before_cancel = session.history.latest()
    course_services.cancel_session(session, reason="Bão")
    OutboundMessage.objects.all().delete()

    response = organizer_client.post(url("session", session.pk, "session", before_cancel))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.sequence, session.starts_at) == (Session.Status.RESCHEDULED, 3, at(12, 13))
    keys = set(OutboundMessage.objects.filter(kind="session_changed").values_list("key", flat=True))
    assert keys == {f"session:{session.pk}:rescheduled:3"}


def test_a_cancelled_session_in_the_past_is_not_brought_back(organizer_client):
    session = SessionFactory(starts_at=at(1), ends_at=at(1, 11))
    course_services.cancel_session(session, reason="Bão")

    response = organizer_client.post(url("session", session.pk, "session", first_version(session)))

    assert response.status_code == 200
    assert "a cancelled session cannot be brought back" in response.content.decode()
    session.refresh_from_db()
    assert session.is_cancelled


def test_restoring_a_version_from_before_a_session_was_moved_when_it_is_now_cancelled_says_so(
    organizer_client, session
):
    cancelled = course_services.cancel_session(session, reason="Bão")
    course_services_version = cancelled.history.latest()
    response = organizer_client.get(url("session", session.pk, "session", course_services_version))
    assert "already has this version" in response.content.decode()


def test_restoring_a_cancelled_version_cancels_the_session_through_its_service(organizer_client, session):
    course_services.cancel_session(session, reason="Bão")
    cancelled = session.history.latest()
    # Brought back by hand since (e.g. in the admin): the cancelled version is no longer current.
    session.refresh_from_db()
    session.status = Session.Status.SCHEDULED
    session.save()
    OutboundMessage.objects.all().delete()

    organizer_client.post(url("session", session.pk, "session", cancelled))

    session.refresh_from_db()
    assert session.is_cancelled and session.sequence == 3
    keys = set(OutboundMessage.objects.values_list("key", flat=True))
    assert keys == {f"session:{session.pk}:cancelled:3"}


def test_a_session_detail_restored_is_saved_as_an_edit_is(organizer_client, session):
    session.venue = "Phòng 301"
    session.save()
    version = session.history.latest()
    session.venue = "Phòng 105"
    session.save()

    organizer_client.post(url("session", session.pk, "session", version))

    session.refresh_from_db()
    assert (session.venue, session.sequence, session.starts_at) == ("Phòng 301", 1, at(12, 13))


# --- Attendance -----------------------------------------------------------------------


def test_restoring_an_attendance_marks_it_again_through_record_attendance(organizer_client, organizer):
    enrolment = EnrolmentFactory()
    session = SessionFactory(course=CourseFactory(cohort=enrolment.cohort), starts_at=at(1), ends_at=at(1, 11))
    course_services.record_attendance(session, trainee=enrolment.trainee, status="late", note="Tắc đường")
    attendance = Attendance.objects.get()
    course_services.record_attendance(session, trainee=enrolment.trainee, status="absent")

    response = organizer_client.post(url("session", session.pk, "attendance", first_version(attendance)))

    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.status, attendance.note, attendance.recorded_by) == ("late", "Tắc đường", organizer)
    latest = attendance.history.latest()
    assert latest.history_change_reason.startswith("Restored version of 02/03/2026 09:00")
    assert attendance.history.count() == 3


def test_attendance_is_not_restored_on_a_cancelled_session(organizer_client):
    attendance = AttendanceFactory(status="present", session__starts_at=at(1), session__ends_at=at(1, 11))
    EnrolmentFactory(cohort=attendance.session.course.cohort, trainee=attendance.trainee)
    attendance.status = "absent"
    attendance.save()
    course_services.cancel_session(attendance.session, reason="Bão")

    response = organizer_client.post(url("session", attendance.session_id, "attendance", first_version(attendance)))

    assert "This session is cancelled: no attendance is taken." in response.content.decode()
    attendance.refresh_from_db()
    assert attendance.status == "absent"


# --- Enrolments -----------------------------------------------------------------------


def test_a_withdrawal_restored_takes_a_place_in_the_cohort_again(organizer_client):
    enrolment = EnrolmentFactory()
    active = enrolment.history.latest()
    cohort_services.withdraw_enrolment(enrolment, on=D(2021, 1, 4), reason="Ốm dài ngày")

    response = organizer_client.post(url("cohort", enrolment.cohort_id, "enrolment", active))

    assert response.status_code == 302 and response["Location"] == reverse(
        "cohorts:cohort-detail", args=[enrolment.cohort_id]
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on, enrolment.withdrawal_reason) == ("active", None, "")


def test_a_withdrawal_is_not_undone_in_a_full_cohort(organizer_client):
    cohort = CohortFactory(capacity=1)
    enrolment = EnrolmentFactory(cohort=cohort)
    active = enrolment.history.latest()
    cohort_services.withdraw_enrolment(enrolment, on=D(2021, 1, 4), reason="Ốm dài ngày")
    EnrolmentFactory(cohort=cohort)

    response = organizer_client.post(url("trainee", enrolment.trainee_id, "enrolment", active))

    assert response.status_code == 200
    assert "The cohort is full (1 places)." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


# --- Trainees, posts, commitments -----------------------------------------------------


def test_a_trainee_version_brings_back_name_email_and_phone(organizer_client, organizer):
    trainee = TraineeFactory(full_name="Nguyễn Thị Mai", email="mai@so-tttt.gov.vn", phone="0912 000 111")
    first = first_version(trainee)
    trainee.full_name, trainee.email, trainee.phone = "Nguyễn Thị Mái", "mai.nguyen@gmail.com", ""
    trainee.save()

    response = organizer_client.post(url("trainee", trainee.pk, "trainee", first))

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert (trainee.full_name, trainee.email, trainee.phone) == ("Nguyễn Thị Mai", "mai@so-tttt.gov.vn", "0912 000 111")
    assert Trainee.objects.search("mai nguyen").get() == trainee  # the derived search text follows
    assert trainee.history.latest().history_user == organizer


def test_an_email_taken_by_another_trainee_since_is_refused_with_a_message(organizer_client):
    trainee = TraineeFactory(email="mai@so-tttt.gov.vn")
    first = first_version(trainee)
    trainee.email = "mai.nguyen@gmail.com"
    trainee.save()
    TraineeFactory(email="mai@so-tttt.gov.vn")

    response = organizer_client.post(url("trainee", trainee.pk, "trainee", first))

    assert response.status_code == 200
    assert "Another trainee has the address mai@so-tttt.gov.vn." in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.email == "mai.nguyen@gmail.com"


@pytest.fixture
def doctor():
    """At Bộ Y tế since 2019, committed to it from 17/01/2024 to 17/01/2027."""
    trainee = TraineeFactory(full_name="Phạm Thị Hoa")
    post = AssignmentFactory(
        trainee=trainee, agency=agency("bo-y-te"), starts_on=D(2019, 1, 1), position="Phó Cục trưởng"
    )
    CommitmentFactory(trainee=trainee, agency=agency("bo-y-te"), starts_on=D(2024, 1, 17))
    return trainee, post


def alerts():
    return list(OutboundMessage.objects.filter(kind="commitment_broken").values_list("key", flat=True))


def test_a_post_restored_to_another_agency_needs_the_breach_confirmed_and_alerts_of_it(organizer_client, doctor):
    trainee, _post = doctor
    commitment = RetentionCommitment.objects.get()
    transfer = trainee_services.record_assignment(
        trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2025, 7, 1)
    )
    wrong = transfer.history.latest()
    transfer.agency = agency("bo-y-te")  # corrected since: a move inside the ministry
    transfer.save()
    OutboundMessage.objects.all().delete()

    shown = organizer_client.get(url("trainee", trainee.pk, "post", wrong))
    assert "This change breaks the commitment of Bộ Y tế, ends 17/01/2027" in shown.content.decode()
    token = shown.context["plan"].token
    assert token == f"{commitment.pk}:2025-07-01"

    refused = organizer_client.post(url("trainee", trainee.pk, "post", wrong))
    assert refused.status_code == 200
    transfer.refresh_from_db()
    assert transfer.agency == agency("bo-y-te") and not alerts()

    done = organizer_client.post(url("trainee", trainee.pk, "post", wrong), {"confirm": token})
    assert done.status_code == 302
    transfer.refresh_from_db()
    assert transfer.agency == agency("bo-tai-chinh")
    assert alerts() == [f"commitment:{commitment.pk}:broken:20250701"]
    trainee.refresh_from_db()
    assert "tai chinh" in trainee.post_search_text  # the trainee's copy of their post follows


def test_a_post_restored_without_breach_needs_no_confirmation(organizer_client, doctor):
    trainee, post = doctor
    first = first_version(post)
    post.position = "Cục trưởng"
    post.save()

    response = organizer_client.post(url("trainee", trainee.pk, "post", first))

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.position == "Phó Cục trưởng"


def test_a_closed_post_is_not_reopened_beside_the_open_one(organizer_client, doctor):
    trainee, post = doctor
    open_version = post.history.latest()
    trainee_services.record_assignment(
        trainee, agency=agency("bo-y-te"), position="Cục trưởng", starts_on=D(2025, 1, 1)
    )

    response = organizer_client.post(url("trainee", trainee.pk, "post", open_version))

    assert "The trainee holds another open post" in response.content.decode()
    post.refresh_from_db()
    assert post.ends_on == D(2024, 12, 31)


def test_a_waiver_lifted_over_a_transfer_alerts_of_the_breach(organizer_client, doctor):
    trainee, _post = doctor
    commitment = RetentionCommitment.objects.get()
    unwaived = commitment.history.latest()
    trainee_services.waive_commitment(commitment, waived_on=D(2025, 6, 1), reason="Nghỉ hưu")
    trainee_services.record_assignment(
        trainee, agency=agency("bo-tai-chinh"), position="Vụ trưởng", starts_on=D(2025, 7, 1)
    )
    assert not alerts()

    response = organizer_client.post(url("trainee", trainee.pk, "commitment", unwaived))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.waived_on, commitment.waiver_reason) == (None, "")
    assert alerts() == [f"commitment:{commitment.pk}:broken:20250701"]


def test_a_waiver_comes_back_with_its_date_and_reason(organizer_client, doctor):
    trainee, _post = doctor
    commitment = RetentionCommitment.objects.get()
    trainee_services.waive_commitment(commitment, waived_on=D(2025, 6, 1), reason="Nghỉ hưu")
    waived = commitment.history.latest()
    commitment.refresh_from_db()
    commitment.waived_on, commitment.waiver_reason = None, ""
    commitment.save()

    organizer_client.post(url("trainee", trainee.pk, "commitment", waived))

    commitment.refresh_from_db()
    assert (commitment.waived_on, commitment.waiver_reason) == (D(2025, 6, 1), "Nghỉ hưu")


def test_the_current_version_and_deletions_offer_no_restore(organizer_client, doctor):
    trainee, post = doctor
    response = organizer_client.get(url("trainee", trainee.pk, "post", post.history.latest()))
    assert "already has this version" in response.content.decode()
    assert 'type="submit"' not in response.content.decode().split("<main")[1]

    post_pk = post.pk
    post.delete()
    deletion = Assignment.history.filter(id=post_pk).latest()
    response = organizer_client.post(url("trainee", trainee.pk, "post", deletion))
    assert response.status_code == 200 and "records a deletion" in response.content.decode()
