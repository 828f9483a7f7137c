"""One timer for many processes: jobs that run every so often inside the server
(no daemon of their own to deploy), exactly once per tick however many server
processes or machines run.

An app registers a job when it is ready::

    ticks.register("bookings.no_show", every=timedelta(minutes=1), run=bookings_no_show_due)

``run(now)`` gets the moment it runs at and makes its changes through the app's
services, so they send their events like any other write. Time is cut into ticks of
``every`` (counted from the epoch, so every process agrees on them); a job is due
when its last recorded tick (``TickState``, one row per job) is older than the
current one. Each server process runs a thread (started by the ASGI lifespan,
``lifespan`` below) that wakes every ``TICK_SECONDS`` on the clock's multiples of it
and, for each due job, takes the job's lock without waiting — on PostgreSQL a
session advisory lock (held across machines; the database drops it with a dead
process's connection), on SQLite an ``flock`` on a file next to the database (one
machine) — reads the job's row again, runs the job and records the tick. A process
that finds the lock taken skips the job: another is running it. The thread's first
pass is at start, so a tick missed while no process ran is caught up at once (one
run, not one per missed tick). A job that raises is logged and not recorded: the next
pass tries again.

Settings: ``TICKS_ENABLED`` (the thread runs in ``manage.py serve``; never in
tests, which send no lifespan), ``TICK_SECONDS``, and ``TICK_JOBS_EXTRA``: dotted
paths of further ``Job`` objects (tests register theirs in real server processes
this way)."""

import asyncio
import datetime
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import TickState

log = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    run: Callable[[datetime.datetime], object]  # what it returns (a count, say) is ignored

    def tick_of(self, moment: datetime.datetime) -> datetime.datetime:
        """The start of the tick ``moment`` falls in."""
        return EPOCH + ((moment - EPOCH) // self.every) * self.every


_registry: dict[str, Job] = {}


def register(name: str, *, every: datetime.timedelta, run: Callable[[datetime.datetime], object]) -> Job:
    """Adds a job (from an ``AppConfig.ready``); registering a name again replaces it."""
    if every < datetime.timedelta(seconds=1):
        raise ValueError(f"tick job {name!r}: every must be at least a second")
    if len(name) > TickState._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValueError(f"tick job {name!r}: the name is too long")
    job = _registry[name] = Job(name=name, every=every, run=run)
    return job


def jobs() -> list[Job]:
    """The registered jobs and those named by ``TICK_JOBS_EXTRA``."""
    return [*_registry.values(), *(import_string(path) for path in settings.TICK_JOBS_EXTRA)]


# The job's lock, held by one process at a time


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for the job, the same in every process."""
    digest = hashlib.blake2b(f"core.ticks:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def _postgres_lock(name: str) -> Iterator[bool]:
    key = _lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (held,) = cursor.fetchone()
    if not held:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except Exception:
            # The connection broke: its session, and with it the lock, is gone.
            log.warning("tick job %s: could not release its lock; closing the connection", name)
            connection.close()


def lock_path(name: str) -> Path:
    """The file whose ``flock`` is the job's lock on SQLite: next to the database."""
    database = str(connection.settings_dict["NAME"])
    folder = Path(database).parent if os.path.isabs(database) else Path(tempfile.gettempdir())
    digest = hashlib.blake2b(f"{database}:{name}".encode(), digest_size=8).hexdigest()
    return folder / f".{Path(database).name}.tick-{digest}.lock"


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    fd = os.open(lock_path(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def job_lock(name: str) -> Any:
    """``with job_lock(name) as held:`` — held is False when another process has it."""
    return _postgres_lock(name) if connection.vendor == "postgresql" else _file_lock(name)


# Running the due jobs


def run_due(job: Job, now: datetime.datetime | None = None) -> bool:
    """Runs ``job`` if its current tick has not run yet anywhere, under its lock;
    whether it ran."""
    with job_lock(job.name) as held:
        if not held:
            return False
        now = now or timezone.now()
        tick = job.tick_of(now)
        last = TickState.objects.filter(name=job.name).values_list("last_tick", flat=True).first()
        if last is not None and last >= tick:
            return False
        job.run(now)
        TickState.objects.update_or_create(name=job.name, defaults={"last_tick": tick, "last_run": now})
        return True


def tick(now: datetime.datetime | None = None) -> list[str]:
    """One pass: every due job, each under its lock; the names of those that ran. A
    job that raises is logged (and runs again next pass); the others still run."""
    ran = []
    for job in jobs():
        try:
            if run_due(job, now):
                ran.append(job.name)
        except Exception:
            log.exception("tick job %s failed; it runs again next tick", job.name)
    return ran


class Ticker(threading.Thread):
    """The process's timer thread: a pass at start (the catch-up), then one at every
    multiple of ``seconds`` on the clock, until ``stop``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(name="ticks", daemon=True)
        self.seconds = seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        first = True
        while not self.stopping.is_set():
            try:
                ran = tick()
                if first:
                    log.info("ticks: first pass done (caught up: %s)", ", ".join(ran) or "nothing due")
                first = False
            except Exception:  # the database is away: the next pass tries again
                log.exception("tick pass failed")
            finally:
                connection.close()  # back to the pool between passes
            # A little past the boundary, so the clock has surely reached the new tick.
            self.stopping.wait(self.seconds - time.time() % self.seconds + 0.01)

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.join(timeout)


_ticker: Ticker | None = None


def start() -> Ticker | None:
    """Starts this process's timer thread (once), if ``TICKS_ENABLED``."""
    global _ticker
    if not settings.TICKS_ENABLED:
        return None
    if _ticker is None or not _ticker.is_alive():
        _ticker = Ticker(settings.TICK_SECONDS)
        _ticker.start()
        log.info("ticks: timer started (%s s; jobs: %s)", settings.TICK_SECONDS, [job.name for job in jobs()])
    return _ticker


def stop() -> None:
    global _ticker
    if _ticker is not None:
        _ticker.stop()
        _ticker = None


async def lifespan(scope: dict, receive: Callable, send: Callable) -> None:
    """The ASGI lifespan protocol (``config/asgi.py``): uvicorn sends it to each
    server process as it starts and stops; the timer runs in between."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await asyncio.to_thread(stop)
            await send({"type": "lifespan.shutdown.complete"})
            return
