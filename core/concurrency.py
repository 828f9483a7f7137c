"""How many of one kind of heavy request may run at once, per key (a user, a
company), across every server process.

With ``REDIS_URL`` the slots live in Redis (one sorted set per key, taken and
freed by atomic scripts), so the bound holds whichever process serves the
requests; without it, in this process's memory. Each slot is a lease of
``lease`` seconds: the request frees it when it ends, and a process that dies
mid-request leaves it to expire. A request that finds every slot taken is
refused at once with 429 and ``Retry-After`` (it never waits in line); with
Redis unreachable it answers 503 (``core.availability``)."""

import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import Throttled

from core import redisclient

_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[5])
    return 1
end
return 0
"""


class Busy(Throttled):
    """429 with ``Retry-After``: every slot of the request's kind is taken."""

    default_detail = gettext_lazy("Too many requests of this kind at once. Try again shortly.")
    wait: float | None  # set by Throttled (the stubs leave it out)


@dataclass(frozen=True)
class Limit:
    """At most ``slots`` requests at once for ``key``; ``detail`` is the refusal's message."""

    key: str
    slots: int
    detail: str


_lock = threading.Lock()
_held: dict[str, dict[str, float]] = {}
_clients: dict[str, redisclient.SyncClient] = {}


def _redis() -> redisclient.SyncClient:
    url = settings.REDIS_URL
    if url not in _clients:
        # Redis unreachable: fail within a second (503), never hang a request.
        _clients[url] = redisclient.sync_client(socket_connect_timeout=1, socket_timeout=1)
    return _clients[url]


def _take(key: str, token: str, slots: int, lease: float) -> bool:
    now = time.time()
    if settings.REDIS_URL:
        return bool(_redis().eval(_TAKE, 1, f"slots:{key}", now, now + lease, slots, token, math.ceil(lease * 1000)))
    with _lock:
        held = {t: until for t, until in _held.get(key, {}).items() if until > now}
        if len(held) >= slots:
            _held[key] = held
            return False
        held[token] = now + lease
        _held[key] = held
        return True


def _give_back(key: str, token: str) -> None:
    if settings.REDIS_URL:
        _redis().zrem(f"slots:{key}", token)
        return
    with _lock:
        held = _held.get(key, {})
        held.pop(token, None)
        if not held:
            _held.pop(key, None)


def taken(key: str) -> int:
    """How many slots of ``key`` are held now (for tests and monitoring)."""
    now = time.time()
    if settings.REDIS_URL:
        return int(_redis().zcount(f"slots:{key}", f"({now}", "+inf"))
    with _lock:
        return sum(1 for until in _held.get(key, {}).values() if until > now)


@contextmanager
def slot(*limits: Limit, lease: float, retry_after: float) -> Iterator[None]:
    """Holds one slot of every limit for the block, or raises ``Busy`` (429,
    ``Retry-After: retry_after``) with the first full limit's ``detail``. Slots
    already taken are given back when a later limit is full, and all are given
    back when the block ends, however it ends."""
    token = uuid.uuid4().hex
    with ExitStack() as held:
        for limit in limits:
            if not _take(limit.key, token, limit.slots, lease):
                raise Busy(detail=limit.detail, wait=math.ceil(retry_after))
            held.callback(_give_back, limit.key, token)
        yield
