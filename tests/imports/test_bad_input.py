"""Every refused file gets a message that says what is wrong, and changes nothing."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egovexperts.imports import files
from tests.factories import SessionFactory
from tests.imports.conftest import HEADERS, csv_bytes, fingerprint, xlsx_bytes

ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "", "Khóa 3", "01/06/2024"]


def post(client, content: bytes, name="danh-sach.xlsx", **data):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": upload, **data})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def unchanged(cohort):
    before = fingerprint()
    yield
    assert fingerprint() == before


def test_wrong_file_type_is_refused(organizer_client, unchanged):
    response = post(organizer_client, b"%PDF-1.4 ...", name="danh-sach.pdf")
    assert response.status_code == 400
    assert "&#x27;danh-sach.pdf&#x27; is not an Excel (.xlsx) or CSV (.csv) file." in text(response)


def test_renamed_binary_as_xlsx_is_refused(organizer_client, unchanged):
    response = post(organizer_client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, name="anh.xlsx")
    assert response.status_code == 400
    assert "The file is not a real Excel (.xlsx) workbook." in text(response)


def test_damaged_workbook_is_refused(organizer_client, unchanged):
    response = post(organizer_client, b"PK\x03\x04" + b"\x00garbage" * 50, name="hong.xlsx")
    assert response.status_code == 400
    assert "The Excel file could not be read; open and save it again." in text(response)


def test_renamed_workbook_as_csv_is_refused(organizer_client, unchanged):
    response = post(organizer_client, xlsx_bytes([ROW]), name="danh-sach.csv")
    assert response.status_code == 400
    assert "save it as &#x27;CSV UTF-8&#x27;" in text(response)


def test_csv_in_another_encoding_is_refused(organizer_client, unchanged):
    content = "Họ tên,Email\nTrần Văn Tuyên,tuyen@example.org\n".encode("cp1258", errors="ignore")
    response = post(organizer_client, content, name="ds.csv")
    assert response.status_code == 400
    assert "The CSV file is not in UTF-8; in Excel choose" in text(response)


def test_file_over_the_size_limit_is_refused_naming_the_limit(organizer_client, unchanged, monkeypatch):
    monkeypatch.setattr(files, "MAX_BYTES", 1024 * 1024)
    response = post(organizer_client, b"a" * (2 * 1024 * 1024), name="lon.csv")
    assert response.status_code == 400
    assert "The file is 2.0 MB; the limit is 1.0 MB." in text(response)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xef\xbb\xbf\r\n", "rong.csv", "The file is empty."),
        (csv_bytes([]), "chi-tieu-de.csv", "The file has a header row but no data rows."),
        (xlsx_bytes([]), "chi-tieu-de.xlsx", "The file has a header row but no data rows."),
    ],
)
def test_empty_files_are_refused(organizer_client, unchanged, content, name, message):
    response = post(organizer_client, content, name=name)
    assert response.status_code == 400
    assert message in text(response)


def test_zero_byte_file_is_refused(organizer_client, unchanged):
    response = post(organizer_client, b"", name="rong.csv")
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_empty_workbook_is_refused(organizer_client, unchanged):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    response = post(organizer_client, out.getvalue(), name="trong.xlsx")
    assert response.status_code == 400
    assert "The file has no header row." in text(response)


def test_missing_and_misspelled_required_headers_are_named_with_the_right_spelling(organizer_client, unchanged):
    content = xlsx_bytes([["An", "an@example.org"]], headers=["Họ và tê", "Emial"])
    response = post(organizer_client, content)
    assert response.status_code == 400
    page = text(response)
    assert "Required column &#x27;Họ và tên&#x27; is missing: rename column &#x27;Họ và tê&#x27;" in page
    assert "Required column &#x27;Email&#x27; is missing: rename column &#x27;Emial&#x27; to &#x27;Email&#x27;" in page


def test_missing_required_header_without_a_lookalike(organizer_client, unchanged):
    response = post(organizer_client, xlsx_bytes([["An"]], headers=["Họ và tên"]))
    assert "Required column &#x27;Email&#x27; is missing." in text(response)


def preview_page(client, rows, headers=HEADERS):
    response = post(client, xlsx_bytes(rows, headers))
    assert response.status_code == 200
    return text(response)


def test_duplicate_emails_name_both_rows(organizer_client, unchanged):
    second = list(ROW)
    second[0], second[1] = "Người khác", " AN@example.org"
    page = preview_page(organizer_client, [ROW, second])
    assert page.count("email an@example.org appears on rows 2 and 3.") == 2
    assert "Confirm the import" not in page


def test_invalid_email_is_reported_on_its_row(organizer_client, unchanged):
    bad = list(ROW)
    bad[1] = "an@@example"
    page = preview_page(organizer_client, [ROW, bad])
    assert "Row 3: &#x27;an@@example&#x27; is not a valid email address." in page


def test_too_long_values_are_reported(organizer_client, unchanged):
    bad = list(ROW)
    bad[0], bad[3] = "Nguyễn " * 30, "x" * 201
    page = preview_page(organizer_client, [bad])
    assert "Row 2: the full name is longer than 120 characters." in page
    assert "Row 2: the position is longer than 200 characters." in page


def test_impossible_date_is_reported(organizer_client, unchanged):
    bad = list(ROW)
    bad[7] = "31/02/2021"
    page = preview_page(organizer_client, [bad])
    assert "Row 2: &#x27;31/02/2021&#x27; is not a date that exists." in page


def test_unknown_agency_gets_the_closest_suggestions(organizer_client, unchanged):
    bad = list(ROW)
    bad[4] = "Sở TTTT Hà Nam"
    page = preview_page(organizer_client, [bad])
    assert "Row 2: agency &#x27;Sở TTTT Hà Nam&#x27; not found — did you mean &#x27;Hà Nam&#x27;" in page


def test_unknown_cohort_gets_the_closest_suggestion(organizer_client, unchanged):
    bad = list(ROW)
    bad[6] = "Khoá 33"
    page = preview_page(organizer_client, [bad])
    assert "Row 2: cohort &#x27;Khoá 33&#x27; not found — did you mean &#x27;Khóa 3&#x27;?" in page


def test_unknown_session_and_email_in_attendance_are_reported_per_row(organizer_client, trainee):
    session = SessionFactory(title="Khai giảng")
    before = fingerprint()
    content = xlsx_bytes(
        [
            [trainee.email, "Khai giang", "có mặt"],
            ["ai@example.org", "Khai giảng", "vắng"],
            [trainee.email, "Bế mạc", "x"],
        ],
        headers=["Email", "Buổi học", "Trạng thái"],
    )
    response = post(organizer_client, content, kind="attendance", course=session.course_id)
    page = text(response)
    assert response.status_code == 200
    assert "Row 3: no trainee has the email ai@example.org." in page
    assert "Row 4: session &#x27;Bế mạc&#x27; not found in this course" in page
    assert "Row 4: &#x27;x&#x27; is not a valid status" in page
    assert fingerprint() == before


def test_extra_unknown_columns_are_ignored_with_a_note(organizer_client, cohort):
    content = xlsx_bytes([[*ROW, "ghi chú"]], headers=[*HEADERS, "Ghi chú riêng"])
    response = post(organizer_client, content)
    page = text(response)
    assert "Columns ignored (not known): Ghi chú riêng." in page
    assert "Confirm the import" in page


def test_confirm_with_a_forged_or_expired_token_changes_nothing(organizer_client, unchanged):
    response = organizer_client.post(
        reverse("imports:import-confirm"),
        {"kind": "trainees", "token": "0" * 32, "file_name": "x.xlsx", "checksum": "a" * 64},
        follow=True,
    )
    assert "This preview has expired: upload the file again." in text(response)
