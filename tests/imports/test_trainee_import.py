import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cohorts.models import Enrolment
from egovexperts.imports import services
from egovexperts.imports.files import Upload
from egovexperts.notifications.models import OutboundMessage
from tests.factories import AssignmentFactory, TraineeFactory, UnitFactory, agency
from tests.imports.conftest import HEADERS, csv_bytes, fingerprint, xlsx
from trainees.models import Assignment, RetentionCommitment, Trainee, Unit

ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "", "Khóa 3", "01/06/2024"]


def outcomes(preview):
    return [row.outcome for row in preview.plan.rows]


def test_new_rows_write_trainee_post_enrolment_and_commitment(cohort, organizer):
    run = services.confirm(xlsx([ROW]), kind="trainees", user=organizer)

    trainee = Trainee.objects.get(email="an@example.org")
    post = Assignment.objects.get(trainee=trainee)
    commitment = RetentionCommitment.objects.get(trainee=trainee)
    assert (trainee.full_name, trainee.phone) == ("Nguyễn Văn An", "0912345678")
    assert trainee.sort_key and "nguyen van an" in trainee.search_text
    assert (post.agency.slug, post.position, post.ends_on) == ("ha-noi", "Trưởng phòng", None)
    assert "truong phong" in post.search_text
    assert list(Trainee.objects.search("truong phong ha noi")) == [trainee]
    assert Enrolment.objects.get(trainee=trainee).cohort == cohort
    assert (commitment.starts_on, commitment.ends_on) == (datetime.date(2024, 6, 1), datetime.date(2027, 6, 1))
    assert (run.new_count, run.updated_count, run.total_rows, run.created_by) == (1, 0, 1, organizer)
    assert len(run.checksum) == 64


def test_preview_writes_nothing(cohort):
    before = fingerprint()
    preview = services.preview(xlsx([ROW]), kind="trainees")
    assert outcomes(preview) == ["new"]
    assert fingerprint() == before


def test_reimport_with_other_case_and_spaces_updates_and_never_duplicates(cohort, organizer):
    services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    again = list(ROW)
    again[1] = "  AN@Example.ORG "
    again[2] = "0987654321"

    preview = services.preview(xlsx([again]), kind="trainees")
    assert outcomes(preview) == ["updated"]
    assert preview.plan.rows[0].changes == [("Phone", "0912345678", "0987654321")]
    services.confirm(xlsx([again]), kind="trainees", user=organizer)

    assert Trainee.objects.count() == 1
    assert Trainee.objects.get().phone == "0987654321"
    assert Assignment.objects.count() == Enrolment.objects.count() == RetentionCommitment.objects.count() == 1


def test_same_file_twice_is_unchanged_and_cannot_be_confirmed_for_nothing(cohort, organizer):
    services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    preview = services.preview(xlsx([ROW]), kind="trainees")
    assert outcomes(preview) == ["unchanged"]
    assert not preview.plan.can_confirm


def test_changed_post_goes_through_the_assignment_history(cohort, organizer):
    with time_machine.travel(datetime.date(2025, 1, 10)):
        services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    moved = list(ROW)
    moved[4] = "Bộ Tài chính"
    with time_machine.travel(datetime.date(2025, 3, 1)):
        preview = services.preview(xlsx([moved]), kind="trainees")
        assert preview.plan.rows[0].changes == [("Post", "Trưởng phòng, Hà Nội", "Trưởng phòng, Bộ Tài chính")]
        services.confirm(xlsx([moved]), kind="trainees", user=organizer)

        assert list(Trainee.objects.search("bo tai chinh").values_list("email", flat=True)) == ["an@example.org"]
        assert list(Trainee.objects.search("ha noi")) == []
    old, new = Assignment.objects.order_by("starts_on")
    assert (old.agency.slug, old.ends_on, old.end_reason) == ("ha-noi", datetime.date(2025, 2, 28), "transferred")
    assert (new.agency.slug, new.starts_on, new.ends_on, new.reason) == (
        "bo-tai-chinh",
        datetime.date(2025, 3, 1),
        None,
        "transferred",
    )


def test_a_post_corrected_on_the_day_it_was_imported_is_corrected_not_closed(cohort, organizer):
    no_commitment = [*ROW[:7], ""]
    services.confirm(xlsx([no_commitment]), kind="trainees", user=organizer)
    fixed = list(no_commitment)
    fixed[4] = "Đà Nẵng"
    services.confirm(xlsx([fixed]), kind="trainees", user=organizer)
    assert list(Assignment.objects.values_list("agency__slug", "ends_on")) == [("da-nang", None)]
    assert list(Trainee.objects.search("da nang").values_list("email", flat=True)) == ["an@example.org"]


def test_abolished_agency_is_recorded_as_written_with_a_note_naming_its_successor(cohort, organizer):
    row = list(ROW)
    row[4] = "Tỉnh Hà Giang"
    preview = services.preview(xlsx([row]), kind="trainees")
    assert preview.plan.rows[0].notes == ["Tỉnh Hà Giang no longer exists; its successor is Tỉnh Tuyên Quang."]
    services.confirm(xlsx([row]), kind="trainees", user=organizer)
    post = Assignment.objects.get()
    assert post.agency == agency("ha-giang")
    assert "Tuyên Quang" in post.note
    assert RetentionCommitment.objects.get().agency == agency("ha-giang")


def test_known_unit_is_matched_and_unknown_unit_is_created_and_flagged(cohort, organizer):
    known = UnitFactory(agency=agency("ha-noi"), name="Sở Thông tin và Truyền thông", abbreviations=["Sở TTTT"])
    first, second, third = list(ROW), list(ROW), list(ROW)
    first[5] = "so tttt"
    second[1], second[5] = "binh@example.org", "Phòng Chuyển đổi số"
    third[1], third[5] = "cuong@example.org", "phòng chuyển đổi số"

    preview = services.preview(xlsx([first, second, third]), kind="trainees")
    assert preview.plan.rows[0].notes == []
    assert preview.plan.rows[1].notes == ["New unit: Phòng Chuyển đổi số (Hà Nội)."]
    services.confirm(xlsx([first, second, third]), kind="trainees", user=organizer)

    assert Assignment.objects.get(trainee__email="an@example.org").unit == known
    new_unit = Unit.objects.get(name="Phòng Chuyển đổi số")
    assert Assignment.objects.filter(unit=new_unit).count() == 2


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_byte_order_mark(cohort, organizer, bom):
    upload = Upload(name="ds.csv", content=csv_bytes([ROW], bom=bom))
    run = services.confirm(upload, kind="trainees", user=organizer)
    assert run.new_count == 1
    assert Trainee.objects.get().full_name == "Nguyễn Văn An"


def test_excel_date_cells_iso_dates_and_english_headers(cohort, organizer):
    english = ["Full name", "Email", "Phone", "Position", "Agency", "Unit", "Cohort", "Commitment start"]
    rows = [
        [*ROW[:7], datetime.datetime(2024, 6, 1)],
        ["Trần Bình", "binh@example.org", "", "Chuyên viên", "TP. Hồ Chí Minh", "", "khoa-3", "2024-07-15"],
    ]
    services.confirm(xlsx(rows, headers=english), kind="trainees", user=organizer)
    assert sorted(RetentionCommitment.objects.values_list("starts_on", flat=True)) == [
        datetime.date(2024, 6, 1),
        datetime.date(2024, 7, 15),
    ]


def test_only_name_and_email_are_required(organizer):
    upload = xlsx([["Lê Cường", "cuong@example.org"]], headers=["Họ và tên", "Email"])
    services.confirm(upload, kind="trainees", user=organizer)
    assert Trainee.objects.get().full_name == "Lê Cường"
    assert not Assignment.objects.exists()


def test_invitations_are_queued_for_new_trainees_when_asked(cohort, organizer):
    existing = TraineeFactory(email="old@example.org")
    rows = [ROW, ["Người Cũ", "old@example.org", "", "", "", "", "", ""]]
    services.confirm(xlsx(rows), kind="trainees", user=organizer, invite=True)
    assert list(OutboundMessage.objects.values_list("kind", "recipient")) == [("invitation", "an@example.org")]
    assert Trainee.objects.get(email="an@example.org").user is not None
    existing.refresh_from_db()
    assert existing.user is None


def test_confirm_refuses_a_file_with_errors_and_writes_nothing(cohort, organizer):
    bad = list(ROW)
    bad[1] = "not-an-email"
    before = fingerprint()
    with pytest.raises(ValidationError):
        services.confirm(xlsx([ROW, bad]), kind="trainees", user=organizer)
    assert fingerprint() == before


def test_a_failure_half_way_through_the_writes_rolls_everything_back(cohort, organizer, monkeypatch):
    from egovexperts.imports import trainee_list

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(trainee_list, "default_end", broken)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        services.confirm(xlsx([ROW]), kind="trainees", user=organizer)
    assert fingerprint() == before


def test_existing_post_is_kept_when_the_row_has_no_agency(cohort, organizer):
    trainee = TraineeFactory(email="an@example.org", full_name="Nguyễn Văn An", phone="0912345678")
    AssignmentFactory(trainee=trainee, agency=agency("da-nang"))
    row = ["Nguyễn Văn An", "an@example.org", "", "", "", "", "Khóa 3", ""]
    preview = services.preview(xlsx([row], headers=HEADERS), kind="trainees")
    assert preview.plan.rows[0].changes == [("Cohort", "—", "Khóa 3")]
    services.confirm(xlsx([row]), kind="trainees", user=organizer)
    assert Enrolment.objects.get().nominated_by == agency("da-nang")
    assert Assignment.objects.count() == 1
