"""The timer (core/ticks.py) in one process: due jobs run once per tick and are
recorded, a missed tick is caught up by one run, a failing job runs again next pass,
a job whose lock another holder has is skipped, and the ASGI lifespan starts and
stops the thread. Two real server processes: core/tests/test_ticks_servers.py."""

import asyncio
import datetime
import threading

import pytest
from django.db import connection

from core import ticks
from core.models import TickState

MINUTE = datetime.timedelta(minutes=1)
NOON = datetime.datetime(2030, 3, 14, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _no_lock_files_left():
    """On SQLite the locks are files beside the (temporary) test database: removed after."""
    yield
    if connection.vendor == "sqlite":
        for name in ("test.recorder", "test.broken"):
            ticks.lock_path(name).unlink(missing_ok=True)


def recorder(name: str = "test.recorder", every: datetime.timedelta = MINUTE) -> tuple[ticks.Job, list]:
    runs: list[datetime.datetime] = []
    return ticks.Job(name, every, runs.append), runs


def test_a_tick_is_the_clocks_multiple_of_every():
    job, _ = recorder(every=datetime.timedelta(minutes=15))
    assert job.tick_of(NOON + datetime.timedelta(minutes=29, seconds=59)) == NOON + datetime.timedelta(minutes=15)
    assert job.tick_of(NOON) == NOON


@pytest.mark.django_db
def test_a_due_job_runs_once_per_tick_and_is_recorded():
    job, runs = recorder()

    assert ticks.run_due(job, NOON + datetime.timedelta(seconds=5))
    assert not ticks.run_due(job, NOON + datetime.timedelta(seconds=50))  # the same tick
    assert ticks.run_due(job, NOON + MINUTE)

    assert runs == [NOON + datetime.timedelta(seconds=5), NOON + MINUTE]
    state = TickState.objects.get(name=job.name)
    assert (state.last_tick, state.last_run) == (NOON + MINUTE, NOON + MINUTE)


@pytest.mark.django_db
def test_ticks_missed_are_caught_up_by_one_run():
    job, runs = recorder()
    TickState.objects.create(name=job.name, last_tick=NOON - 90 * MINUTE, last_run=NOON - 90 * MINUTE)

    assert ticks.run_due(job, NOON + datetime.timedelta(seconds=1))
    assert not ticks.run_due(job, NOON + datetime.timedelta(seconds=2))
    assert runs == [NOON + datetime.timedelta(seconds=1)]


@pytest.mark.django_db
def test_a_failing_job_is_not_recorded_and_the_others_still_run(settings, monkeypatch):
    def broken(now: datetime.datetime) -> None:
        raise RuntimeError("boom")

    job, runs = recorder()
    monkeypatch.setattr(ticks, "_registry", {"test.broken": ticks.Job("test.broken", MINUTE, broken)})
    monkeypatch.setattr(ticks, "jobs", lambda: [*ticks._registry.values(), job])

    assert ticks.tick(NOON) == [job.name]
    assert runs == [NOON]
    assert not TickState.objects.filter(name="test.broken").exists()


def test_register_refuses_a_tick_under_a_second_and_a_name_too_long(monkeypatch):
    monkeypatch.setattr(ticks, "_registry", {})
    with pytest.raises(ValueError, match="at least a second"):
        ticks.register("fast", every=datetime.timedelta(milliseconds=500), run=print)
    with pytest.raises(ValueError, match="too long"):
        ticks.register("x" * 101, every=MINUTE, run=print)
    job = ticks.register("fine", every=MINUTE, run=print)
    assert ticks._registry == {"fine": job}


def test_extra_jobs_come_from_the_setting(settings, monkeypatch):
    from core.tests.tick_jobs import HOURLY

    monkeypatch.setattr(ticks, "_registry", {})
    settings.TICK_JOBS_EXTRA = ["core.tests.tick_jobs.HOURLY"]
    assert ticks.jobs() == [HOURLY]


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_lock_another_holds_is_skipped():
    """Another holder (a thread with its own database connection, as another process
    would be) has the job's lock: this process skips the job, then runs it once the
    lock is free."""
    job, runs = recorder()
    taken, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with ticks.job_lock(job.name) as held:
                assert held
                taken.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    try:
        assert not ticks.run_due(job, NOON)
    finally:
        release.set()
        holder.join(10)
    assert done.is_set()
    assert ticks.run_due(job, NOON)
    assert runs == [NOON]


@pytest.mark.django_db(transaction=True)
def test_the_lifespan_starts_the_timer_whose_first_pass_catches_up_and_stops_it(settings):
    job, runs = recorder(every=datetime.timedelta(hours=1))
    settings.TICKS_ENABLED, settings.TICK_SECONDS = True, 3600
    first_pass = threading.Event()
    original = job.run

    def run(now: datetime.datetime) -> None:
        original(now)
        first_pass.set()

    ticks._registry[job.name] = ticks.Job(job.name, job.every, run)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict] = []

    async def receive() -> dict:
        if len(sent) == 1:  # started: wait for the timer's first pass before shutting down
            await asyncio.to_thread(first_pass.wait, 10)
        return messages.pop(0)

    async def send(message: dict) -> None:
        sent.append(message)

    try:
        asyncio.run(ticks.lifespan({"type": "lifespan"}, receive, send))
    finally:
        del ticks._registry[job.name]
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert len(runs) == 1
    assert ticks._ticker is None


def test_the_lifespan_starts_no_timer_when_disabled(settings):
    settings.TICKS_ENABLED = False
    assert ticks.start() is None
