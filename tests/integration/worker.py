"""The project's Celery app as the integration tests run it, with a clock the test moves.

A worker started with `celery -A tests.integration.worker` runs the project's tasks unchanged;
the process's clock runs TEST_CLOCK_OFFSET seconds ahead of the real one (time_machine, as in the
test process), and the remote control command `travel` moves it while the worker runs. A backoff
or a timeout of minutes is then crossed by moving time in every process, not by waiting for it.
Planning processes import this module for the same clock.
"""

import os
import time

import time_machine
from celery.worker.control import control_command

from egovexperts.celery_app import app

__all__ = ["app"]

_traveller = None


def move_clock(offset: float) -> None:
    """Run this process's clock `offset` seconds ahead of the real one (behind if negative)."""
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None
    if offset:
        _traveller = time_machine.travel(time.time() + offset, tick=True)
        _traveller.start()
        time.time()  # the clock ticks from its first reading: read it now, not when a task first asks


@control_command(args=[("offset", float)], signature="<seconds>")
def travel(state, offset):
    """Move the worker's clock to `offset` seconds from the real time."""
    move_clock(float(offset))
    return {"ok": f"clock at {offset:+.0f} s"}


move_clock(float(os.environ.get("TEST_CLOCK_OFFSET", "0")))
