"""Hostile and legitimate workbooks built in memory, for the tests and bench/hostile_files.py.

Nothing here is committed as a file: each workbook is written on demand, the big ones stream
their sheet XML into a deflated member so that building them takes little time and memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

HEADERS = ["Họ và tên", "Email", "Điện thoại", "Chức vụ", "Cơ quan", "Đơn vị", "Khóa", "Ngày bắt đầu cam kết"]
ROW = ["Nguyễn Văn An", "an@example.org", "0912345678", "Trưởng phòng", "Hà Nội", "", "Khóa 3", "01/06/2024"]
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


_EXTRA_RELATIONSHIPS = (
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
)


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell(ref: str | None, value) -> str:
    where = f' r="{ref}"' if ref else ""
    if isinstance(value, int | float):
        return f"<c{where}><v>{value}</v></c>"
    return f'<c{where} t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values: Iterable, first_column: int = 0) -> str:
    cells = "".join(
        cell(f"{column_letters(first_column + index)}{number}", value)
        for index, value in enumerate(values)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(
    sheet_data: Iterable[str | bytes],
    *,
    dimension: str | None = None,
    members: dict | None = None,
    opening: str = f'<worksheet xmlns="{MAIN}">',
    closing: str = "</worksheet>",
    prefix: str = "",
    parts: dict | None = None,
) -> bytes:
    """A minimal package that calamine, openpyxl and Excel open; the sheet XML is written as it comes.

    `parts` replaces parts of the package (workbook.xml...), `members` adds others."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PACKAGE, **(parts or {})}.items():
            if name == "xl/_rels/workbook.xml.rels" and members:
                text = text.replace("</Relationships>", _EXTRA_RELATIONSHIPS + "</Relationships>")
            archive.writestr(name, text)
        with archive.open(SHEET, "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{opening}'.encode())
            if dimension:
                sheet.write(f'<{prefix}dimension ref="{dimension}"/>'.encode())
            sheet.write(f"<{prefix}sheetData>".encode())
            for part in sheet_data:
                sheet.write(part.encode() if isinstance(part, str) else part)
            sheet.write(f"</{prefix}sheetData>{closing}".encode())
        for name, content in (members or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def _header_and_row() -> list[str]:
    return [row(1, HEADERS), row(2, ROW)]


# --- hostile -----------------------------------------------------------------------------


def far_away_cell() -> bytes:
    """About 1 KB: A1 and one value at XFD1048576, the last cell Excel has."""
    return workbook([*_header_and_row(), row(1_048_576, ["x"], first_column=16_383)])


def sparse_to_row(last: int = 1_000_000, every: int = 10_000) -> bytes:
    """A value every `every` rows down to row `last`: few cells, a tall range."""
    return workbook(
        [*_header_and_row(), *(row(number, [f"a{number}@example.org"]) for number in range(every, last + 1, every))]
    )


def big_sheet(rows: int = 200_000, columns: int = 100, references: bool = True, varied: bool = False) -> bytes:
    """rows x columns numbers; one repeated row body, so it deflates to a few hundred KB quickly.

    With references=False the cells carry no r attribute (the standard allows that), which
    calamine places one after the other. varied=True writes other numbers in every row, and r
    on every cell when references is True, as Excel does: it deflates about ten times only."""
    body = "".join(f"<c><v>{column}</v></c>" for column in range(columns)).encode()

    def varied_row(number: int) -> bytes:
        if references:
            return row(number, [number * 31 + column for column in range(columns)]).encode()
        return (
            "<row>" + "".join(f"<c><v>{number * 31 + column}</v></c>" for column in range(columns)) + "</row>"
        ).encode()

    def lines():
        yield row(1, HEADERS)
        for number in range(2, rows + 2):
            if varied:
                yield varied_row(number)
            elif references:
                yield b'<row r="%d">' % number + body + b"</row>"
            else:
                yield b"<row>" + body + b"</row>"

    return workbook(lines())


def wide_sheet(columns: int = 150) -> bytes:
    """One data row whose last value is in column `columns` (EW for 153)."""
    return workbook([row(1, HEADERS), row(2, [*ROW, *["x"] * (columns - len(ROW))])])


def many_sheets(count: int = 1_000_000) -> bytes:
    """A workbook.xml naming `count` sheets (all the same part): 5 MB packed for a million."""
    sheets = "".join(f'<sheet name="S{n}" sheetId="{n + 1}" r:id="rId1"/>' for n in range(count))
    part = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )
    return workbook(_header_and_row(), parts={"xl/workbook.xml": part})


def many_shared_strings(count: int = 2_000_000) -> bytes:
    """A shared string table of `count` strings no cell uses: 5 MB packed for two million."""
    items = "".join(f"<si><t>{n}</t></si>" for n in range(count))
    return workbook(_header_and_row(), members={"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}">{items}</sst>'})


def huge_dimension() -> bytes:
    """A sheet that claims A1:XFD1048576 and holds two rows."""
    return workbook(_header_and_row(), dimension="A1:XFD1048576")


def zip_bomb(megabytes: int = 1024) -> bytes:
    """A sheet member that inflates about a thousand times: `megabytes` of blanks between the tags."""
    blanks = b" " * (1 << 20)
    return workbook([*_header_and_row(), *(blanks for _ in range(megabytes))])


def liar_zip(megabytes: int = 64, declared: int = 1000) -> bytes:
    """A sheet of `megabytes` whose local and central headers both claim `declared` bytes."""
    filler = b" " * (1 << 20)
    content = workbook([*_header_and_row(), *(filler for _ in range(megabytes))])
    return _declare_size(content, SHEET, declared)


def _declare_size(content: bytes, name: str, size: int) -> bytes:
    data = bytearray(content)
    encoded = name.encode()
    # central directory entry: signature, ..., uncompressed size at 24, name length at 28, name at 46
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        (name_length,) = struct.unpack_from("<H", data, start + 28)
        if bytes(data[start + 46 : start + 46 + name_length]) == encoded:
            (local,) = struct.unpack_from("<I", data, start + 42)
            struct.pack_into("<I", data, start + 24, size)
            struct.pack_into("<I", data, local + 22, size)  # local header: uncompressed size at 22
        start += 4
    return bytes(data)


# --- legitimate, written the way Excel, LibreOffice and the .NET Open XML SDK write ---------

_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)
_EXCEL_OPENING = (
    f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
)


def _shared(strings: list[str]) -> str:
    preserve = ' xml:space="preserve"'
    items = "".join(f"<si><t{preserve if text != text.strip() else ''}>{escape(text)}</t></si>" for text in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def _shared_string_cells(values: list, number: int, strings: list[str], attributes: dict[str, str]) -> str:
    """One row's cells, texts stored in `strings` (the shared table); `attributes` holds what each kind
    of cell carries besides r: "empty" (self-closing), "date" (a ("date", serial) tuple), "number", "text"."""
    cells = []
    for index, value in enumerate(values):
        ref = f"{column_letters(index)}{number}"
        if value is None:
            cells.append(f'<c r="{ref}"{attributes["empty"]}/>')
        elif isinstance(value, tuple):
            cells.append(f'<c r="{ref}"{attributes["date"]}><v>{value[1]}</v></c>')
        elif isinstance(value, int | float):
            cells.append(f'<c r="{ref}"{attributes["number"]}><v>{value}</v></c>')
        else:
            if value not in strings:
                strings.append(value)
            cells.append(f'<c r="{ref}"{attributes["text"]} t="s"><v>{strings.index(value)}</v></c>')
    return "".join(cells)


_EXCEL_CELLS = {"empty": ' s="1"', "date": ' s="2"', "number": "", "text": ""}
_LIBREOFFICE_CELLS = {"empty": ' s="0"', "date": ' s="2" t="n"', "number": ' s="0" t="n"', "text": ' s="0"'}


def excel_like(rows: list[list], *, first_row: int = 1) -> bytes:
    """Shared strings, spans and x14ac attributes, a styled date serial, blank rows skipped, empty
    styled cells self-closing: the way Excel writes a sheet."""
    strings: list[str] = []
    lines = [
        f'<row r="{number}" spans="1:{len(values)}" x14ac:dyDescent="0.25">'
        f"{_shared_string_cells(values, number, strings, _EXCEL_CELLS)}</row>"
        for number, values in enumerate(rows, start=first_row)
        if values
    ]
    last = first_row + len(rows) - 1
    return workbook(
        lines,
        dimension=f"A1:{column_letters(max(map(len, rows)) - 1)}{last}",
        opening=_EXCEL_OPENING,
        closing='<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>',
        members={"xl/sharedStrings.xml": _shared(strings), "xl/styles.xml": _STYLES},
    )


def libreoffice_like(rows: list[list]) -> bytes:
    """Every row with its formatting attributes, numbers typed t="n", empty cells self-closing."""
    strings: list[str] = []
    lines = [
        f'<row r="{number}" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        f'outlineLevel="0" collapsed="false">{_shared_string_cells(values, number, strings, _LIBREOFFICE_CELLS)}</row>'
        for number, values in enumerate(rows, start=1)
    ]
    return workbook(lines, members={"xl/sharedStrings.xml": _shared(strings), "xl/styles.xml": _STYLES})


def sdk_like(rows: list[list], *, references: bool) -> bytes:
    """Tags prefixed x:, inline strings, and (references=False) neither rows nor cells giving r:
    how programs built on the .NET Open XML SDK often write."""
    lines = []
    for offset, values in enumerate(rows):
        number = offset + 1
        cells = []
        for index, value in enumerate(values):
            where = f' r="{column_letters(index)}{number}"' if references else ""
            if value is None:
                cells.append(f"<x:c{where} />")
            elif isinstance(value, int | float):
                cells.append(f"<x:c{where}><x:v>{value}</x:v></x:c>")
            else:
                cells.append(f'<x:c{where} t="inlineStr"><x:is><x:t>{escape(value)}</x:t></x:is></x:c>')
        row_ref = f' r="{number}"' if references else ""
        lines.append(f"<x:row{row_ref}>{''.join(cells)}</x:row>")
    return workbook(lines, opening=f'<x:worksheet xmlns:x="{MAIN}">', closing="</x:worksheet>", prefix="x:")
