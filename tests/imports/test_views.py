import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from egovexperts.core.permissions import ORGANIZER_GROUP
from egovexperts.imports.models import ImportRun
from tests.factories import UserFactory
from tests.imports.conftest import HEADERS, xlsx_bytes
from trainees.models import Trainee

ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "", "Khóa 3", "01/06/2024"]


def upload(client, rows, **data):
    file = SimpleUploadedFile("danh-sach.xlsx", xlsx_bytes(rows))
    return client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": file, **data})


def hidden_fields(response) -> dict:
    html = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("imports:index"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_trainees_may_not_import(trainee_client):
    assert trainee_client.get(reverse("imports:index")).status_code == 403
    assert trainee_client.get(reverse("imports:export", args=["trainees", "csv"])).status_code == 403


def test_organizers_without_the_import_permission_may_not_import(client, db):
    group = Group.objects.get(name=ORGANIZER_GROUP)
    group.permissions.remove(Permission.objects.get(codename="add_importrun"))
    user = UserFactory()
    user.groups.add(group)
    client.force_login(user)
    assert client.get(reverse("imports:index")).status_code == 403


def test_organizers_hold_the_import_permission(organizer):
    assert organizer.has_perm("imports.add_importrun")


def test_preview_then_confirm_imports_and_logs_the_run(organizer_client, organizer, cohort):
    preview = upload(organizer_client, [ROW])
    assert preview.status_code == 200
    assert "Confirm the import" in preview.content.decode()
    assert not Trainee.objects.exists()

    response = organizer_client.post(reverse("imports:import-confirm"), hidden_fields(preview), follow=True)

    run = ImportRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("imports:run-detail", args=[run.pk])
    assert (run.file_name, run.created_by, run.new_count) == ("danh-sach.xlsx", organizer, 1)
    assert Trainee.objects.get().email == "an@example.org"
    assert "an@example.org" in response.content.decode()


def test_confirming_the_same_preview_twice_imports_once(organizer_client, cohort):
    fields = hidden_fields(upload(organizer_client, [ROW]))
    organizer_client.post(reverse("imports:import-confirm"), fields)
    organizer_client.post(reverse("imports:import-confirm"), fields)
    assert ImportRun.objects.count() == 1
    assert Trainee.objects.count() == 1


def test_a_preview_with_errors_offers_no_confirm_button(organizer_client, cohort):
    bad = list(ROW)
    bad[1] = "an"
    page = upload(organizer_client, [ROW, bad]).content.decode()
    assert "Confirm the import" not in page
    assert "1 row has an error." in page


def test_revert_from_the_log_entry(organizer_client, cohort):
    organizer_client.post(reverse("imports:import-confirm"), hidden_fields(upload(organizer_client, [ROW])))
    run = ImportRun.objects.get()
    response = organizer_client.post(reverse("imports:run-revert", args=[run.pk]), follow=True)
    assert "The import was reverted." in response.content.decode()
    assert not Trainee.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REVERTED


def test_index_lists_the_import_log(organizer_client, cohort):
    organizer_client.post(reverse("imports:import-confirm"), hidden_fields(upload(organizer_client, [ROW])))
    page = organizer_client.get(reverse("imports:index")).content.decode()
    assert "danh-sach.xlsx" in page


@pytest.mark.parametrize("kind", ["trainees", "schedule", "attendance"])
def test_template_files_have_vietnamese_headers(organizer_client, kind):
    response = organizer_client.get(reverse("imports:template", args=[kind, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = CalamineWorkbook.from_filelike(__import__("io").BytesIO(response.content)).get_sheet_by_index(0).to_python()
    if kind == "trainees":
        assert rows[0] == HEADERS
    assert rows[0][0] in ("Họ và tên", "Khóa học", "Email")


def test_csv_template_starts_with_a_byte_order_mark(organizer_client):
    response = organizer_client.get(reverse("imports:template", args=["trainees", "csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(HEADERS)


def test_unknown_kind_or_format_is_not_found(organizer_client):
    assert organizer_client.get(reverse("imports:template", args=["nope", "xlsx"])).status_code == 404
    assert organizer_client.get(reverse("imports:export", args=["trainees", "pdf"])).status_code == 404


def test_attendance_needs_a_course(organizer_client, cohort):
    response = upload(organizer_client, [ROW], kind="attendance")
    assert response.status_code == 400
    assert "Choose the course whose attendance the file holds." in response.content.decode()
