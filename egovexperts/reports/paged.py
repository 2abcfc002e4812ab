"""A report of several tables read as one document cut into pages of rows (the agency page).

The tables follow each other; a page holds PAGE_ROWS rows, wherever they fall: the end of one
table and the start of the next, or the middle of a long one. The report computes its figures
over every row, and builds the rows of the page it shows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_ROWS = 50


@dataclass(slots=True)
class Section:
    """One of the tables, as far as the current page shows it."""

    name: str
    total: int  # its rows on every page
    start: int  # its first row, counted through the whole document from 0
    first: int = 0  # the first of its rows on the current page, from 0
    size: int = 0  # how many of its rows the current page shows
    shown: bool = False  # on the current page (an empty table shows where it would begin)
    rows: list = field(default_factory=list)  # those rows, once the report has built them

    @property
    def last(self) -> int:
        return self.first + self.size

    @property
    def partial(self) -> bool:
        """Some of its rows are on other pages."""
        return 0 < self.size < self.total

    @property
    def pages(self) -> tuple[int, int]:
        """The first and last pages that show it."""
        first = self.start // PAGE_ROWS + 1
        return first, max((self.start + self.total - 1) // PAGE_ROWS + 1, first)


@dataclass(slots=True)
class Document:
    sections: dict[str, Section]
    page: int  # the current page, from 1
    pages: int


def cut(totals: dict[str, int], page: int | str | None) -> Document:
    """The tables of `totals` (name: rows, in the order shown) on the page asked for ("last" for
    the last; the first when it is no number, the last when past the end)."""
    sections, start = {}, 0
    for name, total in totals.items():
        sections[name] = Section(name, total, start)
        start += total
    pages = max(1, -(-start // PAGE_ROWS))
    number = pages if page == "last" else _number(page)
    number = min(max(number, 1), pages)
    begin, end = (number - 1) * PAGE_ROWS, number * PAGE_ROWS
    for section in sections.values():
        section.first = min(max(begin - section.start, 0), section.total)
        section.size = min(max(end - section.start, 0), section.total) - section.first
        home = min(section.start // PAGE_ROWS + 1, pages)  # where an empty table says it is empty
        section.shown = section.size > 0 or (section.total == 0 and home == number)
    return Document(sections, number, pages)


def _number(page) -> int:
    try:
        return int(page)
    except (TypeError, ValueError):
        return 1
