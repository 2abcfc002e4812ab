import datetime
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from courses.models import Attendance
from egovexperts.imports import services
from egovexperts.imports.exports import escape_cell
from egovexperts.imports.files import Upload
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    CommitmentFactory,
    CourseFactory,
    EnrolmentFactory,
    SessionFactory,
    TraineeFactory,
    UnitFactory,
    agency,
)
from tests.imports.conftest import fingerprint


def xlsx_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def csv_rows(content: bytes) -> list[list]:
    import csv

    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+84 912", "'+84 912"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (42, 42),
        (datetime.date(2024, 6, 1), "01/06/2024"),
    ],
)
def test_escape_cell(value, escaped):
    assert escape_cell(value) == escaped


@pytest.fixture
def formula_trainee(db):
    trainee = TraineeFactory(full_name="=cmd|' /C calc'!A0", email="evil@example.org", phone="+84912345678")
    AssignmentFactory(trainee=trainee, position="@SUM(1+1)")
    return trainee


def test_trainee_export_escapes_formulas_in_xlsx(organizer_client, formula_trainee):
    response = organizer_client.get(reverse("imports:export", args=["trainees", "xlsx"]))
    rows = xlsx_rows(response.content)
    assert rows[0] == [
        "Họ và tên",
        "Email",
        "Điện thoại",
        "Chức vụ",
        "Cơ quan (hiện nay)",
        "Cơ quan (ghi nhận)",
        "Đơn vị (hiện nay)",
        "Đơn vị (ghi nhận)",
    ]
    assert rows[1][:6] == [
        "'=cmd|' /C calc'!A0",
        "evil@example.org",
        "'+84912345678",
        "'@SUM(1+1)",
        "Hà Nội",
        "Hà Nội",
    ]


def test_trainee_export_in_csv_has_a_bom_and_vietnamese_text(organizer_client, formula_trainee):
    TraineeFactory(full_name="Trần Thị Bích Ngọc", email="ngoc@example.org")
    response = organizer_client.get(reverse("imports:export", args=["trainees", "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    names = [row[:2] for row in rows[1:]]
    assert ["Trần Thị Bích Ngọc", "ngoc@example.org"] in names
    assert ["'=cmd|' /C calc'!A0", "evil@example.org"] in names


def test_enrolment_and_commitment_exports(organizer_client, db):
    enrolment = EnrolmentFactory(trainee__full_name="-Lê Văn Cường")
    CommitmentFactory(trainee=enrolment.trainee, starts_on=datetime.date(2024, 6, 1))
    enrolments = xlsx_rows(organizer_client.get(reverse("imports:export", args=["enrolments", "xlsx"])).content)
    assert enrolments[1][0] == "'-Lê Văn Cường"
    assert enrolments[1][4] == "01/06/2020"
    commitments = csv_rows(organizer_client.get(reverse("imports:export", args=["commitments", "csv"])).content)
    assert commitments[1][:6] == [
        "'-Lê Văn Cường",
        enrolment.trainee.email,
        "Thành phố Hà Nội",
        "Thành phố Hà Nội",
        "01/06/2024",
        "01/06/2027",
    ]
    assert commitments[1][6]  # status from the commitment rule


def test_attendance_matrix_of_a_course(organizer_client, db):
    course = CourseFactory()
    first = SessionFactory(course=course, title="Khai giảng")
    second = SessionFactory(course=course, title="=Bài 2", starts_at=first.starts_at + datetime.timedelta(days=1))
    enrolment = EnrolmentFactory(cohort=course.cohort, trainee__full_name="Phạm Thu")
    AttendanceFactory(session=first, trainee=enrolment.trainee, status="present")
    AttendanceFactory(session=second, trainee=enrolment.trainee, status="absent")
    EnrolmentFactory(cohort=course.cohort, trainee__full_name="Đỗ Minh")

    response = organizer_client.get(reverse("imports:export-attendance", args=[course.pk, "xlsx"]))
    rows = xlsx_rows(response.content)
    assert rows[0][2].endswith("Khai giảng") and rows[0][3].endswith("=Bài 2")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Phạm Thu"][2:] == [Attendance.Status.PRESENT.label, Attendance.Status.ABSENT.label, "1/2"]
    assert by_name["Đỗ Minh"][2:] == ["", "", "0/2"]


def test_exports_give_the_agency_in_force_today_and_the_recorded_one(organizer_client, db):
    ha_giang = agency("ha-giang")
    science = UnitFactory(agency=ha_giang, name="Sở Khoa học và Công nghệ", valid_from=datetime.date(2025, 3, 1))
    old = UnitFactory(
        agency=ha_giang, name="Sở Thông tin và Truyền thông", valid_to=datetime.date(2025, 2, 28), successor=science
    )
    trainee = AssignmentFactory(agency=ha_giang, unit=old, trainee__full_name="Lò Văn Giàng").trainee
    CommitmentFactory(trainee=trainee, agency=ha_giang)
    trainees = xlsx_rows(organizer_client.get(reverse("imports:export", args=["trainees", "xlsx"])).content)
    assert trainees[1][4:] == ["Tuyên Quang", "Hà Giang", "Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông"]
    commitments = xlsx_rows(organizer_client.get(reverse("imports:export", args=["commitments", "xlsx"])).content)
    assert commitments[0][2:4] == ["Cơ quan cam kết (hiện nay)", "Cơ quan cam kết (ghi nhận)"]
    assert commitments[1][2:4] == ["Tỉnh Tuyên Quang", "Tỉnh Hà Giang"]


def test_an_exported_trainee_list_imports_again_without_changing_any_post(organizer_client, organizer):
    AssignmentFactory(agency=agency("ha-giang"), trainee__full_name="Lò Văn Giàng")
    content = organizer_client.get(reverse("imports:export", args=["trainees", "xlsx"])).content
    before = fingerprint()["trainees.Assignment"]
    services.confirm(Upload(name="xuat.xlsx", content=content), kind="trainees", user=organizer)
    assert fingerprint()["trainees.Assignment"] == before
