"""Trainee records: constraints, the derived current post, search and sort, commitments in the database."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    SessionFactory,
    TraineeFactory,
    agency,
)
from trainees import services
from trainees.commitments import Status
from trainees.models import Assignment, Trainee
from trainees.selectors import commitments_with_status
from trainees.tasks import index_posts

pytestmark = pytest.mark.django_db
D = datetime.date


def test_emails_are_unique_whatever_their_case():
    TraineeFactory(email="an.nguyen@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trainee.objects.create(full_name="Nguyễn An", email="An.Nguyen@Example.org")


def test_one_attendance_per_trainee_and_session():
    attendance = AttendanceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(session=attendance.session, trainee=attendance.trainee)


def test_a_session_must_end_after_it_starts():
    start = datetime.datetime(2020, 6, 11, 1, 0, tzinfo=datetime.UTC)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(starts_at=start, ends_at=start)


def test_an_assignment_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(starts_on=D(2020, 1, 2), ends_on=D(2020, 1, 1))


def test_a_trainee_holds_one_open_post_at_a_time():
    post = AssignmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(trainee=post.trainee, starts_on=D(2021, 1, 1))


def test_current_post_is_derived_from_the_history_in_one_query(django_assert_num_queries):
    trainee = TraineeFactory()
    services.record_assignment(
        trainee, agency=agency("ha-giang"), position="Trưởng phòng CNTT", starts_on=D(2019, 1, 1)
    )
    services.record_assignment(
        trainee,
        agency=agency("tuyen-quang"),
        position="Phó Giám đốc Sở",
        starts_on=D(2025, 7, 1),
        reason=Assignment.Reason.REORGANIZED,
    )
    for other in TraineeFactory.create_batch(5):
        AssignmentFactory(trainee=other)
    with django_assert_num_queries(1):
        rows = {row.pk: row for row in Trainee.objects.with_current_post(D(2026, 1, 1))}
    assert len(rows) == 6
    assert rows[trainee.pk].current_position == "Phó Giám đốc Sở"
    assert rows[trainee.pk].current_agency_name == "Tuyên Quang"
    earlier = Trainee.objects.with_current_post(D(2024, 1, 1)).get(pk=trainee.pk)
    assert earlier.current_agency_name == "Hà Giang"


def test_recording_a_new_post_closes_the_open_one_the_day_before():
    trainee = TraineeFactory()
    first = services.record_assignment(trainee, agency=agency("ha-noi"), position="A", starts_on=D(2019, 1, 1))
    services.record_assignment(
        trainee, agency=agency("bo-y-te"), position="B", starts_on=D(2021, 9, 1), reason=Assignment.Reason.TRANSFERRED
    )
    first.refresh_from_db()
    assert first.ends_on == D(2021, 8, 31)
    assert first.end_reason == Assignment.Reason.TRANSFERRED


def test_search_ignores_accents_and_case():
    nguyen = TraineeFactory(full_name="Nguyễn Văn An")
    TraineeFactory(full_name="Trần Thị Bình")
    AssignmentFactory(trainee=nguyen, agency=agency("ha-noi"), position="Giám đốc Trung tâm CNTT-TT")
    assert list(Trainee.objects.search("nguyen van a")) == [nguyen]
    assert list(Trainee.objects.search("NGUYỄN")) == [nguyen]
    assert list(Trainee.objects.search("ha noi")) == [nguyen]
    assert list(Trainee.objects.search("giam doc")) == [nguyen]
    assert list(Trainee.objects.search("Đà Nẵng")) == []


def test_directory_order_is_given_name_then_family_name_in_vietnamese_alphabet():
    for name in ["Trần Văn Đạt", "Nguyễn Văn Dũng", "Lê Thị Ánh", "Bùi An", "Phạm Ăn"]:
        TraineeFactory(full_name=name)
    names = list(Trainee.objects.in_vietnamese_order().values_list("full_name", flat=True))
    assert names == ["Bùi An", "Lê Thị Ánh", "Phạm Ăn", "Nguyễn Văn Dũng", "Trần Văn Đạt"]


def test_commitment_end_defaults_to_three_years_after_its_start():
    assert CommitmentFactory(starts_on=D(2020, 2, 29)).ends_on == D(2023, 2, 28)


def test_statuses_of_stored_commitments_in_a_fixed_number_of_queries(django_assert_num_queries):
    stays, leaves = TraineeFactory(), TraineeFactory()
    for trainee in (stays, leaves):
        services.record_assignment(trainee, agency=agency("ha-giang"), position="A", starts_on=D(2019, 1, 1))
        CommitmentFactory(trainee=trainee, agency=agency("ha-giang"), starts_on=D(2024, 1, 1))
    services.record_assignment(
        leaves, agency=agency("bo-y-te"), position="B", starts_on=D(2025, 3, 1), reason=Assignment.Reason.TRANSFERRED
    )
    with django_assert_num_queries(3):  # agencies, commitments with trainee and agency, assignments
        rows = {row.trainee_id: row.evaluation for row in commitments_with_status(today=D(2026, 11, 23))}
    assert rows[stays.pk].status == Status.ENDING_SOON  # Hà Giang merged into Tuyên Quang: no breach
    assert rows[leaves.pk].status == Status.BROKEN
    assert rows[leaves.pk].broken_on == D(2025, 3, 1)


def test_a_waiver_needs_a_reason():
    from django.core.exceptions import ValidationError

    commitment = CommitmentFactory()
    with pytest.raises(ValidationError):
        services.waive_commitment(commitment, waived_on=D(2022, 1, 1), reason="  ")
    services.waive_commitment(commitment, waived_on=D(2022, 1, 1), reason="Nghỉ hưu")
    commitment.refresh_from_db()
    assert commitment.waiver_reason == "Nghỉ hưu"


def test_search_follows_the_post_through_moves_and_departures():
    trainee = TraineeFactory(full_name="Đỗ Minh")
    services.record_assignment(trainee, agency=agency("ha-noi"), position="Trưởng phòng", starts_on=D(2020, 1, 1))
    assert list(Trainee.objects.search("ha noi")) == [trainee]
    services.record_assignment(trainee, agency=agency("bo-y-te"), position="Vụ trưởng", starts_on=D(2023, 1, 1))
    assert list(Trainee.objects.search("ha noi")) == []
    assert list(Trainee.objects.search("bo y te vu truong")) == [trainee]
    services.end_assignment(trainee, ends_on=D(2024, 1, 1), reason=Assignment.Reason.RETIRED)
    assert list(Trainee.objects.search("bo y te")) == []
    assert list(Trainee.objects.search("do minh")) == [trainee]


def test_the_daily_index_brings_in_posts_as_their_first_day_comes():
    trainee = TraineeFactory(full_name="Hồ Lan")
    services.record_assignment(trainee, agency=agency("ha-noi"), position="Trưởng phòng", starts_on=D(2020, 1, 1))
    with time_machine.travel(D(2030, 6, 1)):  # a transfer recorded ahead of its first day
        services.record_assignment(trainee, agency=agency("da-nang"), position="Giám đốc", starts_on=D(2030, 7, 1))
        assert list(Trainee.objects.search("da nang")) == []
        assert list(Trainee.objects.search("ha noi")) == [trainee]
    with time_machine.travel(D(2030, 7, 1)):
        assert index_posts() == 1  # the task the beat runs each night; only the trainee whose post changed
        assert list(Trainee.objects.search("da nang")) == [trainee]
        assert list(Trainee.objects.search("ha noi")) == []
        assert index_posts() == 0
