"""The history on each object's page: who changed what and when, as people read it, in a fixed
number of queries however long the history."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cohorts import services as cohort_services
from courses import services as course_services
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
    UserFactory,
    agency,
)
from trainees import services as trainee_services

pytestmark = pytest.mark.django_db

VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(day, hour=8, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=VIETNAM)


def page(client, name, pk, **extra):
    return client.get(reverse(f"history:{name}", args=[pk]), **extra)


def versions(response):
    return response.context["page"].versions


def response_template(response) -> str:
    return response.templates[0].name


def changes(version) -> dict:
    return {change.label: (change.old, change.new) for change in version.changes}


def test_a_session_history_shows_when_in_vietnam_why_and_each_change_with_labels(organizer_client):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC), tick=False):
        session = SessionFactory(title="Kiến trúc CPĐT", kind="in_person", starts_at=at(10), ends_at=at(10, 11, 30))
    with time_machine.travel(datetime.datetime(2026, 3, 2, 1, 5, tzinfo=datetime.UTC), tick=False):
        course_services.reschedule_session(session, starts_at=at(12, 13), ends_at=at(12, 16), reason="Giảng viên bận")

    response = page(organizer_client, "session", session.pk)

    moved, created = versions(response)
    assert (moved.who, moved.reason) == ("Giảng viên bận", "Giảng viên bận")  # no user outside a request
    assert changes(moved) == {
        "Start": ("10/03/2026 08:00", "12/03/2026 13:00"),
        "End": ("10/03/2026 11:30", "12/03/2026 16:00"),
        "Status": ("scheduled", "rescheduled"),
    }
    assert moved.latest and not moved.restorable and created.restorable
    assert created.action == "created"
    assert changes(created)["Title"] == (None, "Kiến trúc CPĐT")
    assert changes(created)["Kind"] == (None, "in person")
    html = response.content.decode()
    assert "02/03/2026 08:05" in html  # 01:05 UTC is 08:05 in Hà Nội
    assert "10/03/2026 08:00</del> → <ins>12/03/2026 13:00" in html


def test_the_user_who_made_a_change_over_the_web_is_named(organizer_client, organizer):
    session = SessionFactory(starts_at=at(10), ends_at=at(10, 11))
    organizer.first_name, organizer.last_name = "Hoa", "Trần"
    organizer.save()
    data = {"starts_at": "2026-03-11T08:00", "ends_at": "2026-03-11T11:00", "reason": "Đổi phòng"}
    organizer_client.post(reverse("courses:session-reschedule", args=[session.pk]), data)

    latest, first = versions(page(organizer_client, "session", session.pk))
    assert (latest.who, latest.why) == ("Hoa Trần", "Đổi phòng")
    assert first.who == "system"  # created by the factory, outside any request
    assert latest.latest and not latest.restorable


def test_a_change_without_a_user_is_named_by_its_reason_such_as_an_import_run(organizer_client):
    trainee = TraineeFactory(full_name="Đỗ Minh Châu")
    trainee.phone = "0987 654 321"
    trainee._change_reason = "Import #12 (hoc-vien.xlsx)"
    trainee.save()

    latest, _first = versions(page(organizer_client, "trainee", trainee.pk))
    assert (latest.who, latest.why) == ("Import #12 (hoc-vien.xlsx)", "")


def test_the_trainee_page_lists_posts_commitments_and_enrolments_with_choices_and_agencies_by_name(
    organizer_client,
):
    post = AssignmentFactory(agency=agency("ha-noi"), position="Chuyên viên", starts_on=datetime.date(2019, 1, 1))
    trainee = post.trainee
    commitment = CommitmentFactory(trainee=trainee, agency=agency("ha-noi"), starts_on=datetime.date(2020, 6, 1))
    enrolment = EnrolmentFactory(trainee=trainee, cohort__name="Khóa 2")
    trainee_services.record_assignment(
        trainee, agency=agency("bo-y-te"), position="Vụ trưởng", starts_on=datetime.date(2021, 7, 1), reason="promoted"
    )
    trainee_services.waive_commitment(commitment, waived_on=datetime.date(2021, 7, 1), reason="Nghỉ hưu sớm")
    cohort_services.withdraw_enrolment(enrolment, on=datetime.date(2021, 8, 1), reason="Chuyển công tác")

    found = versions(page(organizer_client, "trainee", trainee.pk))

    by_title = {(version.kind.name, version.title, version.action): version for version in found}
    closed = by_title[("post", "Chuyên viên, Hà Nội", "changed")]
    assert changes(closed) == {"To": ("—", "30/06/2021"), "Reason for leaving": ("—", "promoted")}
    opened = by_title[("post", "Vụ trưởng, Bộ Y tế", "created")]
    assert changes(opened)["Agency"] == (None, "Bộ Y tế")
    assert changes(opened)["Reason"] == (None, "promoted")
    waived = by_title[("commitment", "Hà Nội, 01/06/2020–01/06/2023", "changed")]
    assert changes(waived) == {"Waived on": ("—", "01/07/2021"), "Reason for waiver": ("—", "Nghỉ hưu sớm")}
    withdrawn = by_title[("enrolment", f"{trainee.full_name} – Khóa 2", "changed")]
    assert changes(withdrawn)["Status"] == ("active", "withdrawn")
    assert withdrawn.why == "" and withdrawn.who == "Chuyển công tác"


def test_the_account_link_shows_by_the_account_name_and_derived_or_secret_columns_never_show(organizer_client):
    trainee = TraineeFactory()
    trainee.user = UserFactory(username="bich@so-tttt.gov.vn")
    trainee.save()

    latest, first = versions(page(organizer_client, "trainee", trainee.pk))
    assert changes(latest) == {"User account": ("—", "bich@so-tttt.gov.vn")}
    labels = set(changes(first))
    assert labels == {"Full name", "Email", "Phone", "Send me reminders by email"}
    assert trainee.calendar_token not in page(organizer_client, "trainee", trainee.pk).content.decode()


def test_the_session_page_lists_its_attendance_changes(organizer_client, organizer):
    attendance = AttendanceFactory(status="absent", session__starts_at=at(2), session__ends_at=at(2, 11))
    attendance.status, attendance.note, attendance._history_user = "excused", "Có giấy phép", organizer
    attendance.save()

    latest, _created, _session = versions(page(organizer_client, "session", attendance.session_id))
    assert latest.kind.name == "attendance" and latest.title == attendance.trainee.full_name
    assert changes(latest) == {"Status": ("absent", "excused"), "Note": ("—", "Có giấy phép")}


def test_the_cohort_page_lists_its_enrolments(organizer_client):
    enrolment = EnrolmentFactory()
    cohort_services.withdraw_enrolment(enrolment, on=datetime.date(2021, 1, 4), reason="Ốm dài ngày")

    latest, _created = versions(page(organizer_client, "cohort", enrolment.cohort_id))
    assert changes(latest)["Reason for withdrawal"] == ("—", "Ốm dài ngày")


def test_the_object_page_loads_its_last_changes_and_links_to_every_change(organizer_client):
    session = SessionFactory(starts_at=at(20), ends_at=at(20, 11))
    for day in range(21, 21 + 12):
        moved = at(day) if day <= 31 else at(31, day - 20)
        course_services.reschedule_session(
            session, starts_at=moved, ends_at=moved + datetime.timedelta(hours=1), reason="x"
        )

    detail = organizer_client.get(reverse("courses:session-detail", args=[session.pk])).content.decode()
    history_url = reverse("history:session", args=[session.pk])
    assert f'hx-get="{history_url}"' in detail

    section = page(organizer_client, "session", session.pk, **HTMX)
    assert response_template(section) == "history/_versions.html"
    assert len(versions(section)) == 10
    assert f'href="{history_url}"' in section.content.decode()
    assert len(versions(page(organizer_client, "session", session.pk))) == 13


def test_a_long_history_is_read_fifty_versions_a_page(organizer_client):
    trainee = TraineeFactory()
    for number in range(60):
        trainee.phone = f"09{number:08d}"
        trainee.save()

    first = page(organizer_client, "trainee", trainee.pk)
    assert len(versions(first)) == 50 and first.context["page"].has_next
    assert "?page=2" in first.content.decode()
    second = organizer_client.get(reverse("history:trainee", args=[trainee.pk]) + "?page=2")
    assert len(versions(second)) == 11 and not second.context["page"].has_next
    assert versions(second)[-1].action == "created"


def _busy_trainee(size: int):
    """A trainee with `size` changes of each kind their page shows."""
    post = AssignmentFactory(starts_on=datetime.date(2019, 1, 1))
    trainee = post.trainee
    commitment = CommitmentFactory(trainee=trainee)
    enrolment = EnrolmentFactory(trainee=trainee)
    for number in range(size):
        for record, field, value in [
            (trainee, "phone", f"09{number:08d}"),
            (post, "position", f"Chuyên viên bậc {number}"),
            (commitment, "document_ref", f"{number}/QĐ-UBND"),
            (enrolment, "nominated_by", agency("bo-y-te" if number % 2 else "ha-noi")),
        ]:
            setattr(record, field, value)
            record.save()
    return trainee


@pytest.mark.parametrize("size", [3, 30])
def test_the_trainee_history_takes_the_same_queries_however_long(organizer_client, django_assert_num_queries, size):
    trainee = _busy_trainee(size)
    organizer_client.get(reverse("history:trainee", args=[trainee.pk]))  # the session, the user, their groups
    with django_assert_num_queries(17):
        # 3: session, user, groups (organizer); 1: the trainee
        # 1: the page's versions across the four tables (UNION)
        # 8: per kind, its versions (with the one before and whether one after) and those before
        # 3: names of the agencies, cohorts and trainees the versions point to
        # 1: whether the user is a trainee (the menu)
        organizer_client.get(reverse("history:trainee", args=[trainee.pk]))


@pytest.mark.parametrize("size", [3, 30])
def test_the_session_history_takes_the_same_queries_however_long(organizer_client, django_assert_num_queries, size):
    attendance = AttendanceFactory(session__starts_at=at(2), session__ends_at=at(2, 11))
    session = attendance.session
    for number in range(size):
        session.venue = f"Phòng {number}"
        session.save()
        attendance.status = "late" if number % 2 else "present"
        attendance.save()
    organizer_client.get(reverse("history:session", args=[session.pk]))
    with django_assert_num_queries(11):
        # 3: session, user, groups (organizer); 1: the session
        # 1: the page's versions across the two tables (UNION)
        # 4: per kind, its versions (with the one before and whether one after) and those before
        # 1: names of the trainees the versions point to; 1: whether the user is a trainee (the menu)
        organizer_client.get(reverse("history:session", args=[session.pk]), **HTMX)
