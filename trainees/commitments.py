"""The retention commitment rule: end date and status, as pure functions.

An agency committed not to transfer its trainee for three years. The commitment is broken
on the first day, before its end, that the trainee no longer holds a post at that agency or
at the agency that took it over (a merger carries the commitment to the successor; it is no
breach). Leaving on or after the end date fulfils it. Organizers may waive a commitment with
a reason (retirement, illness), which overrides the computed status.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("not started")
    ACTIVE = "active", _("active")
    ENDING_SOON = "ending_soon", _("ending soon")
    FULFILLED = "fulfilled", _("fulfilled")
    BROKEN = "broken", _("broken")
    WAIVED = "waived", _("waived")


@dataclass(frozen=True)
class Post:
    agency_id: int
    starts_on: datetime.date
    ends_on: datetime.date | None


@dataclass(frozen=True)
class Evaluation:
    status: Status
    broken_on: datetime.date | None = None
    days_remaining: int | None = None


def default_end(starts_on: datetime.date, years: int | None = None) -> datetime.date:
    """Same day `years` later; a 29 February start ends on 28 February."""
    years = settings.COMMITMENT_YEARS if years is None else years
    try:
        return starts_on.replace(year=starts_on.year + years)
    except ValueError:
        return starts_on.replace(year=starts_on.year + years, day=28)


def breach_date(
    *,
    agency_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    posts: Sequence[Post],
    carrier: Callable[[int, datetime.date], int],
    today: datetime.date,
) -> datetime.date | None:
    """First day in [starts_on, ends_on) and not after today without a post at the committed agency.

    `carrier(agency_id, day)` names the agency in force that carries an agency on a day.
    Only days after the trainee was seen in post there count: a history that begins late
    is missing data, not a transfer.
    """
    last_day = min(ends_on - datetime.timedelta(days=1), today)

    def at_agency(day: datetime.date) -> bool:
        holding = [post for post in posts if post.starts_on <= day and (post.ends_on is None or day <= post.ends_on)]
        return any(carrier(post.agency_id, day) == carrier(agency_id, day) for post in holding)

    departures = sorted(
        post.ends_on + datetime.timedelta(days=1)
        for post in posts
        if post.ends_on is not None and post.ends_on + datetime.timedelta(days=1) >= starts_on
    )
    for day in departures:
        if day > last_day:
            break
        if not at_agency(day) and at_agency(day - datetime.timedelta(days=1)):
            return day
    return None


def evaluate(
    *,
    agency_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    waived: bool,
    posts: Sequence[Post],
    carrier: Callable[[int, datetime.date], int],
    today: datetime.date,
    ending_soon_days: int | None = None,
) -> Evaluation:
    if ending_soon_days is None:
        ending_soon_days = settings.COMMITMENT_ENDING_SOON_DAYS
    if waived:
        return Evaluation(Status.WAIVED)
    broken_on = breach_date(
        agency_id=agency_id, starts_on=starts_on, ends_on=ends_on, posts=posts, carrier=carrier, today=today
    )
    if broken_on:
        return Evaluation(Status.BROKEN, broken_on=broken_on)
    if today < starts_on:
        return Evaluation(Status.PENDING, days_remaining=(ends_on - starts_on).days)
    if today >= ends_on:
        return Evaluation(Status.FULFILLED, days_remaining=0)
    remaining = (ends_on - today).days
    status = Status.ENDING_SOON if remaining <= ending_soon_days else Status.ACTIVE
    return Evaluation(status, days_remaining=remaining)
