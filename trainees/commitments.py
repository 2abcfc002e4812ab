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
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.lookups import (
    Exact,
    GreaterThanOrEqual,
    IsNull,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .agencies import CarrierSpan


class Status(models.TextChoices):
    PENDING = "pending", _("not started")
    ACTIVE = "active", _("active")
    ENDING_SOON = "ending_soon", _("ending soon")
    FULFILLED = "fulfilled", _("fulfilled")
    BROKEN = "broken", _("broken")
    WAIVED = "waived", _("waived")


# Statuses under which a commitment still holds the trainee at the agency.
RUNNING = (Status.ACTIVE, Status.ENDING_SOON)


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
    broken_on = None
    if not waived:
        broken_on = breach_date(
            agency_id=agency_id, starts_on=starts_on, ends_on=ends_on, posts=posts, carrier=carrier, today=today
        )
    return evaluation_from(
        waived=waived,
        broken_on=broken_on,
        starts_on=starts_on,
        ends_on=ends_on,
        today=today,
        ending_soon_days=ending_soon_days,
    )


def evaluation_from(
    *,
    waived: bool,
    broken_on: datetime.date | None,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date,
    ending_soon_days: int | None = None,
) -> Evaluation:
    """The status once the breach date is known (from breach_date() or breach_date_sql())."""
    if ending_soon_days is None:
        ending_soon_days = settings.COMMITMENT_ENDING_SOON_DAYS
    if waived:
        return Evaluation(Status.WAIVED)
    if broken_on:
        return Evaluation(Status.BROKEN, broken_on=broken_on)
    if today < starts_on:
        return Evaluation(Status.PENDING, days_remaining=(ends_on - starts_on).days)
    if today >= ends_on:
        return Evaluation(Status.FULFILLED, days_remaining=0)
    remaining = (ends_on - today).days
    status = Status.ENDING_SOON if remaining <= ending_soon_days else Status.ACTIVE
    return Evaluation(status, days_remaining=remaining)


# --- What a recorded change of post does to a commitment -------------------------------


def after_move(posts: Sequence[Post], *, agency_id: int, starts_on: datetime.date) -> list[Post]:
    """The posts once a new post from `starts_on` is recorded as record_assignment() records it:
    the open post closed the day before, the new one open."""
    day_before = starts_on - datetime.timedelta(days=1)
    kept = [Post(post.agency_id, post.starts_on, day_before) if post.ends_on is None else post for post in posts]
    return [*kept, Post(agency_id, starts_on, None)]


def newly_broken(before: Evaluation, after: Evaluation) -> datetime.date | None:
    """The breach a change of posts causes: a breach date the history did not have before.

    Both evaluations look at the whole commitment (today = its end), so that a change recorded
    ahead of its date counts as the breach it will be."""
    if after.broken_on and after.broken_on != before.broken_on:
        return after.broken_on
    return None


class Continuity(models.TextChoices):
    """Why a change of post keeps a commitment that runs on the day of the change."""

    SAME_AGENCY = "same_agency", _("a change inside the agency")
    TAKEN_OVER = "taken_over", _("the agency that took over")


def continuity(
    *, agency_id: int, new_agency_id: int, day: datetime.date, carrier: Callable[[int, datetime.date], int]
) -> Continuity | None:
    """A post at `new_agency_id` from `day` keeps the commitment of `agency_id` when the same agency
    in force carries both: the agency itself (another unit, a promotion) or its successor."""
    if carrier(new_agency_id, day) != carrier(agency_id, day):
        return None
    return Continuity.SAME_AGENCY if carrier(agency_id, day) == agency_id else Continuity.TAKEN_OVER


# --- The same rule in SQL ------------------------------------------------------------------
# Lists that filter, sort and count thousands of commitments by status cannot evaluate each
# in Python. These expressions say in SQL what breach_date() and evaluate() say above;
# tests/trainees/test_commitments.py runs both on one table of cases.


class NextDay(models.Func):
    """The day after a date, as a date on both databases (SQLite keeps dates as text)."""

    output_field = models.DateField()
    template = "(%(expressions)s + 1)"  # PostgreSQL: date + integer is a date

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="date(%(expressions)s, '+1 day')", **extra)


class Carrier(models.Expression):
    """carrier(agency, day) in SQL, from the resolver's spans (AgencyDirectory.carrier_spans):

        CASE WHEN agency = 2 AND day > '2025-06-30' THEN 5 … ELSE agency END

    Written as SQL text rather than as When() objects: a query repeats it four times with
    about fifty branches, which the ORM would take longer to build than the database to run.
    """

    output_field = models.BigIntegerField()

    def __init__(self, agency, day, spans: Sequence[CarrierSpan]):
        super().__init__()
        self.agency, self.day, self.spans = agency, day, tuple(spans)

    def get_source_expressions(self):
        return [self.agency, self.day]

    def set_source_expressions(self, expressions):
        self.agency, self.day = expressions

    def as_sql(self, compiler, connection):
        agency_sql, agency_params = compiler.compile(self.agency)
        if not self.spans:
            return agency_sql, agency_params
        day_sql, day_params = compiler.compile(self.day)
        branches, params = [], []
        for span in self.spans:
            condition = f"{agency_sql} = %s AND {day_sql} > %s"
            params += [*agency_params, span.agency_id, *day_params, span.after.isoformat()]
            if span.until is not None:
                condition += f" AND {day_sql} <= %s"
                params += [*day_params, span.until.isoformat()]
            branches.append(f"WHEN {condition} THEN %s")
            params.append(span.carrier_id)
        return f"(CASE {' '.join(branches)} ELSE {agency_sql} END)", [*params, *agency_params]


def breach_date_sql(*, today: datetime.date, spans: Sequence[CarrierSpan]):
    """breach_date() of each commitment row of a RetentionCommitment queryset, as a subquery."""
    from .models import Assignment

    def at_agency(day):
        # A post of the trainee held on `day` at the agency carrying the committed one that day.
        held = LessThanOrEqual(models.F("starts_on"), day) & (
            IsNull(models.F("ends_on"), True) | GreaterThanOrEqual(models.F("ends_on"), day)
        )
        committed = models.OuterRef(models.OuterRef("agency_id"))
        same = Exact(Carrier(models.F("agency_id"), day, spans), Carrier(committed, day, spans))
        return models.Exists(Assignment.objects.filter(held & same, trainee_id=models.OuterRef("trainee_id")))

    departures = (
        Assignment.objects.filter(trainee_id=models.OuterRef("trainee_id"), ends_on__lt=today)
        .filter(GreaterThanOrEqual(NextDay("ends_on"), models.OuterRef("starts_on")))
        .filter(LessThan(NextDay("ends_on"), models.OuterRef("ends_on")))
        .filter(at_agency(models.OuterRef("ends_on")))
        .filter(~at_agency(NextDay(models.OuterRef("ends_on"))))
        .order_by("ends_on")
    )
    return models.Subquery(departures.values(day=NextDay("ends_on"))[:1], output_field=models.DateField())


def status_sql(*, today: datetime.date, ending_soon_days: int | None = None, values: dict | None = None):
    """evaluation_from()'s status of each row annotated with `broken_on` (breach_date_sql).

    `values` gives each status another value (a rank to sort by), so that the database computes
    the breach once per row: a CASE over this CASE would repeat it in every branch."""
    if ending_soon_days is None:
        ending_soon_days = settings.COMMITMENT_ENDING_SOON_DAYS
    values = values or {status: status.value for status in Status}
    field = models.IntegerField() if isinstance(values[Status.ACTIVE], int) else models.CharField()

    def value(status: Status):
        return models.Value(values[status], output_field=field)

    return models.Case(
        models.When(waived_on__isnull=False, then=value(Status.WAIVED)),
        models.When(broken_on__isnull=False, then=value(Status.BROKEN)),
        models.When(starts_on__gt=today, then=value(Status.PENDING)),
        models.When(ends_on__lte=today, then=value(Status.FULFILLED)),
        models.When(ends_on__lte=today + datetime.timedelta(days=ending_soon_days), then=value(Status.ENDING_SOON)),
        default=value(Status.ACTIVE),
        output_field=field,
    )
