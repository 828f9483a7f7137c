"""How many sockets a user and a company may hold, and how often a user may have the
event log replayed (docs/security.md, "Sockets per tenant").

Three socket limits, checked when a socket joins, after it is authorised:

* ``WEBSOCKET_MAX_PER_USER`` and ``WEBSOCKET_MAX_PER_COMPANY``, over every server
  process. With ``REDIS_URL`` each open socket is a member of a sorted set per user
  and per company, scored with when it expires: a process renews its sockets'
  scores every third of ``WEBSOCKET_SLOT_SECONDS`` and removes a socket when it
  ends, so the slots of a process that was killed free themselves within
  ``WEBSOCKET_SLOT_SECONDS``. Without Redis there is one process, which counts its
  own sockets.
* ``WEBSOCKET_COMPANY_SHARE`` of this process's ``MAX_CONNECTIONS``, counted here:
  one company never takes every connection of a process, so the others still get in
  (and get REST answers).

Replays (a join with ``since`` behind the latest event, and the ``resume`` action)
are limited per user over a sliding minute, in Redis or in this process, and per
socket by the consumer (``ReplayWindow``). Redis unreachable: the checks fall back
to this process's own counts and never refuse a socket for it; a Redis restart
loses the slots, which the next renewal puts back.
"""

import asyncio
import logging
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import redisclient

# Redis away, or redis-py's asyncio cluster client writing to a connection it has just
# torn down while a master fails over: an AttributeError on asyncio's own loop ('NoneType'
# object has no attribute 'writelines'), a RuntimeError on uvloop's, which the servers run
# ('unable to perform operation on <TCPTransport closed=True …>; the handler is closed').
# Caught only around one Redis call each, never around code of ours.
REDIS_AWAY: tuple[type[BaseException], ...] = (*redisclient.ERRORS, AttributeError, RuntimeError)

log = logging.getLogger(__name__)

# A sliding window of replays.
REPLAY_WINDOW = 60.0
# Redis must answer an admission within this, or it is made on this process's counts.
REDIS_TIMEOUT = 0.5
REDIS_CONNECTIONS = 4

# Both sets lose their expired members first; then the socket is added to both, unless
# one is full: 1 the user's, 2 the company's. Scores are Redis's clock, so processes
# on machines whose clocks differ agree.
_ADMIT = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local ttl = tonumber(ARGV[2])
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 2 end
for i = 1, 2 do
    redis.call('ZADD', KEYS[i], now + ttl, ARGV[1])
    redis.call('EXPIRE', KEYS[i], math.ceil(ttl))
end
return 0
"""

# Renews (or, after a Redis restart, puts back) a set's members that this process holds.
_RENEW = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
redis.call('EXPIRE', KEYS[1], math.ceil(ttl))
return 0
"""

# A replay in the user's sliding window: 0 if it is allowed (and counted), else the
# whole seconds until the oldest one leaves the window.
_REPLAY = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(window))
return 0
"""

PER_USER = _("This user already has %(limit)s sockets open, the most allowed; close one and try again.")
PER_COMPANY = _("This company already has %(limit)s sockets open, the most allowed; close one and try again.")
SHARE = _(
    "This company already holds %(limit)s sockets on this server process, its share of the connections; "
    "try again shortly."
)
REPLAYS_PER_USER = _(
    "This user may replay the event log at most %(limit)s times a minute; try again in %(retry_after)s s."
)
REPLAYS_PER_SOCKET = _(
    "This socket may replay the event log at most %(limit)s times a minute; try again in %(retry_after)s s."
)


class Refused(Exception):
    """A socket or a replay over a limit: the message, its parameters, and for a
    replay when to try again."""

    def __init__(self, message: Promise, *, limit: int, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.limit = limit
        self.retry_after = retry_after

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.limit}
        if self.retry_after is not None:
            params["retry_after"] = self.retry_after
        return params


@dataclass(frozen=True)
class Slot:
    """One admitted socket."""

    id: str
    user_id: str
    company_id: str


def company_share() -> int:
    """The most sockets one company may hold in one process."""
    return max(int(settings.MAX_CONNECTIONS * settings.WEBSOCKET_COMPANY_SHARE), 1)


class ReplayWindow:
    """A sliding minute of replays, for one socket or (without Redis) one user."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def take(self, limit: int) -> int:
        """0 and the replay is counted, or the whole seconds until one is allowed."""
        now = time.monotonic()
        while self.times and self.times[0] <= now - REPLAY_WINDOW:
            self.times.popleft()
        if len(self.times) >= limit:
            return max(int(self.times[0] + REPLAY_WINDOW - now + 0.999), 1)
        self.times.append(now)
        return 0


def _key(kind: str, pk: str) -> str:
    # Under the deployment's events channel name, as the Redis database may be shared.
    return f"{settings.EVENTS_CHANNEL}:{kind}:{pk}"


def _user_sockets(user_id: str, company_id: str) -> str:
    # A user's and their company's sets are read by one script: in a Redis Cluster both
    # keys must be in one slot, which the company id in braces (a hash tag) picks.
    return f"{settings.EVENTS_CHANNEL}:sockets:{{{company_id}}}:user:{user_id}"


def _company_sockets(company_id: str) -> str:
    return f"{settings.EVENTS_CHANNEL}:sockets:{{{company_id}}}:company"


class Admission:
    """This process's socket and replay counts, and its link to the shared ones in
    Redis. One per hub (per event loop); ``renew`` is a task of the hub's."""

    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}
        self.users: Counter[str] = Counter()
        self.companies: Counter[str] = Counter()
        self.replays: defaultdict[str, ReplayWindow] = defaultdict(ReplayWindow)
        # A few connections, however many sockets join at once: they wait for a free one
        # (within REDIS_TIMEOUT) rather than each opening its own.
        self.redis = (
            redisclient.async_client(
                max_connections=REDIS_CONNECTIONS,
                wait=REDIS_TIMEOUT,
                socket_timeout=REDIS_TIMEOUT,
                socket_connect_timeout=REDIS_TIMEOUT,
            )
            if settings.REDIS_URL
            else None
        )
        # Slots given back here and not yet in Redis, and the task that removes them
        # there, all in one round trip (a thousand sockets closing at once make one).
        self.released: list[Slot] = []
        self.releasing: asyncio.Task | None = None

    async def admit(self, *, user_id: str, company_id: str) -> Slot:
        """Takes a slot for a new socket, or raises ``Refused``."""
        if self.users[user_id] >= settings.WEBSOCKET_MAX_PER_USER:
            raise Refused(PER_USER, limit=settings.WEBSOCKET_MAX_PER_USER)
        if self.companies[company_id] >= settings.WEBSOCKET_MAX_PER_COMPANY:
            raise Refused(PER_COMPANY, limit=settings.WEBSOCKET_MAX_PER_COMPANY)
        if self.companies[company_id] >= company_share():
            raise Refused(SHARE, limit=company_share())
        # Taken here before Redis is asked, so sockets joining at once in this process
        # cannot all pass the local counts.
        slot = Slot(uuid.uuid4().hex, user_id, company_id)
        self.slots[slot.id] = slot
        self.users[user_id] += 1
        self.companies[company_id] += 1
        if self.redis is None:
            return slot
        try:
            full = await self.redis.eval(
                _ADMIT, 2, _user_sockets(user_id, company_id), _company_sockets(company_id),
                slot.id, settings.WEBSOCKET_SLOT_SECONDS,
                settings.WEBSOCKET_MAX_PER_USER, settings.WEBSOCKET_MAX_PER_COMPANY,
            )  # fmt: skip
        except REDIS_AWAY as exc:
            log.warning("socket admission without Redis (%r): this process's counts only", exc)
            return slot
        except BaseException:
            self._forget(slot)
            raise
        if full:
            self._forget(slot)
            if full == 1:
                raise Refused(PER_USER, limit=settings.WEBSOCKET_MAX_PER_USER)
            raise Refused(PER_COMPANY, limit=settings.WEBSOCKET_MAX_PER_COMPANY)
        return slot

    def release(self, slot: Slot) -> None:
        """Gives a socket's slot back (at once here, in Redis as soon as it answers)."""
        if self.slots.get(slot.id) is not slot:
            return
        self._forget(slot)
        if self.redis is not None:
            self.released.append(slot)
            if self.releasing is None:
                self.releasing = asyncio.get_running_loop().create_task(self._remove())

    def _forget(self, slot: Slot) -> None:
        del self.slots[slot.id]
        for counts, key in ((self.users, slot.user_id), (self.companies, slot.company_id)):
            counts[key] -= 1
            if not counts[key]:
                del counts[key]

    async def _remove(self) -> None:
        assert self.redis is not None
        try:
            while self.released:
                slots, self.released = self.released, []
                pipe = self.redis.pipeline(transaction=False)
                for slot in slots:
                    pipe.zrem(_user_sockets(slot.user_id, slot.company_id), slot.id)
                    pipe.zrem(_company_sockets(slot.company_id), slot.id)
                try:
                    await pipe.execute()
                except REDIS_AWAY as exc:
                    log.warning(
                        "could not give %d slots back in Redis (%r); they expire by themselves", len(slots), exc
                    )
        finally:
            self.releasing = None

    async def replay(self, *, user_id: str) -> None:
        """Counts a replay of the event log for a user, or raises ``Refused``."""
        limit = settings.WEBSOCKET_REPLAYS_PER_USER
        if self.redis is not None:
            try:
                wait = await self.redis.eval(
                    _REPLAY, 1, _key("replays:user", user_id), uuid.uuid4().hex, REPLAY_WINDOW, limit
                )
            except REDIS_AWAY as exc:
                log.warning("replay counted without Redis (%r): this process's count only", exc)
                wait = self.replays[user_id].take(limit)
        else:
            wait = self.replays[user_id].take(limit)
        if wait:
            raise Refused(REPLAYS_PER_USER, limit=limit, retry_after=int(wait))

    async def renew(self) -> None:
        """Every third of ``WEBSOCKET_SLOT_SECONDS``: renews this process's slots in Redis."""
        assert self.redis is not None
        try:
            while True:
                await asyncio.sleep(settings.WEBSOCKET_SLOT_SECONDS / 3)
                try:
                    await self.renew_once()
                except REDIS_AWAY as exc:
                    log.warning("could not renew the sockets' slots in Redis (%r); retrying", exc)
        finally:
            await self.redis.aclose()

    async def renew_once(self) -> None:
        assert self.redis is not None
        if not self.slots:
            return
        members: defaultdict[str, list[str]] = defaultdict(list)
        for slot in self.slots.values():
            members[_user_sockets(slot.user_id, slot.company_id)].append(slot.id)
            members[_company_sockets(slot.company_id)].append(slot.id)
        pipe = self.redis.pipeline(transaction=False)
        for key, ids in members.items():
            pipe.eval(_RENEW, 1, key, settings.WEBSOCKET_SLOT_SECONDS, *ids)
        await pipe.execute()
