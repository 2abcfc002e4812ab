"""An organizer loads a trainee list, sees the row in error, fixes the file and confirms."""

from tests.browser.conftest import log_in, screenshot
from tests.factories import CohortFactory
from tests.imports.conftest import xlsx_bytes
from trainees.models import Trainee

ROWS = [
    [
        "Nguyễn Văn An",
        "an@example.org",
        "0912345678",
        "Trưởng phòng",
        "Tỉnh Hà Giang",
        "Sở TTTT",
        "Khóa 3",
        "01/06/2024",
    ],
    ["Trần Thị Bình", "binh@example.org", "", "Chuyên viên", "Sở TTTT Hà Nam", "", "Khóa 3", "31/02/2024"],
    ["Lê Văn Cường", "cuong@example.org", "", "Phó giám đốc", "Bộ TT&TT", "Cục Chuyển đổi số", "Khóa 3", ""],
]


def upload(page, live_server, path):
    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state("networkidle")


def test_organizer_fixes_a_file_and_imports_it(page, live_server, organizer, tmp_path):
    CohortFactory(code="khoa-3", name="Khóa 3")
    log_in(page, live_server, organizer.email, "correct horse battery staple")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Import and export").click()

    broken = tmp_path / "danh-sach.xlsx"
    broken.write_bytes(xlsx_bytes(ROWS))
    upload(page, live_server, broken)
    errors = page.locator("tr.outcome-error")
    assert errors.count() == 1
    assert "agency 'Sở TTTT Hà Nam' not found — did you mean 'Hà Nam'" in errors.inner_text()
    assert "'31/02/2024' is not a date that exists." in errors.inner_text()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    screenshot(page, "import-preview-with-error")

    ROWS[1][4], ROWS[1][7] = "Hà Nam", "29/02/2024"
    fixed = tmp_path / "danh-sach-da-sua.xlsx"
    fixed.write_bytes(xlsx_bytes(ROWS))
    upload(page, live_server, fixed)
    assert page.locator("tr.outcome-error").count() == 0
    assert "New unit: Cục Chuyển đổi số" in page.content()
    screenshot(page, "import-preview-fixed")
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_load_state("networkidle")

    assert "Imported: 3 new, 0 updated." in page.content()
    assert Trainee.objects.count() == 3
    screenshot(page, "import-run-detail")
