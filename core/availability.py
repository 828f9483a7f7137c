"""Which errors mean "the database (or Redis) cannot be reached
right now" — answered 503 with ``Retry-After`` on HTTP and closed 1013 on a
socket — as opposed to a programming error, which stays a 500."""

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from psycopg_pool import PoolTimeout
from redis.exceptions import ClusterError, RedisClusterException

# Seconds a client is asked to wait before retrying (the Retry-After header).
RETRY_AFTER = 5

# PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources
# (too many connections, out of memory, disk full), 57 operator intervention
# (shutdown, "the database system is starting up", statement timeout).
_UNAVAILABLE_CLASSES = ("08", "53", "57")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def backend_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError | ClusterError | RedisClusterException):
        # Redis is unreachable (the reports' concurrency slots, core.concurrency), or a
        # cluster's slot is served by no node (a failover under way).
        return True
    if isinstance(exc, PoolTimeout | InterfaceError):
        return True  # no free connection within DATABASE_POOL_TIMEOUT; a closed connection
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, PoolTimeout):
        return True
    if isinstance(cause, sqlite3.Error):
        # "database is locked" is a wait that ran out; "no such table" is a bug.
        return getattr(cause, "sqlite_errorcode", 0) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    sqlstate = getattr(cause, "sqlstate", None)
    # No SQLSTATE: the client library failed (refused, reset, timed out connecting).
    return sqlstate is None or sqlstate.startswith(_UNAVAILABLE_CLASSES)


def _pool_ran_out(exc: BaseException) -> bool:
    return isinstance(exc, PoolTimeout) or isinstance(exc.__cause__, PoolTimeout)


class DatabaseOutage:
    """What one process last learnt of the database, so that work queued behind a
    failure is refused at once instead of each call waiting out the same timeouts
    (a frozen database costs each call ``DATABASE_POOL_TIMEOUT`` +
    ``DATABASE_CONNECT_TIMEOUT``, and a few threads serve them all).

    After a call fails as unreachable, the next one finds out whether the database
    is back; while it runs, other calls are refused with an ``OperationalError``
    (unreachable); a call that succeeds ends the outage. A wait for a free pool
    connection that ran out is an outage only when no call has got through for as
    long: while others still do, the pool is busy (a reconnect storm), not the
    database gone, and refusing everyone would make the storm worse."""

    REFUSED = "The database could not be reached a moment ago; it is being tried again."

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False
        self._probing = False
        self._last_success = float("-inf")  # nothing has got through yet

    @contextmanager
    def guard(self) -> Iterator[None]:
        with self._lock:
            if self._probing:
                raise OperationalError(self.REFUSED)
            probe = self._probing = self._down
        try:
            yield
        except Exception as exc:
            if backend_unavailable(exc) and not self._only_busy(exc):
                self._down = True
            raise
        else:
            self._down = False
            self._last_success = time.monotonic()
        finally:
            if probe:
                self._probing = False

    def _only_busy(self, exc: BaseException) -> bool:
        """A pool wait that ran out while other calls got through meanwhile."""
        pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
        waited = pool.get("timeout", 30) if isinstance(pool, dict) else 30  # psycopg_pool's default
        return _pool_ran_out(exc) and time.monotonic() - self._last_success < waited
