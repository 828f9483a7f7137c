"""The Redis side of live delivery: the channel that carries a company's events, and a
process's subscriptions to the channels of the companies it holds sockets of.

Each company has its own channel, ``<EVENTS_CHANNEL>:{<company id>}``. The braces are
a hash tag: on a Redis Cluster the company id alone picks the channel's slot (and the
slot of the company's socket counts, ``admission``), so all of a company's traffic
goes to one shard. On one Redis server the hub uses SUBSCRIBE (and publishers
PUBLISH); on a cluster SSUBSCRIBE and SPUBLISH, sharded pub/sub: a message stays on
the shard that owns its slot instead of being copied to every node.

A process subscribes to a company when its first socket of that company joins and
unsubscribes when the last one leaves (``Subscriber.want`` / ``drop``). Whatever is
published while a process is not (yet, or no longer) subscribed is in the event log,
which the hub reads to fill any gap (``realtime/hub.py``): Redis stays a fast path.
"""

import asyncio
import bisect
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.connection import parse_url
from redis.crc import key_slot

from core import redisclient

log = logging.getLogger(__name__)

# A subscriber pings each shard this often; a shard silent for READ_TIMEOUT is gone.
PING_SECONDS = 5.0
READ_TIMEOUT = 3 * PING_SECONDS
# The longest a socket joining waits for its company's subscription to be confirmed.
JOIN_WAIT = 2.0
# Channels per SUBSCRIBE command on one server.
BATCH = 1000


def channel(company_id: str) -> str:
    """The channel of a company's events."""
    return f"{settings.EVENTS_CHANNEL}:{{{company_id}}}"


def company_of(name: str) -> str:
    return name[name.rindex("{") + 1 : -1]


class Resharded(Exception):
    """A shard gave up a channel this process did not leave: its slot moved."""


class _Link:
    """One connection to one server (a shard's master), reading what it pushes."""

    def __init__(self, address: tuple[str, int], options: dict[str, Any]) -> None:
        self.address = address
        host, port = address
        self.connection = redis.asyncio.Connection(
            host=host,
            port=port,
            **options,
            socket_timeout=READ_TIMEOUT,
            socket_connect_timeout=2,
            decode_responses=True,
            # RESP2: what a subscribed connection is sent comes back from read_response
            # as [kind, channel, data] (RESP3 would route it to a push handler).
            protocol=2,
        )

    async def send(self, commands: list[tuple[Any, ...]]) -> None:
        if commands:
            packed = self.connection.pack_commands(commands)
            await self.connection.send_packed_command(packed, check_health=False)


class Subscriber:
    """Keeps this process subscribed to the channels of the companies in ``wanted``,
    hands every message to ``receive``, and calls ``resync`` each time it (re)connects
    (the hub then reads the log: what was published while it was away is there)."""

    def __init__(self, *, receive: Callable[[str], None], resync: Callable[[], None]) -> None:
        self.receive = receive
        self.resync = resync
        self.cluster = redisclient.is_cluster()
        url = settings.REDIS_URL
        if self.cluster:
            self.seeds = redisclient.cluster_nodes(url)
            self.options = redisclient.credentials(url)
        else:
            options: dict[str, Any] = dict(parse_url(url))
            self.seeds = [(options.pop("host", "localhost"), int(options.pop("port", 6379)))]
            options.pop("db", None)
            self.options = options
        self.wanted: set[str] = set()
        # Companies whose subscription was sent (with the link), confirmed, being left.
        self.sent: dict[str, _Link] = {}
        self.confirmed: set[str] = set()
        self.leaving: set[str] = set()
        self.waiters: dict[str, asyncio.Future[None]] = {}
        # The companies wanted or dropped since the last (un)subscriptions were sent.
        self.dirty: set[str] = set()
        self.changed = asyncio.Event()
        # "starting" until the first connection succeeds or fails; then "up" or "down".
        self.state = "starting"

    # What the hub asks

    def want(self, company: str) -> None:
        self.wanted.add(company)
        self.dirty.add(company)
        self.changed.set()

    def drop(self, company: str) -> None:
        self.wanted.discard(company)
        self.dirty.add(company)
        self.changed.set()

    async def ready(self, company: str) -> None:
        """Returns once Redis has confirmed the company's subscription: then every event
        published after it reaches this process. Waits at most ``JOIN_WAIT``, and not at
        all while Redis is unreachable (the hub's log poll delivers meanwhile)."""
        if company in self.confirmed or self.state == "down":
            return
        waiter = self.waiters.get(company)
        if waiter is None:
            waiter = self.waiters[company] = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(waiter), JOIN_WAIT)
        except TimeoutError:
            log.warning("Redis did not confirm the subscription to %s in %.1fs", channel(company), JOIN_WAIT)

    # The connection

    async def run(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._session()
            except Exception as exc:
                if isinstance(exc, (*redisclient.ERRORS, Resharded)):
                    log.warning("hub lost Redis (%s); retrying in %.1fs", exc, delay)
                else:
                    log.exception("hub's Redis subscriber failed; retrying in %.1fs", delay)
            finally:
                self._lost()
            if self.state == "up":
                delay = 0.1
            self.state = "down"
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _lost(self) -> None:
        self.dirty = set(self.wanted)  # all of them again on the next connection
        self.sent.clear()
        self.confirmed.clear()
        self.leaving.clear()
        for waiter in self.waiters.values():
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()

    async def _session(self) -> None:
        ranges = await self._slots() if self.cluster else []
        addresses = sorted({(host, port) for _, _, host, port in ranges}) if self.cluster else self.seeds
        links = {address: _Link(address, self.options) for address in addresses}
        try:
            for link in links.values():
                await link.connection.connect()
            starts = [start for start, _, _, _ in ranges]

            def link_of(company: str) -> _Link:
                if not self.cluster:
                    return links[addresses[0]]
                slot = key_slot(channel(company).encode())
                start, end, host, port = ranges[bisect.bisect_right(starts, slot) - 1]
                if not start <= slot <= end:
                    raise Resharded(f"slot {slot} is served by no shard")
                return links[(host, port)]

            loop = asyncio.get_running_loop()
            tasks = [loop.create_task(self._read(link)) for link in links.values()]
            tasks.append(loop.create_task(self._keep(links, link_of)))
            self.state = "up"
            log.info("hub connected to Redis (%d shard(s))", len(links))
            self.resync()
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()  # its error ends the session
            finally:
                for task in tasks:
                    task.cancel()
        finally:
            for link in links.values():
                await link.connection.disconnect(nowait=True)

    async def _slots(self) -> list[tuple[int, int, str, int]]:
        """The cluster's slot ranges and the master serving each, from the first seed
        that answers (the masters found are tried first next time)."""
        failure: Exception | None = None
        for host, port in self.seeds:
            connection = redis.asyncio.Connection(
                host=host,
                port=port,
                **self.options,
                socket_timeout=2,
                socket_connect_timeout=2,
                decode_responses=True,
                protocol=2,
            )
            try:
                await connection.connect()
                await connection.send_command("CLUSTER", "SLOTS")
                answer = await connection.read_response()
            except (redis.RedisError, OSError) as exc:
                failure = exc
                continue
            finally:
                await connection.disconnect(nowait=True)
            ranges = sorted(
                (int(start), int(end), master[0] or host, int(master[1])) for start, end, master, *_ in answer
            )
            found = [(h, p) for _, _, h, p in ranges]
            self.seeds = list(dict.fromkeys(found + self.seeds))
            return ranges
        raise redis.ConnectionError(f"no Redis Cluster node answered: {failure}")

    async def _keep(self, links: dict[tuple[str, int], _Link], link_of: Callable[[str], _Link]) -> None:
        """Sends the (un)subscriptions ``wanted`` calls for, and pings every shard."""
        join, leave = ("SSUBSCRIBE", "SUNSUBSCRIBE") if self.cluster else ("SUBSCRIBE", "UNSUBSCRIBE")
        while True:
            self.changed.clear()
            commands: defaultdict[_Link, list[tuple[Any, ...]]] = defaultdict(list)
            joining: defaultdict[_Link, list[str]] = defaultdict(list)
            leaving: defaultdict[_Link, list[str]] = defaultdict(list)
            dirty, self.dirty = self.dirty, set()
            for company in dirty:
                if company in self.wanted and company not in self.sent:
                    link = link_of(company)
                    self.sent[company] = link
                    joining[link].append(channel(company))
                elif company not in self.wanted and company in self.sent:
                    link = self.sent.pop(company)
                    self.leaving.add(company)
                    self.confirmed.discard(company)
                    leaving[link].append(channel(company))
            for link, names in joining.items():
                # SSUBSCRIBE takes channels of one slot only: one command per channel.
                step = 1 if self.cluster else BATCH
                commands[link] += [(join, *names[i : i + step]) for i in range(0, len(names), step)]
            for link, names in leaving.items():
                step = 1 if self.cluster else BATCH
                commands[link] += [(leave, *names[i : i + step]) for i in range(0, len(names), step)]
            for link, batch in commands.items():
                await link.send(batch)
            try:
                await asyncio.wait_for(self.changed.wait(), PING_SECONDS)
            except TimeoutError:
                for link in links.values():
                    await link.send([("PING",)])

    async def _read(self, link: _Link) -> None:
        receive = self.receive
        while True:
            message = await link.connection.read_response()
            if not isinstance(message, list):
                continue  # PONG while subscribed to nothing
            kind = message[0]
            if kind == "message" or kind == "smessage":
                receive(message[2])
            elif kind == "subscribe" or kind == "ssubscribe":
                company = company_of(message[1])
                if self.sent.get(company) is link:
                    self.confirmed.add(company)
                    waiter = self.waiters.pop(company, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
            elif kind == "unsubscribe" or kind == "sunsubscribe":
                company = company_of(message[1])
                if company in self.leaving:
                    self.leaving.discard(company)
                elif self.sent.get(company) is link:
                    raise Resharded(f"{link.address} gave up {message[1]}")
