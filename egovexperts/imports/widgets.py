"""Widgets that read cells the way agencies write them: Vietnamese dates, agency names, cohorts.

A widget's clean() returns the Python value or raises ValueError with a message the user can
act on; the resource collects those messages per row. Lookups (agencies, cohorts, sessions)
are loaded once per file and handed to the widgets, never queried per cell.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from egovexperts.core.text import fold
from trainees.agencies import AgencyDirectory, compact
from trainees.models import Agency

EMPTY = (None, "")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY_TIME = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})[ T]+(\d{1,2})[:hg](\d{2})$")
# Excel stores dates as days since 30/12/1899; a bare number in a date column is such a serial.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIALS = range(1, 120_000)
# C0 controls but tab, line feed and carriage return, and DEL: no one types them in a cell, an
# XLSX file carries them escaped (_x0000_) and a CSV file raw; PostgreSQL refuses NUL in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def control_characters(cells: list) -> dict[int, str]:
    """The cells holding a control character, by index, with the first one's code ("U+0000")."""
    if not _CONTROL.search("".join(cell for cell in cells if isinstance(cell, str))):
        return {}  # one search per row: almost every row has none
    found = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and (match := _CONTROL.search(cell)):
            found[index] = f"U+{ord(match.group()):04X}"
    return found


class TextWidget(widgets.CharWidget):
    """Text with spaces collapsed; whole numbers from Excel lose their ".0"; too long is an error."""

    def __init__(self, max_length: int | None = None, label: str = "", **kwargs):
        self.max_length = max_length
        self.label = label
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if self.max_length and len(text) > self.max_length:
            raise ValueError(
                _("%(column)s is longer than %(max)s characters.") % {"column": self.label, "max": self.max_length}
            )
        return text


class PhoneWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row=row, **kwargs)
        # A phone typed into a number cell loses its leading zero: 912345678 -> 0912345678.
        if isinstance(value, int | float) and len(text) == 9:
            text = "0" + text
        return text


class RequiredTextWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row=row, **kwargs)
        if not text:
            raise ValueError(_("%(column)s is empty.") % {"column": self.label})
        return text


class EmailWidget(TextWidget):
    """The key of a trainee: trimmed and compared case-insensitively."""

    def clean(self, value, row=None, **kwargs):
        email = super().clean(value, row=row, **kwargs).replace(" ", "").lower()
        if len(email) > 254:
            raise ValueError(_("the email is longer than 254 characters."))
        if not email:
            raise ValueError(_("the email is empty."))
        try:
            validate_email(email)
        except ValidationError:
            raise ValueError(_("'%(value)s' is not a valid email address.") % {"value": value}) from None
        return email


class CountWidget(widgets.IntegerWidget):
    """A whole number of people, 0 or more; a blank cell is no number (None)."""

    def __init__(self, label: str = "", **kwargs):
        self.label = label
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ValueError(
                _("'%(value)s' in %(column)s is not a whole number of people.") % {"value": value, "column": self.label}
            )
        return int(text)


def _date(year: int, month: int, day: int, written) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("'%(value)s' is not a date that exists.") % {"value": written}) from None


class VietnameseDateWidget(widgets.DateWidget):
    """dd/mm/yyyy as Vietnamese users write it, ISO yyyy-mm-dd, or an Excel date cell."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if math.isfinite(value) and int(value) in _EXCEL_SERIALS:
                return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
            raise ValueError(_("'%(value)s' is not a date: write it as dd/mm/yyyy.") % {"value": value})
        text = str(value).strip()
        if match := _DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
            return _date(year, month, day, text)
        if match := _ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
            return _date(year, month, day, text)
        raise ValueError(_("'%(value)s' is not a date: write it as dd/mm/yyyy.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class VietnameseDateTimeWidget(widgets.DateTimeWidget):
    """ "dd/mm/yyyy hh:mm" (also 8h30, 8g30), ISO, or an Excel date-time cell; local time.

    With a label the cell is required: a blank one is an error naming it."""

    def __init__(self, label: str = "", **kwargs):
        self.label = label
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.label:
                raise ValueError(_("%(column)s is empty.") % {"column": self.label})
            return None
        tz = timezone.get_current_timezone()
        if isinstance(value, datetime.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value, tz)
        text = str(value).strip()
        if match := _DMY_TIME.match(text):
            day, month, year, hour, minute = (int(part) for part in match.groups())
        else:
            try:
                parsed = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    _("'%(value)s' is not a date and time: write it as dd/mm/yyyy hh:mm.") % {"value": text}
                ) from None
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, tz)
        _date(year, month, day, text)
        if hour > 23 or minute > 59:
            raise ValueError(_("'%(value)s' is not a time that exists.") % {"value": text})
        return timezone.make_aware(datetime.datetime(year, month, day, hour, minute), tz)


def _did_you_mean(value: str, names: list[str]) -> str:
    if not names:
        return "."
    quoted = ", ".join(f"'{name}'" for name in names)
    return " — " + _("did you mean %(names)s?") % {"names": quoted}


class AgencyWidget(widgets.Widget):
    """An agency written by name, code or abbreviation, through the one agency resolver."""

    def __init__(self, directory: AgencyDirectory | None = None, required: bool = True, **kwargs):
        self.directory = directory
        self.required = required
        self._resolved: dict[str, Agency | None] = {}  # a list names the same few agencies many times
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs) -> Agency | None:
        if is_blank(value):
            if self.required:
                raise ValueError(_("the agency is empty."))
            return None
        text = " ".join(str(value).split())
        if text not in self._resolved:
            self._resolved[text] = self.directory.resolve(text)
        agency = self._resolved[text]
        if agency is None:
            suggestions = [found.short_name for found in self.directory.suggest(text)]
            raise ValueError(_("agency '%(value)s' not found") % {"value": text} + _did_you_mean(text, suggestions))
        return agency

    def render(self, value, obj=None, **kwargs):
        return value.name_vi if value else ""


class LookupWidget(widgets.Widget):
    """A record named by code or name (accent- and case-insensitive), from a table loaded once."""

    not_found = ""

    def __init__(self, choices: dict[str, object] | None = None, names: dict[str, str] | None = None, **kwargs):
        self.choices = choices or {}  # compact key -> record (None when two records share the key)
        self.names = names or {}  # compact key -> display name, for suggestions
        self._keys: dict[str, str] = {}
        super().__init__(**kwargs)

    @classmethod
    def keyed(cls, records, keys) -> LookupWidget:
        choices: dict[str, object] = {}
        names: dict[str, str] = {}
        for record in records:
            for text in keys(record):
                key = compact(text)
                if key:
                    choices[key] = None if key in choices and choices[key] != record else record
                    names[key] = str(text)
        return cls(choices=choices, names=names)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = " ".join(str(value).split())
        if text not in self._keys:  # a file names the same few records thousands of times
            self._keys[text] = compact(text)
        key = self._keys[text]
        if key in self.choices:
            record = self.choices[key]
            if record is None:
                raise ValueError(_("'%(value)s' fits more than one record; write it more precisely.") % {"value": text})
            return record
        close = difflib.get_close_matches(key, list(self.names), n=3, cutoff=0.5)
        suggestions = list(dict.fromkeys(self.names[key] for key in close))
        raise ValueError(self.not_found % {"value": text} + _did_you_mean(text, suggestions))


class CohortWidget(LookupWidget):
    not_found = gettext_lazy("cohort '%(value)s' not found")


class CourseWidget(LookupWidget):
    not_found = gettext_lazy("course '%(value)s' not found")


class SessionWidget(LookupWidget):
    not_found = gettext_lazy("session '%(value)s' not found in this course")

    def clean(self, value, row=None, **kwargs):
        # An Excel date or date-time cell names the session by its local start.
        if isinstance(value, datetime.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            value = f"{local:%d/%m/%Y %H:%M}" if (local.hour, local.minute) != (0, 0) else f"{local:%d/%m/%Y}"
        elif isinstance(value, datetime.date):
            value = f"{value:%d/%m/%Y}"
        return super().clean(value, row=row, **kwargs)


class ChoiceWidget(widgets.Widget):
    """A choice written as its value or label, in Vietnamese or English."""

    def __init__(self, choices: dict[str, str], label: str, default: str | None = None, **kwargs):
        self.choices = {fold(text): value for text, value in choices.items()}
        self.written = list(choices)
        self.label = label
        self.default = default
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            if self.default is not None:
                return self.default
            raise ValueError(_("%(column)s is empty.") % {"column": self.label})
        found = self.choices.get(fold(str(value)))
        if found is None:
            allowed = ", ".join(self.written)
            raise ValueError(
                _("'%(value)s' is not a valid %(column)s (allowed: %(allowed)s).")
                % {"value": value, "column": self.label, "allowed": allowed}
            )
        return found
