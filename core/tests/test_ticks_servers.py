"""The timer with real server processes (``manage.py serve``) sharing one PostgreSQL:
each tick of a job runs in exactly one of them, one killed the other goes on, and a
tick missed while no process ran is caught up as a process starts. The job
(core/tests/tick_jobs.py) appends ``name tick pid`` to a file per run, pausing first
with its lock held, so two processes running one tick would both write it."""

import datetime
import time
from pathlib import Path

import pytest
from django.utils import timezone

from core.models import TickState
from core.tests.tick_jobs import HOURLY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("ops")]

FIRST_PASS = "ticks: first pass done"


def runs(path: Path) -> list[tuple[str, str, int]]:
    if not path.exists():
        return []
    return [(name, tick, int(pid)) for name, tick, pid in (line.split() for line in path.read_text().splitlines())]


def wait_until(condition, what: str, timeout: float = 60) -> None:
    """Waits for something the servers do (not a timed assertion: only a bound on a hang)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


def timer_env(path: Path, job: str, seconds: str) -> dict[str, str]:
    return {
        "TICKS_ENABLED": "1",
        "TICK_SECONDS": seconds,
        "TICK_JOBS_EXTRA": f"core.tests.tick_jobs.{job}",
        "TICK_TEST_FILE": str(path),
    }


def test_two_processes_run_each_tick_once_and_one_goes_on_when_the_other_dies(start_server, tmp_path):
    path = tmp_path / "runs.txt"
    env = timer_env(path, "EVERY_SECOND", "1")
    first, second = start_server("a", **env), start_server("b", **env)

    wait_until(lambda: len(runs(path)) >= 6, "six ticks")
    first.kill()  # kill -9, maybe holding the job's lock: PostgreSQL drops it with the connection
    before = len(runs(path))
    wait_until(lambda: len(runs(path)) >= before + 4, "four more ticks after one process died")

    ticks = [tick for _, tick, _ in runs(path)]
    assert len(ticks) == len(set(ticks)), "a tick ran twice"
    assert {pid for _, _, pid in runs(path)[before:]} == {second.process.pid}
    assert {pid for _, _, pid in runs(path)[:before]} <= {first.process.pid, second.process.pid}


def test_a_tick_missed_while_no_process_ran_is_caught_up_at_start(start_server, tmp_path):
    path = tmp_path / "runs.txt"
    now = timezone.now()
    # The hourly job last ran three hours ago; then no process ran.
    TickState.objects.create(
        name=HOURLY.name, last_tick=HOURLY.tick_of(now) - datetime.timedelta(hours=3), last_run=now
    )
    # A pass an hour: within the test, only the one at start.
    env = timer_env(path, "HOURLY", "3600")
    server = start_server("a", **env)
    wait_until(lambda: FIRST_PASS in server.log(), "the first pass")

    ((name, tick, pid),) = runs(path)
    assert (name, pid) == (HOURLY.name, server.process.pid)
    state = TickState.objects.get(name=HOURLY.name)
    assert tick == state.last_tick.isoformat()
    assert state.last_tick >= HOURLY.tick_of(now)
    caught_up = server.log().split("caught up: ", 1)[1].split(")", 1)[0].split(", ")
    assert "test.hourly" in caught_up

    # The next process to start finds the tick done: nothing to catch up (unless the
    # clock reached the next hour meanwhile: then that hour's tick is due, once).
    server.stop()
    again = start_server("b", **env)
    wait_until(lambda: FIRST_PASS in again.log(), "the second process's first pass")
    if HOURLY.tick_of(timezone.now()) == state.last_tick:
        assert len(runs(path)) == 1
        # (The cafe's own minute jobs may be due again; the hourly one is not.)
        assert "test.hourly" not in again.log().split("first pass done", 1)[1]
    else:
        assert [tick for _, tick, _ in runs(path)][1:] in ([], [HOURLY.tick_of(timezone.now()).isoformat()])
