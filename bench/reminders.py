"""Reminders at scale: planning what is due, and delivering it.

    .venv/bin/python bench/reminders.py              # planning at 1,000 and 10,000 trainees
    .venv/bin/python bench/reminders.py --fresh      # the same on databases built again
    .venv/bin/python bench/reminders.py --delivery   # delivery throughput (delivery_throughput())

Planning: each size has a PostgreSQL database of its own, BENCH_POSTGRES_URL followed by the
size (default postgres://postgres@127.0.0.1:5432/egov_bench_reminders_10000), migrated and
filled by `seed_scale --trainees N --sessions N/10` on first use and kept for the next run. seed_scale gives
every cohort of 200 trainees a session a week ahead: the moment its 7-day reminders fall due,
every trainee is due one. The script plans at that moment, inside a transaction it rolls back,
and prints for each size:

- the run that writes them: time, queries, messages written (target: >= 10,000 under 5 s at
  10,000 trainees, and the same number of queries at both sizes);
- a second run at the same moment, as a double beat tick: its window is empty (target: 0 rows
  under 1 s);
- the same window planned again without the mark of the first run: every message is found
  again and none is written, which is what the outbox's unique key alone saves.

Delivery (--delivery, needs REDIS_URL): on the 10,000-trainee database, the same planning run is
committed (its messages made due now), then 2 Celery worker processes (`--pool=solo`, a queue of
the run's own) deliver them through Redis to an aiosmtpd sink on loopback in this process, as
the beat's sweep starts them. Prints messages per second from the sweep to the last message the
sink accepted (target: >= 200/s), and checks each message arrived exactly once; the run's rows
are deleted afterwards. --per-message hands out one task per message instead, each opening its
own SMTP connection: the path every message took before batches.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import harness

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/egov_bench_reminders_")
SIZES = (1_000, 10_000)
PLANNING_TARGET_S, SECOND_RUN_TARGET_S = 5.0, 1.0
DELIVERY_TARGET = 200  # messages per second with 2 worker processes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, help="one size only, in this process (the default runs each size)")
    parser.add_argument("--fresh", action="store_true", help="drop and build the databases again")
    parser.add_argument("--delivery", action="store_true", help="measure delivery instead of planning")
    parser.add_argument("--per-message", action="store_true", help="delivery: one task per message")
    parser.add_argument("--workers", type=int, default=2, help="delivery: worker processes")
    args = parser.parse_args()
    if args.delivery:
        delivery_throughput(args)
        return
    if args.trainees is None:
        results = []
        for size in SIZES:
            command = [sys.executable, __file__, "--trainees", str(size), *(["--fresh"] if args.fresh else [])]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            lines = output.splitlines()
            print("\n".join(line for line in lines if not line.startswith("{")))
            results.append(json.loads(next(line for line in lines if line.startswith("{"))))
        summary(results)
        return
    os.environ["DATABASE_URL"] = f"{POSTGRES_URL}{args.trainees}"
    prepare(args.trainees, fresh=args.fresh)
    print(json.dumps(planning_run(args.trainees)))


def prepare(size: int, *, fresh: bool) -> None:
    # A tenth of the trainees in held sessions (seed_scale's 1,000 at 10,000): every course
    # has as many sessions at both sizes, so the same share of trainees is at risk.
    harness.prepare_database(trainees=size, sessions=size // 10, fresh=fresh)


def _timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(queries)


def planning_run(size: int) -> dict:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from courses.models import Session
    from egovexperts.notifications import planning
    from egovexperts.notifications.models import OutboundMessage, PlanningMark

    first = Session.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    if first is None:
        raise SystemExit("No session to come in the scale data: run again with --fresh.")
    # One minute after the 7-day reminders of the first sessions to come fell due.
    at = first.starts_at - datetime.timedelta(days=7) + datetime.timedelta(minutes=1)

    class Rollback(Exception):
        pass

    figures = {"trainees": size}
    try:
        with transaction.atomic():
            PlanningMark.objects.all().delete()
            before = OutboundMessage.objects.count()
            plan, elapsed, queries = _timed(lambda: planning.plan(at=at))
            figures["first"] = {"seconds": elapsed, "queries": queries, "written": plan.written}
            figures["due"] = dict(plan.counts)
            plan, elapsed, queries = _timed(lambda: planning.plan(at=at))
            figures["second"] = {"seconds": elapsed, "queries": queries, "written": plan.written}
            PlanningMark.objects.all().delete()
            plan, elapsed, queries = _timed(lambda: planning.plan(at=at))
            figures["again"] = {
                "seconds": elapsed,
                "queries": queries,
                "written": plan.written,
                "found": len(plan.messages),
            }
            figures["rows"] = OutboundMessage.objects.count() - before
            raise Rollback
    except Rollback:
        pass

    database = f"{connection.vendor} {connection.settings_dict['NAME']}"
    print(f"== {size:,} trainees ({database}), planned at {timezone.localtime(at):%Y-%m-%d %H:%M} Vietnam time")
    print(f"due: {', '.join(f'{kind} {count:,}' for kind, count in sorted(figures['due'].items()))}")
    for label, name in (
        ("first run", "first"),
        ("second run, same moment", "second"),
        ("same window, mark lost", "again"),
    ):
        run = figures[name]
        found = f", {run['found']:,} found again" if "found" in run else ""
        print(f"{label:<26}{run['seconds']:>8.3f} s{run['queries']:>5} queries{run['written']:>8,} rows written{found}")
    return figures


def summary(results: list[dict]) -> None:
    small, large = results[0], results[-1]
    same = small["first"]["queries"] == large["first"]["queries"]
    print(
        f"\nqueries of the writing run: {small['first']['queries']} at {small['trainees']:,} trainees, "
        f"{large['first']['queries']} at {large['trainees']:,} -> {'the same' if same else 'NOT the same'}"
    )
    first, second, again = large["first"], large["second"], large["again"]
    met = first["written"] >= 10_000 and first["seconds"] < PLANNING_TARGET_S
    print(
        f"target: >= 10,000 reminders under {PLANNING_TARGET_S:.0f} s -> "
        f"{first['written']:,} in {first['seconds']:.2f} s, {'met' if met else 'NOT met'}"
    )
    for label, run in (("second run", second), ("same window without the mark", again)):
        met = run["written"] == 0 and run["seconds"] < SECOND_RUN_TARGET_S
        print(
            f"target: {label} writes 0 rows under {SECOND_RUN_TARGET_S:.0f} s -> "
            f"{run['written']} rows in {run['seconds']:.3f} s, {'met' if met else 'NOT met'}"
        )


def delivery_throughput(args) -> None:
    """Delivery of the planned messages (>= 10,000) to a loopback SMTP sink by worker processes,
    printed as messages per second (target >= 200/s)."""
    import datetime

    if not os.environ.get("REDIS_URL"):
        raise SystemExit("--delivery needs REDIS_URL: the workers take their tasks from Redis")
    size = args.trainees or SIZES[-1]
    os.environ["DATABASE_URL"] = f"{POSTGRES_URL}{size}"
    prepare(size, fresh=args.fresh)
    from django.db import connection, transaction
    from django.utils import timezone

    from courses.models import Session
    from egovexperts.notifications import planning
    from egovexperts.notifications.models import OutboundMessage, PlanningMark

    pending = OutboundMessage.objects.filter(status__in=["queued", "sending"])
    if left := pending.count():
        print(f"[deleting {left:,} messages an interrupted run left queued]")
        pending.delete()
    first = Session.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    if first is None:
        raise SystemExit("No session to come in the scale data: run again with --fresh.")
    mark = PlanningMark.last_planned()
    last_id = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        PlanningMark.objects.all().delete()
        plan = planning.plan(at=first.starts_at - datetime.timedelta(days=7, minutes=-1))
        mine = OutboundMessage.objects.filter(pk__gt=last_id)
        mine.update(due_at=timezone.now())  # those quiet hours held are due now too
    try:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(plan.counts.items()))
        print(f"== delivery ({connection.vendor} {connection.settings_dict['NAME']}, Redis, SMTP sink on loopback)")
        print(f"planned and committed: {plan.written:,} messages ({kinds})")
        _deliver(mine, workers=args.workers, per_message=args.per_message)
    finally:
        mine.delete()
        PlanningMark.objects.all().delete()
        if mark is not None:
            PlanningMark.planned(until=mark)


def _deliver(messages, *, workers: int, per_message: bool) -> None:
    import collections
    import uuid

    from egovexperts.celery_app import app
    from egovexperts.notifications import delivery
    from egovexperts.notifications.tasks import deliver_due_messages, deliver_message

    expected = collections.Counter(messages.values_list("recipient", flat=True))
    count = sum(expected.values())
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    with harness.smtp_sink() as (sink, port):
        env = {
            **os.environ,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
        }
        with harness.celery_workers(workers, queue=queue, env=env):
            if per_message:
                path = "one task and one SMTP connection per message"
            else:
                path = f"the sweep's batches of {delivery.BATCH_SIZE}, one SMTP connection each"
            print(f"{workers} worker processes, {path}")
            started = time.perf_counter()
            if per_message:
                for message_id in messages.values_list("pk", flat=True):
                    deliver_message.delay(message_id)
            else:
                deliver_due_messages.delay()  # the beat's sweep
            deadline = time.monotonic() + max(120, count / 20)
            while sink.total < count and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = (sink.last_at or time.perf_counter()) - started
    rate = sink.total / elapsed
    missing = sum((expected - sink.recipients).values())
    twice = sum((sink.recipients - expected).values())
    statuses = dict(collections.Counter(messages.values_list("status", flat=True)))
    print(f"delivered {sink.total:,} in {elapsed:.2f} s: {rate:,.0f} messages/s")
    print(f"exactly once: {missing} missing, {twice} received twice; outbox rows by status: {statuses}")
    print(f"target: >= {DELIVERY_TARGET}/s with {workers} workers -> {'met' if rate >= DELIVERY_TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
