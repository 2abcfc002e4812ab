"""Moments in Vietnam time, and a planning run at such a moment, for the reminder tests."""

import datetime

import time_machine

from egovexperts.core.workdays import VIETNAM
from egovexperts.notifications import planning


def vn(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VIETNAM)


def plan_at(moment, **options):
    with time_machine.travel(moment, tick=False):
        return planning.plan(**options)
