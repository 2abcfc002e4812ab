"""Working days in Vietnam: no weekends, no public holidays (Tết included), and the Saturdays
the government makes working days in exchange for a bridge holiday. Imports no app.

The holidays come from the `holidays` package (its Vietnamese calendar follows the lunar
dates of Tết and Hùng Kings' day and each year's decisions on swapped days), not from a list
kept by hand.
"""

from __future__ import annotations

import datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the programme's clock, whatever the server's


@cache
def _calendar() -> holidays.HolidayBase:
    # Years are filled in as they are asked for; one calendar serves the whole process.
    return holidays.country_holidays("VN")


def is_working_day(day: datetime.date) -> bool:
    return _calendar().is_working_day(day)


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days before `day` (which need not be one itself)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
