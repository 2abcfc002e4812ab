"""A real Celery worker process, against Redis and the test database, sending to an SMTP sink.

Runs when REDIS_URL is set (CI sets it) on a database another process can open
(PostgreSQL, or SQLite in a file). Tests that stop Redis run a private `redis-server` of their own.
"""

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import kombu.pools
import pytest
import redis
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from egovexperts.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float = 30, message: str = "condition not met"):
    """Poll `condition` until it holds (returns its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{message} within {timeout:.0f} s")
        time.sleep(0.05)
    return value


class Hold:
    """A message the sink keeps waiting in DATA until released: then refused (451), or accepted."""

    def __init__(self):
        self.reached = threading.Event()
        self.released = threading.Event()
        self.accepted = False

    def release(self, *, accept: bool = False):
        self.accepted = accept
        self.released.set()


class Sink:
    """Records each message it accepts. It can hold the n-th message before accepting it (the
    client is then stuck waiting for the reply), and be stopped and started on the same port."""

    def __init__(self):
        self.messages = []
        self.port = free_port()
        self.controller = None
        self._holds = {}
        self._seen = 0

    async def handle_DATA(self, server, session, envelope):
        self._seen += 1
        hold = self._holds.pop(self._seen, None)
        if hold is not None:
            hold.reached.set()
            await asyncio.get_running_loop().run_in_executor(None, hold.released.wait)
            if not hold.accepted:
                return "451 4.3.0 Not accepted, try again later"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def hold(self, nth: int) -> Hold:
        """Hold the nth message that reaches DATA from now on."""
        hold = Hold()
        self._holds[self._seen + nth] = hold
        return hold

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        """The server goes down: connections to its port are refused."""
        if self.controller is not None:
            for hold in self._holds.values():
                hold.release()
            self.controller.stop()
            self.controller = None

    def recipients(self) -> Counter:
        return Counter(message["To"] for message in self.messages)

    def wait_for(self, count: int, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_sink():
    sink = Sink()
    sink.start()
    yield sink
    sink.stop()


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if db["NAME"] == ":memory:" or "mode=memory" in str(db["NAME"]):
            if os.environ.get("REQUIRE_SERVICES"):
                pytest.fail("integration tests need DATABASE_URL of a database another process can open")
            pytest.skip("the worker needs a database another process can open (PostgreSQL or an SQLite file)")
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _use_broker(url: str) -> None:
    """Point this process's Celery app (its connection pools included) at another broker."""
    kombu.pools.reset()  # closes and forgets every pool, so none is handed out closed later
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so no other worker on the same Redis takes its tasks."""
    if not settings.REDIS_URL:
        reason = "set REDIS_URL to run the Celery worker integration tests"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = previous


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: stopping it loses
    every task it held, as a crashed broker does."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: self._answers(client), timeout=10, message="redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.kill()  # as a crash: no goodbye to the clients
            self.process.wait()
            self.process = None

    def _answers(self, client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def private_redis(worker_queue, tmp_path):
    """A private Redis as the broker of this process and of the workers started after it. Ask for
    it before start_worker, so that the workers stop before it does."""
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = RedisServer(tmp_path)
    server.start()
    previous = celery_app.conf.broker_url
    _use_broker(server.url)
    yield server
    server.stop()
    _use_broker(previous)


class Clock:
    """Moves time in this process (time_machine) and in every worker of the test, together.

    The workers must agree with this process: a remote control message expires by its sender's
    clock, so the workers are moved first, while they still agree."""

    def __init__(self):
        self.offset = 0.0
        self.workers = []
        self._traveller = None

    def move_to(self, moment):
        self.shift(moment.timestamp() - (time.time() - self.offset))

    def move_by(self, delta):
        self.shift(self.offset + delta.total_seconds())

    def shift(self, offset: float):
        if self.workers:
            replies = celery_app.control.broadcast(
                "travel", arguments={"offset": offset}, destination=self.workers, reply=True, timeout=5
            )
            assert len(replies) == len(self.workers), f"the workers did not move their clocks: {replies}"
        self._stop()
        self.offset = offset
        if offset:
            self._traveller = time_machine.travel(time.time() + offset, tick=True)
            self._traveller.start()
            time.time()  # the clock ticks from its first reading: read it now

    def workers_answer(self) -> bool:
        """Whether every worker of the test answers (a ping expires by this process's clock)."""
        try:
            return len(celery_app.control.ping(destination=self.workers, timeout=0.5)) == len(self.workers)
        except Exception:  # the broker is not there yet
            return False

    def _stop(self):
        if self._traveller is not None:
            self._traveller.stop()
            self._traveller = None


@pytest.fixture
def clock():
    clock = Clock()
    yield clock
    clock._stop()


def service_env(worker_queue: str, clock: Clock, **extra) -> dict:
    """The environment of a process that works on the test's database, broker, queue and clock."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": celery_app.conf.broker_url,
        "CELERY_QUEUE": worker_queue,
        "TEST_CLOCK_OFFSET": str(clock.offset),
        **extra,
    }


@pytest.fixture
def start_worker(transactional_db, smtp_sink, worker_queue, clock, tmp_path):
    processes = []
    name = f"{worker_queue}@{os.uname().nodename}"

    def start():
        env = service_env(
            worker_queue,
            clock,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_sink.port),
        )
        log = tmp_path / f"worker-{len(processes)}.log"
        options = ["--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"]
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "tests.integration.worker", "worker", *options]
                + ["-Q", worker_queue, "-n", name],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process.log = log
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker exited: {log.read_text()}")
            if celery_app.control.ping(destination=[name], timeout=0.5):
                if name not in clock.workers:
                    clock.workers.append(name)
                return process
        pytest.fail("worker did not start within 60 s")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
