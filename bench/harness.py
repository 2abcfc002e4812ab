"""What the benchmarks that run real processes share: a PostgreSQL database of scale data kept
between runs, an SMTP sink on loopback, Celery worker processes, and stopping what they started.

Used by bench/reminders.py (--delivery) and bench/load.py; a script runs from bench/, so
`import harness` finds this module.
"""

import collections
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egovexperts.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django

    django.setup()


def prepare_database(*, trainees: int, sessions: int, fresh: bool) -> None:
    """Create, migrate and seed the database of DATABASE_URL unless it already holds scale data."""
    import psycopg2

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    setup_django()
    from django.core.management import call_command

    from cohorts.models import Programme

    call_command("migrate", verbosity=0)
    if not Programme.objects.filter(code="scale").exists():
        started = time.perf_counter()
        call_command("seed_scale", trainees=trainees, sessions=sessions, verbosity=0)
        print(f"[{name}: seeded {trainees:,} trainees in {time.perf_counter() - started:.0f} s]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Ask a process started with start_new_session to stop, then kill its group if it lingers
    (a gunicorn master whose workers did not exit, say)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Not reaped yet, so the group is still the one it leads.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class CountingSink:
    """Counts the messages it accepts, per recipient by default, parsing nothing, so as not to be
    the bottleneck; `key(recipient, content)` counts them under another name instead."""

    def __init__(self, key=None):
        self.key = key or (lambda recipient, content: recipient)
        self.recipients = collections.Counter()
        self.total = 0
        self.last_at = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        keys = [self.key(recipient, envelope.content) for recipient in envelope.rcpt_tos]
        with self.lock:
            self.recipients.update(keys)
            self.total += 1
            self.last_at = time.perf_counter()
        return "250 OK"

    def drain(self) -> collections.Counter:
        """What was received so far, the sink starting again from nothing."""
        with self.lock:
            received, self.recipients, self.total = self.recipients, collections.Counter(), 0
        return received


@contextlib.contextmanager
def smtp_sink(key=None):
    """An SMTP server on a free loopback port in this process: yields (sink, port)."""
    from aiosmtpd.controller import Controller

    port = free_port()
    sink = CountingSink(key)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@contextlib.contextmanager
def celery_workers(count: int, *, queue: str, env: dict[str, str]):
    """`count` worker processes (`--pool=solo`) taking tasks from `queue` only; yields their
    names once each answers a ping. BENCH_VERBOSE=1 shows their errors."""
    from egovexperts.celery_app import app

    names = [f"{queue}-{n}@{socket.gethostname()}" for n in range(count)]
    options = ["--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"]
    pool = []
    try:
        for name in names:
            command = [sys.executable, "-m", "celery", "-A", "egovexperts", "worker", *options, "-Q", queue, "-n", name]
            pool.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**env, "CELERY_QUEUE": queue},
                    stdout=subprocess.DEVNULL,
                    stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 60
        while len(app.control.ping(destination=names, timeout=0.5)) < count:
            if time.monotonic() > deadline or any(worker.poll() is not None for worker in pool):
                raise SystemExit("the workers did not start (BENCH_VERBOSE=1 shows why)")
        yield names
    finally:
        for worker in pool:
            worker.terminate()  # all at once: they stop side by side
        for worker in pool:
            stop(worker)


def cpu_seconds() -> dict:
    """CPU seconds used so far by this script, by each kind of process it started (gunicorn,
    celery, locust, with their children), by the PostgreSQL server (every database: its
    backends, and through the postmaster those that ended, parallel workers included), and by
    the whole machine. `cpu_use` subtracts two readings: what a run cost, and what other
    processes (a test suite, a browser) took of the same cores meanwhile."""
    import psutil

    me = psutil.Process()
    mine = {process.pid for process in me.children(recursive=True)}
    processes = {
        process.pid: process.info
        for process in psutil.process_iter(["ppid", "username", "cmdline", "cpu_times", "create_time"])
    }
    reading = {}
    for pid, info in processes.items():
        times = info["cpu_times"]
        if times is None:
            continue
        if pid == me.pid:
            name = "this script"
        elif pid in mine:
            command = " ".join(info["cmdline"] or [])
            name = next((kind for kind in ("gunicorn", "celery", "locust") if kind in command), "other children")
        elif info["username"] == "postgres":
            name = "PostgreSQL"
            if processes.get(info["ppid"], {}).get("username") != "postgres":  # the postmaster
                reading[("ended", pid)] = (name, times.children_user + times.children_system)
        else:
            continue
        reading[(pid, info["create_time"])] = (name, times.user + times.system)
    ended = os.times()  # children this script waited for: their time is added to it
    reading["ended children"] = ("ended children", ended.children_user + ended.children_system)
    machine = psutil.cpu_times()
    busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq + machine.steal
    reading["machine"] = ("machine", busy)
    return reading


def cpu_use(before: dict, after: dict) -> collections.Counter:
    """CPU seconds per kind of process between two readings of `cpu_seconds`; "other processes"
    are the rest of the machine's (a process that ended in between counts there too)."""
    used = collections.Counter()
    for key, (name, seconds) in after.items():
        used[name] += seconds - before.get(key, (name, 0.0))[1]
    used["other processes"] = used.pop("machine") - sum(used.values())
    return used
