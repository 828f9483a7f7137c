"""Password hashing without starving other requests.

Hashing a password takes a deliberately long time (PBKDF2: about 0.4 s of CPU).
A flood of logins must neither hold database connections meanwhile (the pool is
shared with every other request) nor run unbounded hashes at once. So every
password check and every hash made for a new password runs inside ``turn()``: at
most ``LOGIN_CONCURRENCY`` per server process; a request waits for a turn at most
until its deadline (``LOGIN_QUEUE_SECONDS`` after it started) and is then answered
503 with ``Retry-After``. Before hashing, the caller gives its connection back
(``release_connection``). The policy is in docs/security.md.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import hashers
from django.db import connection
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException

# Seconds a client is told to wait when every turn is taken.
BUSY_RETRY_AFTER = 1


class PasswordChecksBusy(APIException):
    """503 with ``Retry-After``: this process is checking as many passwords as it may."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("Too many password checks at once; try again in a moment.")
    default_code = "busy"
    wait = BUSY_RETRY_AFTER  # DRF sends it as Retry-After


class PBKDF2PasswordHasher(hashers.PBKDF2PasswordHasher):
    """Django's PBKDF2 (the same ``pbkdf2_sha256`` hashes) at ``PASSWORD_ITERATIONS``."""

    @property
    def iterations(self) -> int:  # type: ignore[override]  # Django's is a class attribute
        return settings.PASSWORD_ITERATIONS


_lock = threading.Lock()
_turns: dict[int, threading.BoundedSemaphore] = {}


def _semaphore() -> threading.BoundedSemaphore:
    # Keyed by the setting, so a test's override_settings gets its own.
    size = settings.LOGIN_CONCURRENCY
    with _lock:
        if size not in _turns:
            _turns[size] = threading.BoundedSemaphore(size)
        return _turns[size]


def deadline() -> float:
    """The ``time.monotonic()`` by which a request starting now must have its turn."""
    return time.monotonic() + settings.LOGIN_QUEUE_SECONDS


@contextmanager
def turn(until: float) -> Iterator[None]:
    """One of this process's ``LOGIN_CONCURRENCY`` password checks; raises
    PasswordChecksBusy if none is free by ``until``. Holds no database connection
    while it waits."""
    semaphore = _semaphore()
    if not semaphore.acquire(blocking=False):
        release_connection()
        if not semaphore.acquire(timeout=max(0.0, until - time.monotonic())):
            raise PasswordChecksBusy()
    try:
        yield
    finally:
        semaphore.release()


def release_connection() -> None:
    """Gives this thread's database connection back (to the pool, or closes it) so
    that no connection is held while a password is hashed or a turn awaited; the
    next query takes one again. Inside a transaction the connection is kept: the
    transaction needs it (and such callers — tests, mostly — hold it anyway)."""
    if not connection.in_atomic_block:
        connection.close()
