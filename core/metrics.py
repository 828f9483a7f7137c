"""Prometheus metrics: the HTTP figures and the backends' errors here, each app's own
next to its code (``realtime.metrics``, ``cafe.shared.metrics``); all are read at
``/metrics`` (``core.ops``). docs/deploy.md lists them.

With several server processes (``manage.py serve --workers N``) every process writes
its figures to memory-mapped files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode, chosen when the variable is set before the first metric is made:
``serve`` sets it for its workers and empties the directory at start), and a scrape of
any process adds them all up. A worker that died leaves its counters (they still count)
but not its gauges: the files of live-summed gauges of processes that are gone are
removed at each scrape.
"""

import glob
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from core.availability import backend_unavailable

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A label a bounded set cannot take any more values for.
OTHER = "other"

# Seconds: from 5 ms (a cached GET) to 10 s (a report); the database's own timeouts are above it.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

HTTP_REQUESTS = Counter(
    "cafe_http_requests_total",
    "HTTP requests answered, by URL pattern (never the raw path) and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "cafe_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern.",
    ["method", "route"],
    buckets=HTTP_BUCKETS,
)
BACKEND_ERRORS = Counter(
    "cafe_backend_errors_total",
    "Times the database or Redis could not be reached (a 503, a 1013 close, a failed poll or publish).",
    ["backend"],
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def backend_error(exc: BaseException) -> None:
    """Counts ``exc`` if it means the database or Redis could not be reached."""
    if backend_unavailable(exc):
        BACKEND_ERRORS.labels(backend="redis" if type(exc).__module__.startswith("redis") else "database").inc()


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else OTHER
    HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    HTTP_DURATION.labels(method=method, route=route).observe(seconds)


class BoundedLabel:
    """The values one label takes, at most ``limit`` of them in this process (the first
    seen); the rest count under ``other``. A branch id is a label of the cafe's
    counters: this bounds the series a company with thousands of branches, or many
    companies, can make (METRICS_BRANCH_LABELS; docs/deploy.md, "Metrics")."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, value: object) -> str:
        text = str(value)
        if text in self.seen:
            return text
        with self.lock:
            if len(self.seen) < self.limit:
                self.seen.add(text)
                return text
        return OTHER


# Multiprocess mode


def multiprocess_mode() -> bool:
    """Whether this process writes its figures to files (the variable was set before
    prometheus-client made its first metric)."""
    return values.ValueClass is not values.MutexValue


def multiprocess_directory_prepare() -> Path | None:
    """For ``manage.py serve`` with several workers, before they start: the directory
    every worker writes its figures to, set in the environment the workers inherit —
    ``PROMETHEUS_MULTIPROC_DIR`` emptied of a previous run's files, or else a new
    temporary one, which is returned to be removed when the server stops."""
    configured = os.environ.get(MULTIPROC_VARIABLE)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        return None
    temporary = tempfile.mkdtemp(prefix="cafe-metrics-")
    os.environ[MULTIPROC_VARIABLE] = temporary
    return Path(temporary)


def multiprocess_directory_remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


LIVE_GAUGE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_workers_forget(path: str) -> None:
    """Removes the live-summed gauges (open sockets) of worker processes that are gone,
    killed or restarted, so they stop adding their last figures."""
    for file in glob.glob(os.path.join(path, "gauge_live*_*.db")):
        found = LIVE_GAUGE_FILE.search(file)
        if found and not _alive(int(found.group(1))):
            multiprocess.mark_process_dead(int(found.group(1)), path)


def exposition() -> tuple[bytes, str]:
    """Every figure of every server process, in Prometheus's text format."""
    path = os.environ.get(MULTIPROC_VARIABLE)
    if multiprocess_mode() and path:
        dead_workers_forget(path)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=path)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
