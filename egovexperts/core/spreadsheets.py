"""Cells of exported spreadsheets. Imports no app: every export of every app uses it."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_text(value):
    """Text that spreadsheet programs show as text: never run as a formula, no control characters."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a workbook cannot hold
    return "'" + value if value.startswith(FORMULA_STARTS) else value
