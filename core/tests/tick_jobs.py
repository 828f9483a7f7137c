"""Test-only timer jobs (``core.ticks``), registered in real server processes through
``TICK_JOBS_EXTRA``: each run appends ``name tick pid`` to the file ``TICK_TEST_FILE``
names, after a pause that keeps its lock held while another process tries for it."""

import datetime
import os
import time

from core.ticks import Job


def _append(name: str, every: datetime.timedelta):
    def run(now: datetime.datetime) -> None:
        time.sleep(float(os.environ.get("TICK_TEST_PAUSE", "0.3")))
        tick = Job(name, every, run).tick_of(now)
        line = f"{name} {tick.isoformat()} {os.getpid()}\n".encode()
        fd = os.open(os.environ["TICK_TEST_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)  # one write with O_APPEND: lines of two processes never mix
        finally:
            os.close(fd)

    return Job(name, every, run)


EVERY_SECOND = _append("test.every_second", datetime.timedelta(seconds=1))
HOURLY = _append("test.hourly", datetime.timedelta(hours=1))
