"""Bounds an uploaded workbook before calamine reads it: size unpacked, ratio, rows, columns, cells.

Why a scan of our own. python-calamine builds the whole sheet before Python sees a row: a dense
range from A1 to the farthest cell holding a value (its `iter_rows` walks that range, already
built). A 2 KB file with a value in XFD1048576 asks for 17 billion cells and kills the process;
a value in row 1,000,000 costs seconds and hundreds of MB. calamine reads `<dimension ref>` only
to reserve room when it names fewer than 100,000 cells, so the dimension cannot be trusted to
bound anything either way. openpyxl's read-only mode streams rows, but at a tenth of calamine's
speed and with other value types than today's reader. So calamine stays the reader, and this
module refuses, before it runs, what would make it allocate without bound, with the standard
library only:

1. `zipfile` lists the members; each is inflated as a stream, counting the bytes it really
   yields, not the size its headers declare (a crafted archive understates it): refused past
   MAX_UNCOMPRESSED in all, or past MAX_RATIO times the upload's size, or when a member yields
   another size than its headers say.
2. In every member, once a `<sheetData>` start tag has gone by (calamine reads no cell before),
   the `<c>` start tags are found with a regular expression, in bulk: the standard lets a cell
   give its position in an `r` attribute, which Excel, LibreOffice and openpyxl always write;
   the largest row and column of those must lie within the limits. Attribute values may not
   contain "<" (XML forbids it), so no tag can hide inside another; a `<c` that does not parse
   as a tag is refused as a damaged file. A declared `<dimension ref>` beyond the limits is
   refused as well: it is the used range Excel writes.
3. A sheet with cells that give no `r` (the standard allows it: such a cell follows the one
   before, a row without `r` the row before) is scanned again in order, by the same kind of
   pattern, following calamine's rules: the running row and column, a self-closing `<row/>`
   or `<c/>` read as a start and an end (calamine 0.37, in python-calamine 0.9.1, has its XML
   reader expand them; the property test in tests/security compares with calamine itself),
   nothing read after `</sheetData>`. expat (the standard library's XML
   parser, fed the same bytes without handlers, so at C speed) checks meanwhile that the sheet
   is well-formed, without a DTD, comment or CDATA section, and the scan that no row or cell
   stands inside a cell: only then are calamine's tags and the pattern's the same.

Every scan stops at the first cell beyond a limit and at MAX_CELLS cells, so a refusal costs at
most that much parsing. What calamine holds besides the sheet is counted too, by the same kind of
pattern in every member: shared strings as cells, sheets and defined names up to _MAX_NAMES.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from operator import itemgetter
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CHUNK = 1 << 20
_LONGEST_TAG = 1 << 20
_MAX_MEMBERS = 1000
# calamine holds every sheet and defined name of workbook.xml, python-calamine lists them: a
# million of them, 5 MB packed, were 300 MB. Shared strings count as cells (each is a cell's text).
_MAX_NAMES = 1000

# A tag name may carry a prefix (x:c): calamine compares the part after the first colon.
_PREFIX = re.compile(rb"(?:[^\s/<>:\"'=]*:)?")
_VALUE = rb"(?:\"[^\"<]*\"|'[^'<]*')"
_OTHER_ATTRIBUTE = rb"\s+(?!r\s*=)[^\s=/<>\"']+\s*=\s*" + _VALUE
_ANY_ATTRIBUTE = rb"\s+[^\s=/<>\"']+\s*=\s*" + _VALUE
_CELL_START = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL_START = re.compile(rb"<[^\s/<>:\"'=]*:c[\s/>]")
# What Excel, LibreOffice and openpyxl write, found fast; any other spelling goes to _CELL_TAG.
_PLAIN_CELL_TAG = re.compile(rb'<c\s+r="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_TAG = re.compile(
    rb"<" + _PREFIX.pattern + rb"c(?=[\s/>])(?:" + _OTHER_ATTRIBUTE + rb")*+"
    rb"(?:\s+r\s*=\s*[\"']([A-Za-z]{1,4})([0-9]{1,9})[\"'])?"
    rb"(?:" + _OTHER_ATTRIBUTE + rb")*+\s*/?>"
)
_ROW_REFERENCE = re.compile(
    rb"(?:" + _OTHER_ATTRIBUTE + rb")*+"
    rb"(?:\s+r\s*=\s*[\"'][A-Za-z]{0,4}([0-9]{1,9})[\"'])?"
    rb"(?:" + _OTHER_ATTRIBUTE + rb")*+"
)
_PREFIXED_TAG = re.compile(rb"</?[^\s/<>:\"'=!?]+:")
_SHARED_STRING = re.compile(rb"<" + _PREFIX.pattern + rb"si[\s/>]")
_NAME = re.compile(rb"<" + _PREFIX.pattern + rb"(?:sheet|definedName)[\s/>]")


class _OrderPatterns:
    """The patterns of the scan in order, for tags with a prefix or (faster) without."""

    def __init__(self, prefix: bytes):
        # Row and cell tags: (end, name, letters, digits, self-closing).
        self.tag = re.compile(
            rb"<(/?)" + prefix + rb"(row|c)(?=[\s/>])(?:" + _OTHER_ATTRIBUTE + rb")*+"
            rb"(?:\s+r\s*=\s*[\"']([A-Za-z]{0,4})([0-9]{1,9})[\"'])?"
            rb"(?:" + _OTHER_ATTRIBUTE + rb")*+\s*(/?)>"
        )
        self.tag_start = re.compile(rb"</?" + prefix + rb"(?:row|c)[\s/>]")
        # A row whose cells give no r and which holds no other row, in one match, without a
        # Python step per cell. Its cells are as many as its <c> tags, at columns 0, 1, 2...
        # (a row comes after </row> or <sheetData>, where the column is 0).
        self.plain_row = re.compile(
            rb"<" + prefix + rb"row((?:" + _ANY_ATTRIBUTE + rb")*+)\s*>"
            rb"((?:[^<]+|<" + prefix + rb"c(?:" + _OTHER_ATTRIBUTE + rb")*+\s*/?>|</" + prefix + rb"c\s*>"
            rb"|<(?!/?" + prefix + rb"(?:row|c|sheetData)[\s/>])[^<]*)*+)"
            rb"</" + prefix + rb"row\s*>"
        )
        self.cell_start = re.compile(rb"<" + prefix + rb"c[\s/>]")


_IN_ORDER = _OrderPatterns(b"")
_IN_ORDER_PREFIXED = _OrderPatterns(_PREFIX.pattern)
_SHEET_DATA = re.compile(rb"sheetData[\s>]")
_SHEET_DATA_END = re.compile(rb"sheetData\s*>")
_DIMENSION = re.compile(rb"dimension\s[^<>]*?\bref\s*=\s*[\"']([^\"'<]*)[\"']")
_REFERENCE = re.compile(r"^([A-Za-z]{1,4})([0-9]{1,9})$")
# calamine decodes UTF-16 parts: their tags would escape the byte patterns above.
_UTF16_SHEET_DATA = ("sheetData".encode("utf-16-le"), "sheetData".encode("utf-16-be"))


@dataclass(frozen=True)
class Limits:
    rows: int  # data rows below the header
    columns: int
    cells: int
    uncompressed: int  # bytes
    ratio: int


def column_number(letters: str | bytes) -> int:
    """A -> 1, Z -> 26, AA -> 27 (lower case too, as calamine reads it)."""
    number = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def check_workbook(content: bytes, limits: Limits) -> None:
    """Raise ValidationError if calamine could not read the workbook within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except Exception:  # as in _inflate: a damaged archive raises any of many kinds
        raise _unreadable() from None
    if len(infos) > _MAX_MEMBERS:
        raise ValidationError(
            _("The workbook has more than %(limit)s parts; open it in Excel and save it again.")
            % {"limit": _MAX_MEMBERS},
            code="size",
        )
    budget = min(limits.uncompressed, limits.ratio * len(content))
    if sum(info.file_size for info in infos) > budget:
        raise _too_big(limits, content)
    inflated = 0
    for info in infos:
        scan = _SheetScan(limits)
        for chunk in _inflate(archive, info):
            inflated += len(chunk)
            if inflated > budget:
                raise _too_big(limits, content)
            scan.feed(chunk)
        scan.close()
        if scan.cells_without_reference:
            scan = _SheetScan(limits, in_order=True)
            for chunk in _inflate(archive, info):
                scan.feed(chunk)
            scan.close()


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member's bytes as they really inflate, whatever size its headers declare."""
    # zipfile stops reading at the declared size: ask for more, so that a lie is seen and counted.
    unbounded = copy.copy(info)
    unbounded.file_size = 1 << 62
    yielded = 0
    try:
        with archive.open(unbounded) as member:
            while chunk := member.read(_CHUNK):
                yielded += len(chunk)
                yield chunk
    except Exception:  # zipfile and the decompressors raise a dozen kinds on damaged, encrypted or odd input
        raise _unreadable() from None
    if yielded != info.file_size:
        raise _unreadable()


class _SheetScan:
    """One member, fed as it inflates; see the module docstring for the two ways it is scanned."""

    def __init__(self, limits: Limits, *, in_order: bool = False):
        self.limits = limits
        self.carry = b""
        self.state = "before"  # then "inside" <sheetData>, then "after" </sheetData>
        self.cells = 0
        self.names = 0
        self.cells_without_reference = False
        self.in_order = in_order
        if in_order:
            self.parser = expat.ParserCreate()
            self.parser.StartDoctypeDeclHandler = _refuse  # no DTD: no entity to expand
            self.started = False  # the XML declaration (<?xml ...?>) may open the member, nothing else
            self.row = self.column = 0  # calamine's running row and column, 0-based
            self.rows = 0
            self.in_cell = False

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")  # text holds no "<", nor do tags: only the last tag may be cut short
        if cut == -1 or len(data) - cut > _LONGEST_TAG:
            cut = len(data)
        self.carry = data[cut:]
        self._scan(data[:cut])

    def close(self) -> None:
        self._scan(self.carry)
        self.carry = b""
        if self.in_order:
            self._parse(b"", final=True)

    def _scan(self, text: bytes) -> None:
        if not text:
            return
        if self.in_order:
            self._parse(text)
        if any(pattern in text for pattern in _UTF16_SHEET_DATA):
            raise _unreadable()
        if b":si" in text:
            self._count(len(_SHARED_STRING.findall(text)))
        elif b"<si" in text:
            self._count(_plain_count(text, b"<si"))
        if b"<sheet" in text or b":sheet" in text or b"definedName" in text:
            self.names += len(_NAME.findall(text))
            if self.names > _MAX_NAMES:
                raise ValidationError(
                    _("The workbook has more than %(limit)s sheets or names; open it in Excel and save it again.")
                    % {"limit": f"{_MAX_NAMES:,}"},
                    code="size",
                )
        if self.state == "before":
            for found in _tags(_DIMENSION, text):
                _check_dimension(found.group(1).decode("latin-1"), self.limits)
            found = next(_tags(_SHEET_DATA, text), None)
            if found is None:
                return  # calamine reads no cell before <sheetData>
            self.state = "inside"
            text = text[found.start() :]
        elif self.state == "after":
            return
        if ended := next(_tags(_SHEET_DATA_END, text, end=True), None):
            self.state = "after"  # nor after </sheetData>
            text = text[: text.rfind(b"<", 0, ended.start())]
        if self.in_order:
            self._place(text)
        else:
            self._bound(text)

    def _bound(self, text: bytes) -> None:
        starts = len(_CELL_START.findall(text))
        if b":c" in text:
            starts += len(_PREFIXED_CELL_START.findall(text))
        self._count(starts)
        if self.cells_without_reference or not starts:
            return  # the scan in order places these cells
        tags = _PLAIN_CELL_TAG.findall(text)
        if len(tags) != starts:
            tags = _CELL_TAG.findall(text)
            if len(tags) != starts:
                raise _unreadable()  # a <c whose attributes are not well-formed XML
        if (b"", b"") in tags:
            self.cells_without_reference = True  # positions depend on the order: scan again in order
            return
        rows = list(map(int, map(itemgetter(1), tags)))
        if min(rows) < 1:
            raise _unreadable()  # calamine cannot read row 0
        _check_row(max(rows), self.limits)
        check_column(max(map(column_number, set(map(itemgetter(0), tags)))), self.limits)

    def _place(self, text: bytes) -> None:
        """Follow calamine's running row and column through the row and cell tags, in order."""
        patterns = _IN_ORDER_PREFIXED if _PREFIXED_TAG.search(text) else _IN_ORDER
        start = 0
        for row in patterns.plain_row.finditer(text):
            self._place_tags(text[start : row.start()], patterns)
            self._place_plain_row(row.group(1), row.group(2), patterns)
            start = row.end()
        self._place_tags(text[start:], patterns)

    def _place_plain_row(self, attributes: bytes, content: bytes, patterns: _OrderPatterns) -> None:
        if self.in_cell:
            raise _unreadable()
        self._count_row()
        reference = _ROW_REFERENCE.fullmatch(attributes)
        if reference is None:
            raise _unreadable()  # r twice, say: expat refuses it too
        row = _position(reference.group(1)) - 1 if reference.group(1) else self.row
        cells = len(patterns.cell_start.findall(content))
        if cells:
            if row > self.limits.rows:
                _check_row(row + 1, self.limits)
            if self.column + cells > self.limits.columns:
                check_column(self.column + cells, self.limits)
        self.row, self.column = row + 1, 0

    def _place_tags(self, text: bytes, patterns: _OrderPatterns) -> None:
        if not text:
            return
        tags = patterns.tag.findall(text)
        if len(tags) != len(patterns.tag_start.findall(text)):
            raise _unreadable()
        limits, row, column, in_cell = self.limits, self.row, self.column, self.in_cell
        for end, name, letters, digits, empty in tags:
            if in_cell:  # the tag after a cell's start must be its end
                if end and name == b"c":
                    in_cell, column = False, column + 1
                    continue
                raise _unreadable()
            if end:
                if name == b"row":
                    row, column = row + 1, 0
            elif name == b"row":
                self._count_row()
                if digits:
                    row = _position(digits) - 1
                if empty:  # <row/> is a start and an end to calamine
                    row, column = row + 1, 0
            else:
                if digits:
                    if not letters:
                        raise _unreadable()
                    cell_row, column = _position(digits) - 1, column_number(letters) - 1
                else:
                    cell_row = row
                if empty:  # <c/>: no value, but the next cell comes after it
                    column += 1
                    continue
                if cell_row > limits.rows:
                    _check_row(cell_row + 1, limits)
                if column >= limits.columns:
                    check_column(column + 1, limits)
                in_cell = True
        self.row, self.column, self.in_cell = row, column, in_cell

    def _count_row(self) -> None:
        self.rows += 1
        if self.rows > self.limits.rows + 1:
            raise too_many_rows(self.limits)

    def _count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.limits.cells:
            raise _too_many_cells(self.limits)

    def _parse(self, text: bytes, final: bool = False) -> None:
        if not self.started:
            self.started = True
            declaration = re.match(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^<>]*\?>", text)
            body = text[declaration.end() :] if declaration else text
        else:
            body = text
        if b"<!" in body or b"<?" in body:
            raise _unreadable()  # a comment, CDATA section, DTD or instruction: calamine skips its text
        try:
            self.parser.Parse(text, final)
        except expat.ExpatError:
            raise _unreadable() from None


def _tags(pattern: re.Pattern, text: bytes, end: bool = False):
    """Matches of `pattern` (which starts at a tag's name) that are a tag: "<" and a prefix before.

    Searching for the name first is many times faster than for "<" and a possible prefix."""
    for found in pattern.finditer(text):
        opening = text.rfind(b"</" if end else b"<", 0, found.start())
        if opening != -1 and _PREFIX.fullmatch(text, opening + (2 if end else 1), found.start()):
            yield found


def _plain_count(text: bytes, opening: bytes) -> int:
    """Tags named by `opening` ("<si") without a prefix, counted at bytes speed."""
    return sum(text.count(opening + end) for end in (b">", b" ", b"/", b"\t", b"\n", b"\r"))


def _position(digits: bytes) -> int:
    """A row number as written; calamine cannot read row 0."""
    number = int(digits)
    if number < 1:
        raise _unreadable()
    return number


def _refuse(*args):
    raise _unreadable()


# --- refusals ------------------------------------------------------------------------------


def _check_row(row: int, limits: Limits) -> None:
    """`row` is 1-based, as Excel shows it; row 1 is the header."""
    if row > limits.rows + 1:
        raise ValidationError(
            _(
                "The file has data in row %(row)s; the limit is %(limit)s rows below the header. "
                "Split it into smaller files."
            )
            % {"row": f"{row:,}", "limit": f"{limits.rows:,}"},
            code="size",
        )


def check_column(column: int, limits: Limits) -> None:
    """`column` is 1-based: 1 is A."""
    if column > limits.columns:
        raise ValidationError(
            _("The file has data in column %(column)s; the limit is %(limit)s columns (up to %(last)s).")
            % {"column": column_letters(column), "limit": limits.columns, "last": column_letters(limits.columns)},
            code="size",
        )


def _check_dimension(ref: str, limits: Limits) -> None:
    corners = [_REFERENCE.match(part.strip()) for part in ref.split(":")]
    if not corners or None in corners:
        return  # calamine refuses a dimension it cannot parse on its own
    rows = max(int(corner.group(2)) for corner in corners)
    columns = max(column_number(corner.group(1)) for corner in corners)
    if rows > limits.rows + 1 or columns > limits.columns:
        raise ValidationError(
            _(
                "The sheet's used range is %(range)s; the limit is %(rows)s rows below the header and %(columns)s "
                "columns. Delete the empty rows and columns around the data, or split the file."
            )
            % {"range": ref.upper(), "rows": f"{limits.rows:,}", "columns": limits.columns},
            code="size",
        )


def too_many_rows(limits: Limits) -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)s rows below the header, the limit. Split it into smaller files.")
        % {"limit": f"{limits.rows:,}"},
        code="size",
    )


def _too_many_cells(limits: Limits) -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)s cells, the limit. Split it into smaller files.")
        % {"limit": f"{limits.cells:,}"},
        code="size",
    )


def _too_big(limits: Limits, content: bytes) -> ValidationError:
    if limits.ratio * len(content) < limits.uncompressed:
        return ValidationError(
            _(
                "The workbook unpacks to more than %(ratio)s times its size, the limit for a spreadsheet; "
                "open it in Excel and save it again."
            )
            % {"ratio": limits.ratio},
            code="size",
        )
    return ValidationError(
        _("The workbook unpacks to more than %(limit)s MB, the limit. Split it into smaller files.")
        % {"limit": round(limits.uncompressed / 1024 / 1024)},
        code="size",
    )


def _unreadable() -> ValidationError:
    return ValidationError(_("The Excel file could not be read; open and save it again."), code="type")
