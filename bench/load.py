"""Scale-out: one, then two web instances under the same simulated users, two Celery workers
delivering the reminders planned meanwhile.

    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/load.py [--users 100] [--duration 60]

On loopback, against one PostgreSQL database and one Redis, as several machines would share
them: a database of its own (BENCH_LOAD_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/egov_load), migrated and filled by
`seed_scale --trainees 10000` on first use and kept for the next run (--fresh builds it again).

- Web: gunicorn with gunicorn.conf.py and production settings (DEBUG off; plain HTTP, so no
  redirect to HTTPS), static files collected into a temporary folder (bench/load_settings.py),
  --web-concurrency sync workers per instance, each instance on a port of its own. There is
  no balancer: each simulated user is given one instance's address, in turn.
- Two Celery worker processes on a queue of the load test's own, sending to an SMTP sink on
  loopback in this process (bench/harness.py, shared with bench/reminders.py --delivery).
- Load: Locust, headless, in a process of its own (bench/locustfile.py): --users users, one in
  four an organizer (dashboard, directory search for accent-free names, attendance grid and
  marks posted as htmx posts them, in --classes held sessions), the others trainees (schedule
  page, calendar feed), each waiting --think seconds between requests. Users are signed in by sessions created
  server-side (bench/load_data.py says why); statistics start once all users have arrived
  (Locust's --reset-stats) and cover --duration seconds.
- Reminders: during each run this process is the beat: it plans twice (at a third and two
  thirds of the run) a wave of session reminders made due for the purpose (bench/load_data.py),
  the workers deliver them, and after the run each planned message must have reached the sink
  exactly once, counted by recipient and subject.

Prints per configuration (1 and 2 instances) requests, requests per second, p50/p95/p99 and
errors, overall and per endpoint, then the targets: 0 errors, p95 under 500 ms with two
instances, reminders delivered exactly once. Exits non-zero on an error or a reminder missing or
received twice. Every process it starts is stopped on the way out, Ctrl-C included.
"""

import argparse
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import harness
import load_data

ROOT = harness.ROOT
DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/egov_load")
TARGET_P95_MS = 500
ORGANIZER_SHARE = 4  # one user in four
RAMP_S = 5  # users arrive over this long; statistics start after
WORKERS = 2
WAVES_PER_RUN = 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per configuration")
    parser.add_argument("--think", default="1-5", help="seconds a user waits between requests, MIN-MAX")
    # Two sync workers per core would be 5 per instance (gunicorn.conf.py), for a machine of its
    # own; here both instances share 2 cores with PostgreSQL, the workers and Locust.
    parser.add_argument("--web-concurrency", type=int, default=3, help="gunicorn workers per instance")
    parser.add_argument("--classes", type=int, default=5, help="held sessions whose attendance organizers take")
    parser.add_argument("--fresh", action="store_true", help="drop and build the database again")
    parser.add_argument("--keep", type=Path, help="keep gunicorn's logs and Locust's CSV files in this folder")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("bench/load.py needs REDIS_URL (e.g. redis://127.0.0.1:6379/3)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped like Ctrl-C: clean up
    # A queue of the load test's own: no other worker on the same Redis takes its tasks. One
    # name for every run, so that runs leave no queues behind in Redis.
    queue = "bench-load"
    os.environ.update(
        DATABASE_URL=DATABASE_URL,
        CELERY_QUEUE=queue,  # the planning runs here wake the run's own workers
        DEBUG="false",
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
    )
    harness.prepare_database(trainees=10_000, sessions=1_000, fresh=args.fresh)
    with tempfile.TemporaryDirectory(prefix="egov-load-") as folder:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
        results = run_all(args, args.keep or Path(folder), queue)
    sys.exit(report(results, args))


def run_all(args, folder: Path, queue: str) -> list[dict]:
    from django.conf import settings

    web_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "BENCH_STATIC_ROOT": str(folder / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=web_env, check=True
    )
    organizers = max(1, args.users // ORGANIZER_SHARE)
    results = []
    with contextlib.ExitStack() as stack:
        sink, port = stack.enter_context(harness.smtp_sink(key=load_data.addressed_subject))
        mail = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
        stack.enter_context(
            harness.celery_workers(WORKERS, queue=queue, env={**os.environ, **mail, "EMAIL_PORT": str(port)})
        )
        people = stack.enter_context(
            load_data.signed_in(trainees=args.users - organizers, organizers=organizers, classes=args.classes)
        )
        waves = stack.enter_context(load_data.ReminderWaves(2 * WAVES_PER_RUN))
        plan = {**people, "think": [float(part) for part in args.think.split("-")]}
        plan["session_cookie"] = settings.SESSION_COOKIE_NAME
        for instances in (1, 2):
            result = run_configuration(instances, args, plan=plan, waves=waves, sink=sink, env=web_env, folder=folder)
            print_run(result)
            results.append(result)
    return results


def run_configuration(instances: int, args, *, plan: dict, waves, sink, env: dict, folder: Path) -> dict:
    """One configuration under load, its planning runs, the delivery check and the CPU it took."""
    with web_instances(instances, concurrency=args.web_concurrency, env=env, logs=folder) as urls:
        print(f"\n== {instances} web instance(s) x {args.web_concurrency} gunicorn workers: {', '.join(urls)}")
        since = load_data.last_outbox_id()
        beat = Beat(waves, args.duration)
        before, started = harness.cpu_seconds(), time.monotonic()
        beat.start()
        try:
            stats = run_locust({**plan, "hosts": urls}, args, folder / f"{instances}-instances")
        finally:
            beat.stopped.set()
            beat.join()
        cpu = harness.cpu_use(before, harness.cpu_seconds())
        elapsed = time.monotonic() - started
        if beat.error:
            raise beat.error
        result = {"instances": instances, **stats, **check_delivery(sink, beat.plans, since_id=since + 1)}
        cpu["locust"] += cpu.pop("ended children")  # the one child that ends during the run
        result["cores"] = {name: seconds / elapsed for name, seconds in cpu.most_common()}
        result["seconds"] = elapsed
        result["access_log_lines"] = [
            count_requests(folder / f"gunicorn-{instances}-{n}.log") for n in range(instances)
        ]
    return result


@contextlib.contextmanager
def web_instances(count: int, *, concurrency: int, env: dict, logs: Path):
    """`count` gunicorn instances on loopback; yields their base URLs once /readyz answers 200."""
    processes, urls = [], []
    try:
        for n in range(count):
            port = harness.free_port()
            server = {"HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(concurrency)}
            command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            with open(logs / f"gunicorn-{count}-{n}.log", "w") as log:
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env={**env, **server},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
            urls.append(f"http://127.0.0.1:{port}")
        for n, (url, process) in enumerate(zip(urls, processes, strict=True)):
            wait_ready(url, process, logs / f"gunicorn-{count}-{n}.log")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            harness.stop(process)


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until the instance's readiness check (database, broker, migrations) answers 200."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn at {url} did not get ready:\n{log.read_text(errors='replace')[-3000:]}")


class Beat(threading.Thread):
    """This process as the beat of a run: a planning run at a third and at two thirds of the
    measured time, each writing the next wave of reminders (and waking the workers on commit)."""

    def __init__(self, waves: "load_data.ReminderWaves", duration: int):
        super().__init__()
        self.waves, self.duration = waves, duration
        self.plans, self.error = [], None
        self.stopped = threading.Event()

    def run(self):
        from django.db import connection

        started = time.monotonic()
        try:
            for n in range(1, WAVES_PER_RUN + 1):
                moment = started + RAMP_S + self.duration * n / (WAVES_PER_RUN + 1)
                if self.stopped.wait(max(0.0, moment - time.monotonic())):
                    return
                self.plans.append(self.waves.plan_next())
                print(f"[planning run {n}: {self.plans[-1].written} messages written at {time.strftime('%H:%M:%S')}]")
        except Exception as error:  # handed to the main thread
            self.error = error
        finally:
            connection.close()


def run_locust(plan: dict, args, prefix: Path) -> dict:
    plan_file = prefix.with_suffix(".json")
    plan_file.write_text(json.dumps(plan))
    command = [
        *(sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py")),
        *("--headless", "--users", str(args.users), "--spawn-rate", str(args.users / RAMP_S)),
        *("--run-time", f"{args.duration + RAMP_S}s", "--reset-stats", "--csv", str(prefix)),
        *("--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"),
    ]
    log = prefix.with_suffix(".log")
    with open(log, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "BENCH_LOAD_PLAN": str(plan_file)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        process.wait(timeout=args.duration + RAMP_S + 60)
    finally:
        harness.stop(process)
    if process.returncode != 0 or not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"Locust failed:\n{log.read_text()[-3000:]}")
    return read_stats(prefix)


def read_stats(prefix: Path) -> dict:
    """Locust's figures from its CSV files: all requests, each endpoint, the failures."""

    def figures(row: dict) -> dict:
        def ms(value: str) -> float | None:
            return None if value == "N/A" else float(value)

        return {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            **{name: ms(row[column]) for name, column in (("p50", "50%"), ("p95", "95%"), ("p99", "99%"))},
        }

    with open(f"{prefix}_stats.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    with open(f"{prefix}_failures.csv", newline="") as file:
        failures = [(row["Name"], row["Error"], int(row["Occurrences"])) for row in csv.DictReader(file)]
    return {
        "total": figures(next(row for row in rows if row["Name"] == "Aggregated")),
        "endpoints": {row["Name"]: figures(row) for row in rows if row["Name"] != "Aggregated"},
        "failures": failures,
    }


def check_delivery(sink, plans: list, *, since_id: int) -> dict:
    """Wait for the sink to receive every due message the run's planning wrote, then compare
    what it received with them, by recipient and subject."""
    import collections

    from django.utils import timezone

    rows = list(load_data.outbox_rows(since_id=since_id))
    due = [row for row in rows if row.due_at <= timezone.now()]
    expected = load_data.expected_mail(due)
    deadline = time.monotonic() + 60
    while sink.total < len(due) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # a copy sent twice would have arrived by now
    received = sink.drain()
    return {
        "planning_runs": len(plans),
        "planned": len(rows),
        "kinds": dict(collections.Counter(row.kind for row in rows)),
        "held": len(rows) - len(due),
        "received": sum(received.values()),
        "missing": sum((expected - received).values()),
        "twice": sum((received - expected).values()),
        "statuses": dict(
            collections.Counter(load_data.outbox_rows(since_id=since_id).values_list("status", flat=True))
        ),
    }


def count_requests(log: Path) -> int:
    """Requests in a gunicorn access log, its readiness probes left out."""
    with open(log, errors="replace") as lines:
        return sum(1 for line in lines if ('"GET ' in line or '"POST ' in line) and "/readyz" not in line)


def _row(label: str, figures: dict) -> str:
    def ms(value):
        return f"{value:>8.0f}" if value is not None else f"{'-':>8}"

    return (
        f"{label:<24}{figures['requests']:>9,}{figures['rps']:>8.1f}"
        f"{ms(figures['p50'])}{ms(figures['p95'])}{ms(figures['p99'])}{figures['errors']:>8}"
    )


def print_run(result: dict) -> None:
    print(f"{'endpoint':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
    for name, figures in sorted(result["endpoints"].items()):
        print(_row(name, figures))
    print(_row("all", result["total"]))
    for name, error, occurrences in result["failures"]:
        print(f"  error: {name}: {error} ({occurrences}x)")
    cores = ", ".join(f"{name} {used:.2f}" for name, used in result["cores"].items())
    print(f"CPU over the run, in cores of {os.cpu_count()} (PostgreSQL: the whole server): {cores}")
    served = result["access_log_lines"]
    web = result["cores"].get("gunicorn", 0) * result["seconds"] * 1000 / max(1, sum(served))
    print(
        f"requests served per instance (access logs, ramp-up included): {' / '.join(f'{n:,}' for n in served)}; "
        f"gunicorn CPU per request: {web:.1f} ms"
    )
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(result["kinds"].items()))
    print(
        f"reminders: {result['planning_runs']} planning runs during the load wrote {result['planned']:,} messages "
        f"({kinds}), {result['held']} held for quiet hours"
    )
    print(
        f"delivered by {WORKERS} workers: {result['received']:,} received, {result['missing']} missing, "
        f"{result['twice']} received twice (or not planned); outbox rows by status: {result['statuses']}"
    )


def report(results: list[dict], args) -> int:
    organizers = max(1, args.users // ORGANIZER_SHARE)
    print(
        f"\n== {args.users} users ({args.users - organizers} trainees, {organizers} organizers), think time "
        f"{args.think} s, {args.duration} s measured per configuration, {WORKERS} Celery workers, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'instances':>9}{'workers/instance':>18}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}", end="")
    print(f"{'p99 ms':>8}{'errors':>8}  reminders planned / missing / twice")
    for result in results:
        total = result["total"]
        print(f"{result['instances']:>9}{args.web_concurrency:>18}{_row('', total)[24:]}", end="")
        print(f"  {result['planned']:,} / {result['missing']} / {result['twice']}")
    errors = sum(result["total"]["errors"] for result in results)
    p95 = results[-1]["total"]["p95"]
    once = all(result["missing"] == 0 and result["twice"] == 0 and result["planned"] > 0 for result in results)
    print(f"target: 0 errors -> {errors}, {'met' if errors == 0 else 'NOT met'}")
    met = p95 is not None and p95 < TARGET_P95_MS
    print(f"target: p95 under {TARGET_P95_MS} ms with 2 instances -> {p95:.0f} ms, {'met' if met else 'NOT met'}")
    print(f"target: reminders planned during the runs delivered exactly once -> {'met' if once else 'NOT met'}")
    return 0 if errors == 0 and once else 1


if __name__ == "__main__":
    main()
