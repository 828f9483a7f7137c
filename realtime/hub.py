"""Per-process fan-out: every committed event reaches this process once and is
written, already serialised, to each local socket whose scope it is in.

Transport: with ``REDIS_URL`` one Redis pub/sub subscription per process;
without it, publishing hands events straight to this process's hub. Either way
Redis is only a fast path. The event log is the truth: the hub tracks each
company's latest ``seq``, fills any gap from the log before going on, and polls
the log every ``HUB_POLL_SECONDS``, so a dropped message, a Redis restart or a
publisher that died after commit delays an event but never loses it.
"""

import asyncio
import logging
from collections import defaultdict

import redis
import redis.asyncio
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections

from core import metrics as core_metrics
from core.availability import DatabaseOutage, backend_unavailable
from realtime import access, envelope, eventlog, metrics
from realtime.admission import Admission
from realtime.catalogue import CATALOGUE

log = logging.getLogger(__name__)

BACKLOG_PAGE = 1000


# This process's sockets and hub share a few threads: while the database cannot be
# reached, one call at a time waits for it and the others are refused at once.
DATABASE = DatabaseOutage()


def in_thread(func):
    """Runs ORM work in the thread pool, not the single shared sync thread.

    The connection is released inside the call: the ``close_old_connections``
    that ``database_sync_to_async`` runs around it does not see a connection
    opened in the call's context (asgiref 3.13), so without this every pool
    thread keeps one, and the pool runs dry."""

    def run(*args, **kwargs):
        try:
            with DATABASE.guard():
                return func(*args, **kwargs)
        finally:
            close_old_connections()

    return database_sync_to_async(run, thread_sensitive=False)


class Subscription:
    """A socket's place in the hub. The consumer sets the scope attributes and
    implements ``deliver`` (a non-blocking write of a text frame), ``revoke``
    (close 4003) and ``resync_required`` (the log no longer holds what it asked);
    it may bound what it holds (``hold``, ``drained``)."""

    user_id: str
    requested_branch: str | None
    company_id: str
    branch_id: str | None
    stream: str
    # The user's token version the socket was opened with (revoked when it changes).
    token_version: int = 0
    # The registered device a PIN session's socket is bound to (revoked with it).
    device_id: str | None = None
    # The last seq this socket has been given (or skipped as out of its scope);
    # while ``pending`` is a list the socket is catching up and live events wait there.
    cursor: int = 0
    pending: list[tuple[int, str]] | None = None

    def deliver(self, text: str) -> None:
        raise NotImplementedError

    def revoke(self) -> None:
        raise NotImplementedError

    def resync_required(self, latest: int) -> None:
        raise NotImplementedError

    def hold(self, seq: int, text: str) -> None:
        """Keeps a live event while the socket catches up."""
        assert self.pending is not None, "hold() runs only while the socket catches up"
        self.pending.append((seq, text))

    async def drained(self) -> None:
        """Returns when the socket has room for the next page of its catch-up (or has left)."""

    @property
    def log_scope(self) -> dict[str, str | None]:
        """The part of the event log this socket reads (``eventlog.catch_up``, ``event_backlog``)."""
        return {"company_id": self.company_id, "branch_id": self.branch_id, "stream": self.stream}

    def offer(self, seq: int, text: str) -> None:
        if self.pending is not None:
            self.hold(seq, text)
        elif seq > self.cursor:
            self.cursor = seq
            self.deliver(text)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.inbox: asyncio.Queue[str | tuple[str, int]] = asyncio.Queue()
        self.routes: dict[tuple[str, str | None, str], set[Subscription]] = defaultdict(set)
        self.members: dict[str, set[Subscription]] = defaultdict(set)
        self.last_seq: dict[str, int] = {}
        # The user rows the last access check saw, to re-check only what changed.
        self.user_states: dict[str, tuple] = {}
        # How many sockets each user and company holds (here, and with Redis everywhere).
        self.admission = Admission()
        self.subscribed = not settings.REDIS_URL  # metrics/health: listening to Redis (or needing no Redis)
        self.tasks = [loop.create_task(self._process()), loop.create_task(self._poll())]
        if settings.REDIS_URL:
            self.tasks += [loop.create_task(self._listen()), loop.create_task(self.admission.renew())]

    # Sockets

    async def subscribe(self, sub: Subscription, start: eventlog.CatchUp, greet) -> None:
        """Registers a socket: ``greet(latest_seq)`` first, then every event of its
        scope after its ``since`` from the log, then live, with no gap or duplicate.

        ``start`` is the socket's read of the log (``eventlog.catch_up``), made
        with its authorisation in one trip to the database before it got here.
        """
        sub.pending = []
        self.routes[(sub.company_id, sub.branch_id, sub.stream)].add(sub)
        self.members[sub.company_id].add(sub)
        try:
            await self._catch_up(sub, start, greet)
        except BaseException:
            self.unsubscribe(sub)
            raise

    async def resume(self, sub: Subscription, since: int) -> None:
        """Replays from ``since`` again. The socket's frames are handled one at a time, so
        catch-ups never overlap; this one starts once what the last one queued has drained."""
        await sub.drained()
        if not self._joined(sub):
            return
        sub.pending = []
        await self._catch_up(sub, await in_thread(eventlog.catch_up)(**sub.log_scope, since=since, limit=BACKLOG_PAGE))

    async def _catch_up(self, sub: Subscription, start: eventlog.CatchUp, greet=None) -> None:
        """Live events wait in ``sub.pending`` while the log is replayed. Whatever the
        hub handled after the socket's read of the log is replayed from it too."""
        latest, covered, page = start
        if sub.company_id in self.members:
            # The first socket of a company: the hub follows its seq from here.
            self.last_seq.setdefault(sub.company_id, latest)
        if greet is not None:
            greet(latest)
        if not covered:
            sub.resync_required(latest)
        if not await self._replay(sub, page, upto=latest):
            return
        tracked = self.last_seq.get(sub.company_id, latest)
        if tracked > latest:
            # The hub went on past this socket's read of the log (or follows the
            # company from another socket's later read): replay what lies between.
            await sub.drained()
            if not await self._replay(sub, await self._read_log(sub, after=latest, upto=tracked), upto=tracked):
                return
            latest = tracked
        sub.cursor = latest
        pending, sub.pending = sub.pending or [], None
        for seq, text in pending:
            sub.offer(seq, text)

    async def _replay(self, sub: Subscription, page: list[tuple[int, str]], upto: int) -> bool:
        """Delivers a page of the log and the pages after it, up to ``upto``, each
        once the socket has room for it; False if the socket left meanwhile."""
        while self._joined(sub):
            for _seq, message in page:
                sub.deliver(message)
            metrics.EVENTS_DELIVERED.labels(path="replay").inc(len(page))  # metrics
            if not eventlog.more_after(page, limit=BACKLOG_PAGE):
                return True
            await sub.drained()
            if not self._joined(sub):
                break
            page = await self._read_log(sub, after=page[-1][0], upto=upto)
        return False

    def _joined(self, sub: Subscription) -> bool:
        return sub in self.routes.get((sub.company_id, sub.branch_id, sub.stream), ())

    async def _read_log(self, sub: Subscription, after: int, upto: int) -> list[tuple[int, str]]:
        return await in_thread(eventlog.event_backlog)(**sub.log_scope, after=after, upto=upto, limit=BACKLOG_PAGE)

    def unsubscribe(self, sub: Subscription) -> None:
        key = (sub.company_id, sub.branch_id, sub.stream)
        self.routes[key].discard(sub)
        if not self.routes[key]:
            del self.routes[key]
        members = self.members[sub.company_id]
        members.discard(sub)
        if not members:
            del self.members[sub.company_id]
            self.last_seq.pop(sub.company_id, None)

    # Events

    def receive(self, envelopes: list[str]) -> None:
        for text in envelopes:
            self.inbox.put_nowait(text)

    async def _process(self) -> None:
        while True:
            item = await self.inbox.get()
            try:
                if isinstance(item, str):
                    await self._on_envelope(item)
                else:
                    await self._fill(*item)
            except Exception:
                log.exception("event delivery failed; the next poll retries from the log")

    async def _on_envelope(self, item: str) -> None:
        company, seq, branch, type, text = envelope.parse(item)
        last = self.last_seq.get(company)
        if last is None or seq <= last or company not in self.members:
            return
        if seq > last + 1:
            await self._fill(company, seq - 1)
            if self.last_seq.get(company, seq) >= seq:
                return  # its sockets left meanwhile, or the log already held this one
        self._dispatch(company, seq, branch, type, text)

    async def _fill(self, company: str, upto: int) -> None:
        """Delivers the events a company's sockets have not seen, from the log."""
        metrics.HUB_GAP_FILLS.inc()  # metrics
        while (last := self.last_seq.get(company)) is not None and last < upto:
            page = await in_thread(eventlog.events_after)(company_id=company, after=last, upto=upto, limit=BACKLOG_PAGE)
            for seq, branch, type, message in page:
                if seq > self.last_seq.get(company, seq):
                    self._dispatch(company, seq, branch, type, message)
            if not eventlog.more_after(page, limit=BACKLOG_PAGE) and company in self.last_seq:
                self.last_seq[company] = max(self.last_seq[company], upto)

    def _dispatch(self, company: str, seq: int, branch: str | None, type: str, text: str) -> None:
        self.last_seq[company] = seq
        routes = self.routes
        event = CATALOGUE.get(type)
        offered = 0  # metrics
        for stream in event.streams if event else ():
            for sub in routes.get((company, branch, stream), ()):
                sub.offer(seq, text)
                offered += 1  # metrics
            if branch is not None:
                for sub in routes.get((company, None, stream), ()):
                    sub.offer(seq, text)
                    offered += 1  # metrics
        metrics.dispatched(text, offered)  # metrics

    # Keeping up with the log and with the sockets' rights

    async def _poll(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(settings.HUB_POLL_SECONDS)
            ticks += 1
            try:
                await self.poll_log()
                if ticks % 2 == 0:
                    await self.check_access()
            except Exception as exc:
                core_metrics.backend_error(exc)  # metrics
                if backend_unavailable(exc):
                    log.warning("hub poll: the database is unavailable (%s); retrying", exc)
                else:
                    log.exception("hub poll failed")

    async def poll_log(self) -> None:
        if not self.members:
            return
        metrics.HUB_LOG_POLLS.inc()  # metrics
        latest = await in_thread(eventlog.latest_seqs)(company_ids=list(self.members))
        for company, seq in latest.items():
            if seq > self.last_seq.get(company, seq):
                self.inbox.put_nowait((company, seq))

    async def check_access(self) -> None:
        """Closes (4003) sockets whose user was deactivated, moved or deleted, and those
        of PIN sessions whose device was revoked.

        One light query reads the users' rows; only the sockets of users that are
        new to this check or changed since get their scope worked out again. (A
        full re-check of every socket each time, in the thread pool, held up
        deliveries on the event loop by up to ~150 ms.)"""
        subs = [sub for members in self.members.values() for sub in members]
        if not subs:
            return
        states = await in_thread(access.user_states)(user_ids={sub.user_id for sub in subs})
        suspects = [
            sub for sub in subs if sub.user_id not in states or states[sub.user_id] != self.user_states.get(sub.user_id)
        ]
        self.user_states = states
        if suspects:
            for sub in await in_thread(access.revoked_subscriptions)(subscriptions=suspects):
                sub.revoke()
        bound = {sub.device_id for sub in subs if sub.device_id is not None}
        if bound:
            live = await in_thread(access.live_devices)(device_ids=bound)
            for sub in subs:
                if sub.device_id is not None and sub.device_id not in live:
                    sub.revoke()

    async def _listen(self) -> None:
        delay = 0.1
        while True:
            client = redis.asyncio.Redis.from_url(settings.REDIS_URL, decode_responses=True, health_check_interval=5)
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(settings.EVENTS_CHANNEL)
                    log.info("hub subscribed to Redis channel %s", settings.EVENTS_CHANNEL)
                    self.subscribed = True  # metrics/health
                    delay = 0.1
                    await self.poll_log()  # what was published while we were away
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self.inbox.put_nowait(message["data"])
            except (redis.RedisError, OSError) as exc:
                log.warning("hub lost Redis (%s); retrying in %.1fs", exc, delay)
                core_metrics.backend_error(exc)  # metrics
            finally:
                self.subscribed = False  # metrics/health
                await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


_hub: Hub | None = None


def local_hub() -> Hub | None:
    """This process's hub if one runs, for in-process delivery without Redis."""
    return _hub


def get_hub() -> Hub:
    """This process's hub, started on first use in the running event loop."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop)
    return _hub
