"""Reading an uploaded file into rows, refusing what is not a usable XLSX or CSV file.

Every refusal is a ValidationError with a message that says what to do; nothing is written.
Uploads wait between preview and confirm under MEDIA_ROOT/imports/pending, named by a random
token, and are removed once confirmed or after a day.

A workbook is bounded before calamine reads it (workbook_limits.py says why and how): unpacked
size, compression ratio, rows, columns and cells, so that a small hostile file is refused in
little time and memory instead of making the reader allocate its whole range.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats import base_formats
from python_calamine import CalamineWorkbook

from . import workbook_limits
from .widgets import control_characters, is_blank

MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 5 * 1024 * 1024)
MAX_ROWS = getattr(settings, "IMPORT_MAX_ROWS", 20_000)
MAX_COLUMNS = getattr(settings, "IMPORT_MAX_COLUMNS", 100)
# A workbook's cells (20,000 rows of 25 columns) and its size unpacked: a 20,000-row trainee list
# written by openpyxl holds 160,000 cells and unpacks to 8.5 MB, 13 times its size.
MAX_CELLS = getattr(settings, "IMPORT_MAX_CELLS", 500_000)
MAX_UNCOMPRESSED = getattr(settings, "IMPORT_MAX_UNCOMPRESSED", 50 * 1024 * 1024)
MAX_RATIO = getattr(settings, "IMPORT_MAX_RATIO", 100)
EXTENSIONS = (".xlsx", ".csv")
_ZIP_MAGIC = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"
_PENDING_DAYS = 1


@dataclass
class Upload:
    name: str
    content: bytes

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return Path(self.name).suffix.lower()


@dataclass
class Table:
    headers: list
    rows: list[tuple[int, list]]  # (line number in the file, cells)


def check_size(size: int) -> None:
    """Checked before the file is read: a huge upload is refused without loading it."""
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": round(size / 1024 / 1024, 1), "limit": round(MAX_BYTES / 1024 / 1024, 1)},
            code="size",
        )


def check_upload(upload: Upload) -> None:
    if upload.extension not in EXTENSIONS:
        raise ValidationError(
            _("'%(name)s' is not an Excel (.xlsx) or CSV (.csv) file.") % {"name": upload.name}, code="type"
        )
    check_size(len(upload.content))
    if not upload.content.removeprefix(_BOM).strip():
        raise ValidationError(_("The file is empty."), code="empty")


def read_table(upload: Upload) -> Table:
    """The header row and the non-blank data rows of the first sheet."""
    check_upload(upload)
    cells = _cells(upload)
    headers = list(cells[0]) if cells else []
    if not any(not is_blank(header) for header in headers):
        raise ValidationError(_("The file has no header row."), code="empty")
    if found := control_characters(headers):
        index, code = next(iter(found.items()))
        raise ValidationError(
            _(
                "The header row has a control character (%(code)s) in column %(column)s; "
                "delete it and upload the file again."
            )
            % {"code": code, "column": workbook_limits.column_letters(index + 1)},
            code="control",
        )
    rows = [(index + 2, row) for index, row in enumerate(cells[1:]) if not all(is_blank(cell) for cell in row)]
    if not rows:
        raise ValidationError(_("The file has a header row but no data rows."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(count)s rows; the limit is %(limit)s. Split it into smaller files.")
            % {"count": len(rows), "limit": MAX_ROWS},
            code="size",
        )
    return Table(headers=headers, rows=rows)


def limits() -> workbook_limits.Limits:
    return workbook_limits.Limits(
        rows=MAX_ROWS, columns=MAX_COLUMNS, cells=MAX_CELLS, uncompressed=MAX_UNCOMPRESSED, ratio=MAX_RATIO
    )


def _check_csv_shape(text: str) -> None:
    """Rows and columns counted as the csv module reads them, before tablib builds its dataset.

    5 MB of short lines are a million rows, which tablib would take seconds to hold before
    the row limit refused them; here the count stops at the limit."""
    data_rows = -1  # the header row is not a data row
    try:
        for row in csv.reader(io.StringIO(text, newline="")):  # newline="": as tablib reads it
            if not row:
                continue  # a blank line, which tablib skips too
            if len(row) > MAX_COLUMNS:
                if len(row) > 10 * MAX_COLUMNS:
                    raise ValidationError(
                        _("A row of the file has %(count)s columns; the limit is %(limit)s.")
                        % {"count": f"{len(row):,}", "limit": MAX_COLUMNS},
                        code="size",
                    )
                for index in range(MAX_COLUMNS, len(row)):
                    if row[index].strip():
                        workbook_limits.check_column(index + 1, limits())
            if data_rows < 0 or "".join(row).strip():
                data_rows += 1
                if data_rows > MAX_ROWS:
                    raise workbook_limits.too_many_rows(limits())
    except csv.Error:
        return  # broken quoting: tablib refuses it below


def _cells(upload: Upload) -> list[list]:
    if upload.extension == ".xlsx":
        if not upload.content.startswith(_ZIP_MAGIC):
            raise ValidationError(_("The file is not a real Excel (.xlsx) workbook."), code="type")
        workbook_limits.check_workbook(upload.content, limits())
        try:
            # calamine reads a 10,000-row sheet about ten times faster than openpyxl; date cells
            # come back as dates. Leading blank rows are kept so line numbers match Excel's.
            book = CalamineWorkbook.from_filelike(io.BytesIO(upload.content))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # a damaged or renamed file: calamine raises its own error types
            raise ValidationError(_("The Excel file could not be read; open and save it again."), code="type") from None
    if upload.content.startswith(_ZIP_MAGIC):
        raise ValidationError(_("The file is not a text CSV file; save it as 'CSV UTF-8'."), code="type")
    try:
        # utf-8-sig drops the byte-order mark Excel writes in front of "CSV UTF-8" files.
        text = upload.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The CSV file is not in UTF-8; in Excel choose 'Save as' and 'CSV UTF-8'."), code="encoding"
        ) from None
    if "\x00" in text.partition("\n")[0]:
        # NUL in the header line: UTF-16 text or a binary file, not a CSV file with one bad cell
        # (a NUL further down is a row error, like any control character: see plans.read_rows).
        raise ValidationError(_("The file is not a text CSV file; save it as 'CSV UTF-8'."), code="type")
    _check_csv_shape(text)
    try:
        dataset = base_formats.CSV().create_dataset(text)
    except Exception:  # tablib raises on rows longer than the header, and csv on broken quoting
        raise ValidationError(_("The CSV file could not be read: check its columns and quotes."), code="type") from None
    return [list(dataset.headers or []), *(list(row) for row in dataset)]


# --- waiting uploads ---------------------------------------------------------------


def _pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_pending(upload: Upload) -> str:
    """Store the upload until it is confirmed; returns its token."""
    folder = _pending_dir()
    cutoff = time.time() - _PENDING_DAYS * 86400
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(upload.content)
    return token


def load_pending(token: str, name: str, checksum: str) -> Upload:
    path = _pending_dir() / token
    if not (len(token) == 32 and token.isalnum() and path.exists()):
        raise ValidationError(_("This preview has expired: upload the file again."), code="expired")
    upload = Upload(name=name, content=path.read_bytes())
    if upload.checksum != checksum:
        raise ValidationError(_("This preview has expired: upload the file again."), code="expired")
    return upload


def drop_pending(token: str) -> None:
    (_pending_dir() / token).unlink(missing_ok=True)
