"""Hostile uploads are refused quickly, in little memory, with a message naming the limit.

The files are built here (tests/security/workbooks.py), never committed. Timings are printed by
bench/hostile_files.py; these tests assert outcomes, the database left as it was, and a memory
bound measured in a child process.
"""

import functools
import html
import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from egovexperts.imports import files, services, workbook_limits
from egovexperts.imports.files import Upload, read_table
from tests.factories import CohortFactory, CourseFactory
from tests.imports.conftest import fingerprint
from tests.security import workbooks

ROOT = Path(__file__).resolve().parents[2]
ROW_LIMIT = "the limit is 20,000 rows below the header"
UNPACKED = "The workbook unpacks to more than"

# name -> (build, what the refusal says); each file is built once per test session.
HOSTILE = {
    "far_away_cell": (workbooks.far_away_cell, f"The file has data in row 1,048,576; {ROW_LIMIT}."),
    "sparse_to_row_1000000": (workbooks.sparse_to_row, f"The file has data in row 1,000,000; {ROW_LIMIT}."),
    "big_compressed_sheet": (workbooks.big_sheet, "The workbook unpacks to more than 50 MB, the limit."),
    "zip_bomb_member": (lambda: workbooks.zip_bomb(megabytes=200), UNPACKED),
    "liar_zip": (workbooks.liar_zip, UNPACKED),
    "huge_dimension": (
        workbooks.huge_dimension,
        "The sheet's used range is A1:XFD1048576; the limit is 20,000 rows below the header and 100 columns.",
    ),
    "too_many_columns": (workbooks.wide_sheet, "The file has data in column ET; the limit is 100 columns (up to CV)."),
    "a_million_sheets": (workbooks.many_sheets, "The workbook has more than 1,000 sheets or names;"),
    "two_million_shared_strings": (workbooks.many_shared_strings, "The file has more than 500,000 cells, the limit."),
    "rows_without_references_beyond_the_limit": (
        lambda: workbooks.sdk_like(
            [workbooks.HEADERS, *[[f"a{n}@example.org"] for n in range(20_001)]], references=False
        ),
        "The file has more than 20,000 rows below the header, the limit.",
    ),
}


@functools.cache
def hostile(name: str) -> bytes:
    return HOSTILE[name][0]()


def page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def post(client, content: bytes, name: str, **data):
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("imports:import-preview"), {"kind": "trainees", "file": file, **data})


@pytest.fixture
def unchanged(db):
    CohortFactory(code="khoa-3", name="Khóa 3")
    before = fingerprint()
    yield
    assert fingerprint() == before


# --- refused, with the limit named ------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_workbook_is_refused_by_the_reader_naming_the_limit(name):
    with pytest.raises(ValidationError) as refused:
        read_table(Upload(name=f"{name}.xlsx", content=hostile(name)))
    assert HOSTILE[name][1] in " ".join(refused.value.messages)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_workbook_is_refused_on_the_import_page_and_changes_nothing(organizer_client, unchanged, name):
    response = post(organizer_client, hostile(name), f"{name}.xlsx")
    assert response.status_code == 400
    assert HOSTILE[name][1] in page_text(response)


def test_a_liar_zip_is_refused_on_the_bytes_it_really_holds_not_on_its_headers():
    content = hostile("liar_zip")
    declared = zipfile_sizes(content)[workbooks.SHEET]
    assert declared == 1000  # the headers claim a thousand bytes for 64 MB
    with pytest.raises(ValidationError, match="unpacks to more than"):
        workbook_limits.check_workbook(content, files.limits())


def test_a_member_that_inflates_to_other_bytes_than_declared_is_a_damaged_file():
    content = workbooks._declare_size(workbooks.far_away_cell(), "xl/workbook.xml", 10)
    with pytest.raises(ValidationError, match="could not be read"):
        read_table(Upload(name="x.xlsx", content=content))


def zipfile_sizes(content: bytes) -> dict[str, int]:
    import zipfile

    return {info.filename: info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist()}


def test_a_workbook_over_the_ratio_is_refused_before_the_size_cap():
    # 20 MB of blanks deflate to about 20 KB: a thousand times, refused at a hundred.
    content = workbooks.zip_bomb(megabytes=20)
    assert len(content) * 100 < files.MAX_UNCOMPRESSED
    with pytest.raises(ValidationError, match="unpacks to more than 100 times its size"):
        read_table(Upload(name="x.xlsx", content=content))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # cells with r, Excel's way, past the row limit (8 rows here) and the column limit (5)
        (lambda: workbooks.workbook([workbooks.row(n, ["x"]) for n in range(1, 11)]), "data in row 10; the limit is 8"),
        (lambda: workbooks.workbook([workbooks.row(1, ["x"] * 6)]), "data in column F; the limit is 5 columns"),
        # rows and cells without r: placed one after the other, as calamine does
        (lambda: workbooks.workbook(["<row><c><v>1</v></c></row>"] * 10), "more than 8 rows below the header"),
        (lambda: workbooks.workbook(["<row>" + "<c><v>1</v></c>" * 6 + "</row>"]), "data in column F"),
        # an empty <c/> still moves the next cell along; an empty <row/> the next row
        (lambda: workbooks.workbook(["<row>" + "<c/>" * 5 + "<c><v>1</v></c></row>"]), "data in column F"),
        (
            lambda: workbooks.workbook(['<row><c r="A1"><v>1</v></c>' + "<c/>" * 4 + "<c><v>1</v></c></row>"]),
            "column F",
        ),
        (lambda: workbooks.workbook(['<row r="9"/><row><c><v>1</v></c></row>']), "data in row 10"),
        # a row number given, cells without r after it
        (lambda: workbooks.workbook(['<row r="10"><c><v>1</v></c></row>']), "data in row 10"),
        (lambda: workbooks.workbook(['<row r="10"><c t="s"><v>0</v></c><c r="A10"><v>1</v></c></row>']), "row 10"),
        # tags with a prefix, as the .NET Open XML SDK writes them
        (lambda: workbooks.sdk_like([["x"]] * 10, references=False), "more than 8 rows below the header"),
        (lambda: workbooks.sdk_like([["x"] * 6], references=True), "data in column F"),
        (lambda: workbooks.workbook([workbooks.row(1, ["x"])] * 21), "more than 20 cells"),
        (lambda: workbooks.workbook([workbooks.row(1, ["x"])], dimension="A1:A10"), "used range is A1:A10"),
    ],
)
def test_the_scan_follows_calamine_to_the_limits(monkeypatch, build, message):
    monkeypatch.setattr(files, "MAX_ROWS", 8)
    monkeypatch.setattr(files, "MAX_COLUMNS", 5)
    monkeypatch.setattr(files, "MAX_CELLS", 20)
    with pytest.raises(ValidationError, match=re.escape(message)):
        read_table(Upload(name="x.xlsx", content=build()))


@pytest.mark.parametrize(
    "sheet_data",
    [
        # what calamine would skip, or read otherwise than a pattern: refused in a sheet without r
        '<row><c><v>1</v></c><!-- <row r="1"> --></row>',
        "<row><c><v><![CDATA[1]]></v></c></row>",
        "<row><c><v>1</v><row></row></c></row>",
        "<row><c><v>1</v></c>",  # not well-formed
        "<row><c a=\"<c r='A1'>\"><v>1</v></c></row>",
    ],
)
def test_a_sheet_without_references_that_is_not_plain_xml_is_refused(sheet_data):
    with pytest.raises(ValidationError, match="could not be read"):
        workbook_limits.check_workbook(workbooks.workbook([sheet_data]), files.limits())


def test_a_sheet_declaring_a_dtd_is_refused():
    content = workbooks.workbook(
        ["<row><c><v>1</v></c></row>"],
        opening=f'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet xmlns="{workbooks.MAIN}">',
    )
    with pytest.raises(ValidationError, match="could not be read"):
        workbook_limits.check_workbook(content, files.limits())


# --- CSV ------------------------------------------------------------------------------------


def test_a_csv_file_of_a_million_short_rows_is_refused_at_the_row_limit():
    content = b"Email\n" + b"a@b.vn\n" * 700_000
    with pytest.raises(ValidationError, match="more than 20,000 rows below the header"):
        read_table(Upload(name="dai.csv", content=content))


def test_a_csv_row_wider_than_the_column_limit_is_refused():
    header = ",".join(workbooks.HEADERS).encode()
    with pytest.raises(ValidationError, match=re.escape("A row of the file has 5,000,001 columns; the limit is 100.")):
        read_table(Upload(name="rong.csv", content=header + b"\n" + b"," * 5_000_000))
    with pytest.raises(ValidationError, match=re.escape("data in column DA; the limit is 100 columns")):
        read_table(Upload(name="rong.csv", content=header + b"\n" + b"," * 104 + b"x"))


def test_a_csv_in_utf16_or_binary_is_still_refused_as_not_text():
    for content in ("Email,Name\r\na@b.vn,An\r\n".encode("utf-16-le"), b"\x00\x01\x02,\x03\n"):
        with pytest.raises(ValidationError, match="not a text CSV file"):
            read_table(Upload(name="x.csv", content=content))


# --- memory, measured in a child process --------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys
    sys.path.insert(0, sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egovexperts.settings")
    import django
    django.setup()
    from django.core.exceptions import ValidationError
    from egovexperts.imports.files import Upload, read_table
    uploads = [Upload(name=path.rsplit("/", 1)[1], content=open(path, "rb").read()) for path in sys.argv[2:]]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answers = {}
    for upload in uploads:
        try:
            read_table(upload)
            answers[upload.name] = "read"
        except ValidationError as error:
            answers[upload.name] = error.messages[0]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"grown_kb": peak - baseline, "answers": answers}))
    """
)


def test_refusing_the_worst_files_takes_under_100_mb(tmp_path):
    paths = []
    for name in HOSTILE:
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(hostile(name))
        paths.append(str(path))
    # A bound on the child's address space too, so that a regression fails here instead of
    # taking the machine's memory.
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"
    done = subprocess.run(
        [sys.executable, "-c", limit + CHILD, str(ROOT), *paths], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report["answers"]) == {f"{name}.xlsx" for name in HOSTILE}
    assert "read" not in report["answers"].values()
    assert report["grown_kb"] < 100 * 1024, report


# --- control characters: a row error, never a 500, nothing written -----------------------------

NUL_ROW = ["Nguy\x00n Văn An", *workbooks.ROW[1:]]


def nul_after_4kb_csv() -> bytes:
    good = [[f"Học viên {n}", f"hv{n}@example.org", *workbooks.ROW[2:]] for n in range(80)]
    lines = [",".join(workbooks.HEADERS), *(",".join(row) for row in good), ",".join(NUL_ROW)]
    content = ("\ufeff" + "\n".join(lines) + "\n").encode()
    assert content.index(b"\x00") > 4096
    return content


def escaped_nul_xlsx() -> bytes:
    # openpyxl refuses control characters; Excel writes U+0000 in a cell as _x0000_.
    return workbooks.workbook(
        [workbooks.row(1, workbooks.HEADERS), workbooks.row(2, ["Nguy_x0000_n Văn An", *workbooks.ROW[1:]])]
    )


CONTROL_FILES = {
    "nul.csv": (nul_after_4kb_csv, "Row 82: column 'Họ và tên' (A) holds a control character (U+0000)"),
    "nul.xlsx": (escaped_nul_xlsx, "Row 2: column 'Họ và tên' (A) holds a control character (U+0000)"),
}


@pytest.mark.parametrize("name", list(CONTROL_FILES))
def test_a_control_character_in_a_cell_is_a_row_error_in_the_preview(organizer_client, unchanged, name):
    build, message = CONTROL_FILES[name]
    response = post(organizer_client, build(), name)
    page = page_text(response)
    assert response.status_code == 200
    assert message + ", which cannot be stored; delete it." in page
    assert "Confirm the import" not in page


@pytest.mark.parametrize("name", list(CONTROL_FILES))
def test_confirming_a_file_with_a_control_character_writes_nothing(organizer_client, unchanged, name):
    build, _message = CONTROL_FILES[name]
    upload = Upload(name=name, content=build())
    token = files.keep_pending(upload)  # as if the preview had offered to confirm
    response = organizer_client.post(
        reverse("imports:import-confirm"),
        {"kind": "trainees", "token": token, "file_name": name, "checksum": upload.checksum},
        follow=True,
    )
    assert response.status_code == 200
    assert "The file has 1 rows with errors; nothing was imported." in page_text(response)


def test_every_kind_of_import_reports_control_characters(db):
    course = CourseFactory(code="CDS-01")
    schedule = workbooks.workbook(
        [
            workbooks.row(1, ["Khóa học", "Tiêu đề", "Bắt đầu", "Kết thúc"]),
            workbooks.row(2, ["CDS-01", "Khai gi\x07ng", "05/01/2026 08:00", "05/01/2026 11:30"]),
        ]
    )
    attendance = workbooks.workbook(
        [
            workbooks.row(1, ["Email", "Buổi học", "Trạng thái", "Ghi chú"]),
            workbooks.row(2, ["an@example.org", "Khai giảng", "có mặt", "đến mu\x1bộn"]),
        ]
    )
    plans = {
        "schedule": services.preview(Upload("lich.xlsx", schedule), kind="schedule").plan,
        "attendance": services.preview(Upload("dd.xlsx", attendance), kind="attendance", course=course).plan,
    }
    assert plans["schedule"].rows[0].messages[0] == (
        "Row 2: column 'Tiêu đề' (B) holds a control character (U+0007), which cannot be stored; delete it."
    )
    assert plans["attendance"].rows[0].messages[0] == (
        "Row 2: column 'Ghi chú' (D) holds a control character (U+001B), which cannot be stored; delete it."
    )


def test_a_control_character_in_the_header_row_refuses_the_file():
    content = workbooks.workbook([workbooks.row(1, ["Họ và tên", "Em_x0001_ail"]), workbooks.row(2, ["An", "a@b.vn"])])
    with pytest.raises(ValidationError, match=re.escape("control character (U+0001) in column B")):
        read_table(Upload(name="x.xlsx", content=content))


def test_tabs_and_line_breaks_in_a_cell_are_not_control_characters(db):
    CohortFactory(code="khoa-3", name="Khóa 3")
    row = ["Nguyễn\tVăn\r\nAn", *workbooks.ROW[1:]]
    plan = services.preview(
        Upload("x.xlsx", workbooks.workbook([workbooks.row(1, workbooks.HEADERS), workbooks.row(2, row)])),
        kind="trainees",
    ).plan
    assert not plan.error_rows


# --- legitimate files read exactly as before ----------------------------------------------------


def calamine_cells(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def calamine_table(content: bytes) -> tuple[list, list]:
    """What the reader returned before the limits: calamine's rows, blank ones dropped."""
    cells = calamine_cells(content)
    rows = [(index + 2, row) for index, row in enumerate(cells[1:]) if not all(files.is_blank(cell) for cell in row)]
    return list(cells[0]), rows


def openpyxl_file() -> bytes:
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(workbooks.HEADERS)
    sheet.append([])  # a blank row keeps its line number
    for n in range(300):
        sheet.append(
            [
                f"Học viên {n}",
                f"hv{n}@example.org",
                912345678 + n,
                "",
                "Hà Nội",
                None,
                "Khóa 3",
                datetime.date(2024, 6, 1),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LEGIT_ROWS = [
    workbooks.HEADERS,
    [],
    [*workbooks.ROW[:7], ("date", 45444)],
    ["Trần Thị B", "b@example.org", 912345678, " Chuyên viên ", "Bộ Tài chính", None, "Khóa 3", ("date", 45000)],
]


@pytest.mark.parametrize(
    "build",
    [
        openpyxl_file,
        lambda: workbooks.excel_like(LEGIT_ROWS),
        lambda: workbooks.libreoffice_like([row for row in LEGIT_ROWS if row]),
        lambda: workbooks.sdk_like([workbooks.HEADERS, workbooks.ROW, ["x", None, 5]], references=False),
        lambda: workbooks.sdk_like([workbooks.HEADERS, workbooks.ROW], references=True),
        lambda: workbooks.workbook([workbooks.row(1, workbooks.HEADERS), workbooks.row(20_001, workbooks.ROW)]),
    ],
    ids=["openpyxl", "excel", "libreoffice", "sdk-without-r", "sdk-with-r", "last-allowed-row"],
)
def test_legitimate_workbooks_read_as_calamine_reads_them(build):
    content = build()
    table = read_table(Upload(name="x.xlsx", content=content))
    assert (table.headers, table.rows) == calamine_table(content)


# --- the scan never allows what calamine would spread wider than the limits ------------------

SMALL = workbook_limits.Limits(rows=6, columns=4, cells=1000, uncompressed=1 << 20, ratio=10_000)
# Positions often left out, as calamine then counts them; some given, a few past the limits.
reference = st.one_of(st.none(), st.none(), st.none(), st.tuples(st.integers(1, 9), st.integers(1, 6)))
cell_tag = st.tuples(reference, st.sampled_from(["value", "inline", "empty", "self-closing", "self-closing"]))
row_number = st.one_of(st.none(), st.none(), st.integers(1, 9))
row_tag = st.tuples(row_number, st.sampled_from([False, False, False, True]), st.lists(cell_tag, max_size=8))


def sheet_xml(rows, prefix: str) -> list[str]:
    parts = []
    for number, self_closing, cells in rows:
        where = f' r="{number}"' if number else ""
        if self_closing:
            parts.append(f"<{prefix}row{where}/>")
            continue
        body = []
        for position, kind in cells:
            at = f' r="{workbooks.column_letters(position[1] - 1)}{position[0]}"' if position else ""
            body.append(
                {
                    "value": f"<{prefix}c{at}><{prefix}v>1</{prefix}v></{prefix}c>",
                    "inline": f'<{prefix}c{at} t="inlineStr"><{prefix}is><{prefix}t>x</{prefix}t></{prefix}is>'
                    f"</{prefix}c>",
                    "empty": f"<{prefix}c{at}></{prefix}c>",
                    "self-closing": f"<{prefix}c{at}/>",
                }[kind]
            )
        parts.append(f"<{prefix}row{where}>{''.join(body)}</{prefix}row>")
    return parts


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_tag, max_size=10), prefixed=st.booleans())
def test_what_the_scan_lets_through_calamine_reads_within_the_limits(rows, prefixed):
    prefix = "x:" if prefixed else ""
    opening = f'<x:worksheet xmlns:x="{workbooks.MAIN}">' if prefixed else f'<worksheet xmlns="{workbooks.MAIN}">'
    closing = "</x:worksheet>" if prefixed else "</worksheet>"
    content = workbooks.workbook(sheet_xml(rows, prefix), opening=opening, closing=closing, prefix=prefix)
    try:
        workbook_limits.check_workbook(content, SMALL)
    except ValidationError:
        return
    try:
        cells = (
            CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        )
    except Exception:  # calamine refuses the file on its own
        return
    assert len(cells) <= SMALL.rows + 1
    assert all(len(row) <= SMALL.columns for row in cells)


def test_the_limits_of_the_property_test_are_reachable():
    """The property test above would pass vacuously if everything were refused."""
    rows = [(1, False, [((1, 1), "value"), (None, "value")]), (None, False, [(None, "inline")])]
    content = workbooks.workbook(sheet_xml(rows, ""))
    workbook_limits.check_workbook(content, SMALL)
    assert calamine_cells(content) == [[1.0, 1.0], ["x", ""]]


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_damaged_workbook_is_refused_with_a_message_never_an_error(data):
    content = bytearray(workbooks.excel_like([workbooks.HEADERS, workbooks.ROW]))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(content) - 1))
        damage = data.draw(st.sampled_from(["change", "cut", "insert"]))
        if damage == "change":
            content[at] = data.draw(st.integers(0, 255))
        elif damage == "cut":  # shifts every offset the archive's headers give
            del content[at : at + data.draw(st.integers(1, 20))]
        else:
            content[at:at] = data.draw(st.binary(min_size=1, max_size=10))
    try:
        read_table(Upload(name="hong.xlsx", content=bytes(content)))
    except ValidationError:
        pass
