import datetime

import pytest

from egovexperts.imports.widgets import EmailWidget, PhoneWidget, VietnameseDateTimeWidget, VietnameseDateWidget


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("01/06/2024", datetime.date(2024, 6, 1)),
        ("1/6/2024", datetime.date(2024, 6, 1)),
        ("01-06-2024", datetime.date(2024, 6, 1)),
        ("01.06.2024", datetime.date(2024, 6, 1)),
        ("2024-06-01", datetime.date(2024, 6, 1)),
        (datetime.datetime(2024, 6, 1, 0, 0), datetime.date(2024, 6, 1)),
        (datetime.date(2024, 6, 1), datetime.date(2024, 6, 1)),
        (45444, datetime.date(2024, 6, 1)),  # an Excel serial in a cell without a date format
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_vietnamese_users_write_them(written, expected):
    assert VietnameseDateWidget().clean(written) == expected


@pytest.mark.parametrize("written", ["31/02/2021", "29/02/2023", "13/13/2024", "06/2024", "hôm qua", "2024-02-30", -5])
def test_impossible_or_unreadable_dates_are_refused(written):
    with pytest.raises(ValueError):
        VietnameseDateWidget().clean(written)


def test_date_times_are_local_times():
    value = VietnameseDateTimeWidget().clean("05/01/2026 8h30")
    assert (value.hour, value.minute, str(value.tzinfo)) == (8, 30, "Asia/Ho_Chi_Minh")
    with pytest.raises(ValueError):
        VietnameseDateTimeWidget().clean("05/01/2026 25:00")


def test_emails_are_trimmed_and_lowered():
    assert EmailWidget().clean("  An.Nguyen@Example.ORG ") == "an.nguyen@example.org"
    with pytest.raises(ValueError):
        EmailWidget().clean("an@")


def test_a_phone_typed_into_a_number_cell_gets_its_leading_zero_back():
    assert PhoneWidget().clean(912345678.0) == "0912345678"
    assert PhoneWidget().clean("+84 912 345 678") == "+84 912 345 678"
