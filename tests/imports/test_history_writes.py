"""Imports and reverts write their records in bulk, and a history row for each: who ran the
import or revert, and which run, as the object's history shows."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.models import Enrolment
from courses.models import Attendance, Session
from egovexperts.imports import services
from tests.factories import (
    AbsenceNoticeFactory,
    AssignmentFactory,
    CourseFactory,
    EnrolmentFactory,
    PostChangeRequestFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)
from tests.imports.conftest import fingerprint, xlsx
from tests.imports.test_schedule_attendance import ATTENDANCE, SCHEDULE, local
from trainees.models import Assignment, RetentionCommitment, Trainee

ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "", "Khóa 3", "01/06/2024"]


def history(model, *fields):
    """Every history row of a model, oldest first, as (type, user, reason, *fields)."""
    rows = model.history.order_by("history_date", "history_id")
    return list(rows.values_list("history_type", "history_user__username", "history_change_reason", *fields))


def test_a_trainee_import_writes_a_history_row_for_each_record_it_creates(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    by = (organizer.username, f"Import #{run.pk} (danh-sach.xlsx)")

    assert history(Trainee, "full_name", "phone") == [("+", *by, "Nguyễn Văn An", "0912345678")]
    assert history(Assignment, "position", "agency__slug") == [("+", *by, "Trưởng phòng", "ha-noi")]
    assert history(Enrolment, "cohort_id", "status") == [("+", *by, cohort.pk, "active")]
    assert history(RetentionCommitment, "starts_on") == [("+", *by, datetime.date(2024, 6, 1))]


def test_a_trainee_import_writes_a_history_row_for_each_record_it_changes(cohort, organizer, admin_user):
    with time_machine.travel(datetime.date(2025, 1, 10)):
        services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    changed = list(ROW)
    changed[2], changed[7] = "0999999999", "01/07/2024"
    with time_machine.travel(datetime.date(2025, 2, 1)):
        second = services.confirm(xlsx([changed], name="bo-sung.xlsx"), kind="trainees", user=admin_user)
    changed[4] = "Bộ Tài chính"
    with time_machine.travel(datetime.date(2025, 3, 1)):
        third = services.confirm(xlsx([changed], name="chuyen.xlsx"), kind="trainees", user=organizer)
    by_second = (admin_user.username, f"Import #{second.pk} (bo-sung.xlsx)")
    by_third = (organizer.username, f"Import #{third.pk} (chuyen.xlsx)")

    assert history(Trainee, "phone")[1:] == [("~", *by_second, "0999999999")]
    assert history(RetentionCommitment, "agency__slug", "starts_on")[1:] == [
        ("~", *by_second, "ha-noi", datetime.date(2024, 7, 1))
    ]
    # The transfer goes through record_assignment, which saves each post: those rows are the run's too.
    assert history(Assignment, "agency__slug", "ends_on")[1:] == [
        ("~", *by_third, "ha-noi", datetime.date(2025, 2, 28)),
        ("+", *by_third, "bo-tai-chinh", None),
    ]


def test_a_post_corrected_the_same_day_gets_a_history_row_with_its_new_search_text(cohort, organizer):
    today = list(ROW)
    today[7] = ""  # without a commitment, the post starts today
    services.confirm(xlsx([today]), kind="trainees", user=organizer)
    corrected = list(today)
    corrected[4] = "Bộ Tài chính"
    run = services.confirm(xlsx([corrected]), kind="trainees", user=organizer)
    [(kind, user, reason, slug, search_text)] = history(Assignment, "agency__slug", "search_text")[1:]
    assert (kind, user, reason, slug) == ("~", organizer.username, f"Import #{run.pk} (danh-sach.xlsx)", "bo-tai-chinh")
    assert search_text == Assignment.objects.get().search_text and "tai chinh" in search_text


def test_an_invitation_sent_by_an_import_is_in_the_history_of_the_run(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer, invite=True)
    trainee = Trainee.objects.get()
    assert trainee.user is not None
    reason = f"Import #{run.pk} (danh-sach.xlsx)"
    assert history(Trainee, "user_id") == [
        ("+", organizer.username, reason, None),
        ("~", organizer.username, reason, trainee.user_id),
    ]


def test_a_schedule_import_writes_a_history_row_for_each_session_it_creates_or_moves(organizer):
    CourseFactory(code="CDS-01")
    rows = [["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30", "", "Phòng 1", ""]]
    first = services.confirm(xlsx(rows, headers=SCHEDULE, name="lich.xlsx"), kind="schedule", user=organizer)
    rows[0][2:4] = ["05/01/2026 13:30", "05/01/2026 17:00"]
    second = services.confirm(xlsx(rows, headers=SCHEDULE, name="lich.xlsx"), kind="schedule", user=organizer)

    assert history(Session, "starts_at", "status", "sequence") == [
        ("+", organizer.username, f"Import #{first.pk} (lich.xlsx)", local(2026, 1, 5, 8), "scheduled", 0),
        ("~", organizer.username, f"Import #{second.pk} (lich.xlsx)", local(2026, 1, 5, 13, 30), "rescheduled", 1),
    ]


def test_an_attendance_import_writes_a_history_row_for_each_mark_it_creates_or_changes(organizer):
    course = CourseFactory()
    SessionFactory(course=course, title="Khai giảng", starts_at=local(2026, 1, 5, 8, 0))
    an = TraineeFactory(email="an@example.org")
    EnrolmentFactory(cohort=course.cohort, trainee=an, enrolled_on=datetime.date(2025, 12, 1))
    rows = [["an@example.org", "Khai giảng", "có mặt", ""]]
    first = services.confirm(
        xlsx(rows, headers=ATTENDANCE, name="dd.xlsx"), kind="attendance", user=organizer, course=course
    )
    rows[0][2:] = ["đi muộn", "kẹt xe"]
    second = services.confirm(
        xlsx(rows, headers=ATTENDANCE, name="dd.xlsx"), kind="attendance", user=organizer, course=course
    )

    assert history(Attendance, "status", "note", "recorded_by_id") == [
        ("+", organizer.username, f"Import #{first.pk} (dd.xlsx)", "present", "", organizer.pk),
        ("~", organizer.username, f"Import #{second.pk} (dd.xlsx)", "late", "kẹt xe", organizer.pk),
    ]


def test_reverting_an_import_writes_a_deletion_row_for_each_record_it_created(cohort, organizer, admin_user):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    services.revert(run, user=admin_user)
    by = (admin_user.username, f"Revert of import #{run.pk}")

    for model in (Trainee, Assignment, Enrolment, RetentionCommitment):
        assert [row[:3] for row in history(model)] == [
            ("+", organizer.username, f"Import #{run.pk} (danh-sach.xlsx)"),
            ("-", *by),
        ]
    assert not Trainee.objects.exists()


def test_reverting_an_import_writes_a_history_row_for_each_record_it_puts_back(cohort, organizer, admin_user):
    with time_machine.travel(datetime.date(2025, 1, 10)):
        services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    changed = list(ROW)
    changed[2], changed[4] = "0999999999", "Bộ Tài chính"
    with time_machine.travel(datetime.date(2025, 3, 1)):
        run = services.confirm(xlsx([changed]), kind="trainees", user=organizer)
        services.revert(run, user=admin_user)
    by = (admin_user.username, f"Revert of import #{run.pk}")

    assert history(Trainee, "phone")[-1] == ("~", *by, "0912345678")
    assert history(Assignment, "agency__slug", "ends_on")[-2:] == [
        ("-", *by, "bo-tai-chinh", None),  # the post the run opened
        ("~", *by, "ha-noi", None),  # the post it closed, open again
    ]


def test_reverting_a_schedule_import_records_the_session_as_put_back(organizer):
    CourseFactory(code="CDS-01")
    rows = [["CDS-01", "Khai giảng", "05/01/2026 08:00", "05/01/2026 11:30", "", "Phòng 1", ""]]
    services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    rows[0][5] = "Phòng 2"
    run = services.confirm(xlsx(rows, headers=SCHEDULE), kind="schedule", user=organizer)
    services.revert(run, user=organizer)

    # The calendar SEQUENCE moved on again: the row holds the session as the database does.
    assert history(Session, "venue", "sequence")[-1] == (
        "~",
        organizer.username,
        f"Revert of import #{run.pk}",
        "Phòng 1",
        2,
    )
    assert Session.objects.get().sequence == 2


def test_reverting_a_corrected_post_folds_its_search_text_again(cohort, organizer):
    today = list(ROW)
    today[7] = ""  # without a commitment, the post starts today: a second file the same day corrects it
    services.confirm(xlsx([today]), kind="trainees", user=organizer)
    corrected = list(today)
    corrected[4] = "Bộ Tài chính"
    run = services.confirm(xlsx([corrected]), kind="trainees", user=organizer)
    services.revert(run, user=organizer)
    post = Assignment.objects.get()
    assert post.agency.slug == "ha-noi" and "tai chinh" not in post.search_text
    assert list(Trainee.objects.search("tai chinh")) == []
    assert history(Assignment, "search_text")[-1][-1] == post.search_text


def test_history_rows_cost_no_query_per_row(cohort, organizer):
    """Ten times the rows, the same queries: an import that creates, one that updates, and the
    revert of the latter write their history in batches. (A revert deletes through Django, which
    sends the delete signals of each record: simple_history writes those rows one by one.)"""

    def rows(count, phone):
        return [
            [f"Học viên {n}", f"hv{n}@example.org", phone, "Chuyên viên", "Hà Nội", "", "Khóa 3", "01/06/2024"]
            for n in range(count)
        ]

    def measured(function, *args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            result = function(*args, **kwargs)
        counts.append(len(queries))
        return result

    by_size = []
    for count in (5, 50):
        counts = []
        first = measured(services.confirm, xlsx(rows(count, "0911111111")), kind="trainees", user=organizer)
        second = measured(services.confirm, xlsx(rows(count, "0922222222")), kind="trainees", user=organizer)
        measured(services.revert, second, user=organizer)
        services.revert(first, user=organizer)
        by_size.append(counts)
    assert by_size[0] == by_size[1]
    assert Trainee.history.filter(history_change_reason__startswith="Import #").count() == 2 * (
        5 + 50
    )  # created, then updated


@pytest.mark.parametrize("later", ["post", "absence notice", "post change request"])
def test_a_revert_refuses_to_delete_a_trainee_something_else_refers_to_since(organizer, later):
    """Deleting the trainee once took these along (CASCADE); now they keep it, and the revert is refused."""
    run = services.confirm(
        xlsx([["Nguyễn Văn An", "an@example.org", "", "", "", "", "", ""]]), kind="trainees", user=organizer
    )
    trainee = Trainee.objects.get()
    if later == "post":
        AssignmentFactory(trainee=trainee, agency=agency("da-nang"))
    elif later == "absence notice":
        AbsenceNoticeFactory(trainee=trainee)
    else:
        PostChangeRequestFactory(trainee=trainee)
    before = fingerprint(), Trainee.history.count()
    with pytest.raises(ValidationError, match="used elsewhere"):
        services.revert(run, user=organizer)
    assert (fingerprint(), Trainee.history.count()) == before
