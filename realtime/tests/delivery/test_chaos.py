"""End-to-end: real server processes, real WebSocket and HTTP clients, and the
event log as the truth. Clients keep dropping (clean close, TCP abort, resume on
a live socket) while writers create and end orders; at the end every client
holds exactly the committed events of its scope, in `seq` order, none twice."""

import asyncio
import contextlib
import http.client as http_client
import json
import random
import threading
import time
import urllib.error
import uuid
from collections import Counter

import pytest
import websockets
from websockets.asyncio.client import connect

from realtime.tests.delivery.conftest import ORDER_TYPES, TABLE_TYPES, Loop, event_key, expected_events, http, ws_url

# Real server processes: the delivery tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("delivery")]

EVENT_TYPES = ORDER_TYPES | TABLE_TYPES
NETWORK_ERRORS = (OSError, urllib.error.URLError, http_client.HTTPException, TimeoutError)
# Each client here reconnects with `since` about twice a second, far beyond what the
# replay limits allow an honest device (docs/security.md, "Sockets per tenant"): they
# are lifted, as this test is about exact delivery under churn.
CHURN = {"WEBSOCKET_REPLAYS_PER_USER": "100000", "WEBSOCKET_REPLAYS_PER_SOCKET": "100000"}


class ChaosClient:
    def __init__(self, name, stream, token, servers, rng, *, branch_id=None, scope_branch=None) -> None:
        self.name, self.stream, self.token = name, stream, token
        self.branch_id = branch_id  # what the client asks for (owner/admin)
        self.scope_branch = scope_branch  # what it must get: None is the whole company
        self.servers, self.rng = servers, rng
        self.start: int | None = None  # seq of the first connection_established
        self.received: list[tuple[int, str, str]] = []
        self.problems: list[object] = []
        self.modes: Counter = Counter()
        self.resume_mark: int | None = None
        self.replayed = False

    @property
    def last(self) -> int:
        return self.received[-1][0] if self.received else self.start

    async def connect(self):
        for _ in range(200):
            server = self.rng.choice(list(self.servers))
            since = None if self.start is None else self.last
            url = ws_url(server, self.stream, self.token, self.branch_id, since)
            ws = None
            try:
                ws = await connect(url, open_timeout=10, close_timeout=2, ping_interval=None, max_size=None)
                first = json.loads(await asyncio.wait_for(ws.recv(), 15))
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
                if ws is not None:
                    ws.transport.abort()
                await asyncio.sleep(0.1)
                continue
            if first.get("type") != "connection_established" or not isinstance(first.get("seq"), int):
                self.problems.append(("first frame", first))
            elif self.start is None:
                self.start = first["seq"]
            return ws
        raise AssertionError(f"{self.name}: could not connect to any server")

    def handle(self, text: str) -> None:
        message = json.loads(text)
        if message.get("type") not in EVENT_TYPES:
            self.problems.append(message)  # resync_required, error, a second connection_established...
            return
        key = event_key(message)
        mark = self.resume_mark
        if mark is not None and not self.replayed and len(self.received) > mark and key[0] == self.received[mark][0]:
            # After {"action": "resume"} on a live socket, the frames that were already on
            # their way come first; then the server starts over after `since`.
            del self.received[mark:]
            self.replayed = True
        self.received.append(key)

    async def read(self, ws, seconds: float) -> None:
        deadline = asyncio.get_running_loop().time() + seconds
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                text = await asyncio.wait_for(ws.recv(), remaining)
            except TimeoutError:
                return
            self.handle(text)

    async def churn(self, stop: threading.Event) -> None:
        while not stop.is_set():
            ws = await self.connect()
            mode = self.rng.choice(["close", "abort", "resume"])
            self.modes[mode] += 1
            try:
                await self.read(ws, self.rng.uniform(0.1, 0.8))
                if mode == "resume":
                    self.resume_mark, self.replayed = len(self.received), False
                    await ws.send(json.dumps({"action": "resume", "since": self.last}))
                    await self.read(ws, self.rng.uniform(0.1, 0.6))
            except websockets.exceptions.ConnectionClosed:
                self.modes["dropped by server"] += 1
            finally:
                self.resume_mark = None
            if mode == "abort":
                ws.transport.abort()  # no close frame: the TCP connection just goes
            else:
                with contextlib.suppress(OSError, websockets.exceptions.WebSocketException):
                    await ws.close()

    async def drain(self, upto: int | None, timeout: float = 60) -> None:
        """Reconnects with `since` and reads until the last expected event, then a
        little longer, so a late duplicate would show."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            ws = await self.connect()
            try:
                while upto is not None and self.last < upto and asyncio.get_running_loop().time() < deadline:
                    await self.read(ws, 1)
                await self.read(ws, 0.5)
                return
            except websockets.exceptions.ConnectionClosed:
                if asyncio.get_running_loop().time() > deadline:
                    return
            finally:
                await ws.close()


class Writers:
    """Waiters and the owner creating, extending and ending orders over HTTP, each
    in its own thread; a request that hits a dead server is retried elsewhere with
    the same Idempotency-Key."""

    def __init__(self, servers, rng_seed: int) -> None:
        self.servers = servers
        self.seed = rng_seed
        self.failures: list[object] = []
        self.requests = Counter()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def call(self, rng, token, path, body, expect):
        key = str(uuid.uuid4())
        for _ in range(100):
            server = rng.choice(list(self.servers))
            try:
                answer = http(server.http, "POST", path, token, body, key=key)
            except NETWORK_ERRORS:
                self.requests["retried"] += 1
                time.sleep(0.1)
                continue
            self.requests[answer.status] += 1
            if answer.status != expect:
                self.failures.append((path, body, answer.status, answer.body))
            return answer.body
        self.failures.append((path, body, "no server answered"))
        return None

    def work(self, n, token, tables, menu, iterations) -> None:
        rng = random.Random(self.seed + n)
        for _ in range(iterations):
            if self.stop.is_set():
                return
            table = rng.choice(tables)
            lines = [{"menu_item": rng.choice(menu), "quantity": rng.randint(1, 3)}]
            order = self.call(rng, token, "/api/cafe/orders/", {"table": table, "guests": 2, "items": lines}, 201)
            if not order:
                continue
            if rng.random() < 0.6:
                self.call(rng, token, f"/api/cafe/orders/{order['id']}/items/", {"items": lines}, 201)
            end = rng.choice(["close", "cancel"])
            self.call(rng, token, f"/api/cafe/orders/{order['id']}/{end}/", {}, 200)

    def start(self, jobs, iterations) -> None:
        for n, (token, tables) in enumerate(jobs):
            thread = threading.Thread(target=self.work, args=(n, token, tables, self.menu, iterations), daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(deadline - time.monotonic(), 0.1))
        assert not any(thread.is_alive() for thread in self.threads), "writers hung"


def wait_until(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


def chaos_clients(world, servers, rng) -> list[ChaosClient]:
    clients = []

    def add(name, stream, token, count, branch_id=None, scope_branch=None):
        for n in range(count):
            clients.append(ChaosClient(f"{name}/{stream}#{n}", stream, token, servers, rng,
                                       branch_id=branch_id, scope_branch=scope_branch))  # fmt: skip

    for b, branch in enumerate(world.branches):
        branch_id = str(branch.pk)
        (_, first), (_, second) = world.waiters[branch_id][:2]
        add(f"waiter{b}a", "orders", first, 3, scope_branch=branch_id)
        add(f"waiter{b}b", "orders", second, 1, scope_branch=branch_id)
        add(f"waiter{b}a", "tables", first, 1, scope_branch=branch_id)
        add(f"waiter{b}b", "tables", second, 1, scope_branch=branch_id)
        add(f"owner@{b}", "orders", world.owner_token, 1, branch_id=branch_id, scope_branch=branch_id)
        add(f"owner@{b}", "tables", world.owner_token, 1, branch_id=branch_id, scope_branch=branch_id)
    add("owner", "orders", world.owner_token, 4)
    add("owner", "tables", world.owner_token, 2)
    return clients


def writer_jobs(world):
    """A waiter per branch on their branch's tables, and the owner on all of them."""
    every_table = [str(t.pk) for tables in world.tables.values() for t in tables]
    jobs = [(world.waiters[str(b.pk)][1][1], [str(t.pk) for t in world.tables[str(b.pk)]]) for b in world.branches]
    return [*jobs, (world.owner_token, every_table)]


def assert_exact_delivery(world, clients) -> None:
    total = 0
    for client in clients:
        expected = expected_events(
            company_id=world.company.pk, stream=client.stream, branch_id=client.scope_branch, after=client.start
        )
        assert client.problems == [], f"{client.name}: unexpected frames {client.problems[:3]}"
        seqs = [seq for seq, _, _ in client.received]
        twice = [seq for seq, n in Counter(seqs).items() if n > 1]
        assert not twice, f"{client.name}: duplicates {twice}"
        missing = sorted({e[0] for e in expected} - set(seqs))
        extra = sorted(set(seqs) - {e[0] for e in expected})
        assert client.received == expected, f"{client.name}: missing {missing[:10]}, extra {extra[:10]}"
        total += len(expected)
    assert total > 0


def run_clients(loop, clients, stop):
    futures = [loop.submit(client.churn(stop)) for client in clients]
    wait_until(lambda: all(c.start is not None for c in clients) or any(f.done() for f in futures), 60,
               "clients did not connect")  # fmt: skip
    return futures


def finish(world, loop, clients, stop, futures) -> None:
    stop.set()
    for future in futures:
        future.result(60)
    targets = {}
    for client in clients:
        expected = expected_events(
            company_id=world.company.pk, stream=client.stream, branch_id=client.scope_branch, after=client.start
        )
        targets[client] = expected[-1][0] if expected else None

    async def drain_all():
        await asyncio.gather(*(client.drain(targets[client]) for client in clients))

    loop.run(drain_all(), 120)


def test_clients_dropping_and_resuming_get_every_event_once(start_server, make_world, channel, settings):
    world = make_world(branches=3, tables=3, waiters=2)
    servers = [start_server(name, EVENTS_CHANNEL=channel, **CHURN) for name in ("a", "b")]
    rng = random.Random(1)
    clients = chaos_clients(world, servers, rng)
    writers = Writers(servers, rng_seed=10)
    writers.menu = [str(item.pk) for item in world.menu]
    loop, stop = Loop(), threading.Event()
    try:
        futures = run_clients(loop, clients, stop)
        writers.start(writer_jobs(world), iterations=10)
        writers.join(timeout=180)
        finish(world, loop, clients, stop, futures)
    finally:
        stop.set()
        loop.close()
    assert writers.failures == []
    modes = sum((client.modes for client in clients), Counter())
    assert modes["close"], modes
    assert modes["abort"], modes
    assert modes["resume"], modes
    assert_exact_delivery(world, clients)


def test_kill_a_server_and_restart_redis_mid_run(start_server, make_world, own_redis, channel):
    world = make_world(branches=3, tables=3, waiters=2)
    env = {"REDIS_URL": own_redis.url, "EVENTS_CHANNEL": channel, **CHURN}
    a, b = start_server("a", **env), start_server("b", **env)
    live = [a, b]
    rng = random.Random(2)
    clients = chaos_clients(world, live, rng)
    writers = Writers(live, rng_seed=20)
    writers.menu = [str(item.pk) for item in world.menu]
    loop, stop = Loop(), threading.Event()
    try:
        futures = run_clients(loop, clients, stop)
        writers.start(writer_jobs(world), iterations=40)
        time.sleep(2)

        live.remove(a)
        a.kill()
        time.sleep(1)

        own_redis.stop()
        # Redis is down: orders are still taken and ended.
        table = str(world.tables[str(world.branches[0].pk)][0].pk)
        token = world.waiters[str(world.branches[0].pk)][0][1]
        item = {"menu_item": str(world.menu[0].pk), "quantity": 1}
        created = http(b.http, "POST", "/api/cafe/orders/", token, {"table": table, "guests": 1, "items": [item]})
        assert created.status == 201, created.body
        closed = http(b.http, "POST", f"/api/cafe/orders/{created.body['id']}/close/", token, {})
        assert closed.status == 200, closed.body
        time.sleep(1.5)

        own_redis.start()
        # b comes back to Redis by itself; then a starts again on its old port.
        # Each server listens to the company's channel while it holds one of its sockets.
        company_channel = f"{channel}:{{{world.company.pk}}}"
        wait_until(lambda: own_redis.subscribers(company_channel) == 1, 30, "server b did not resubscribe to Redis")
        a.start()
        live.append(a)
        wait_until(lambda: own_redis.subscribers(company_channel) == 2, 30, "restarted server a did not subscribe")
        time.sleep(2)
        writers.stop.set()
        writers.join(timeout=180)
        finish(world, loop, clients, stop, futures)
    finally:
        stop.set()
        writers.stop.set()
        loop.close()
    assert writers.failures == []
    assert writers.requests[201] > 10, writers.requests
    assert_exact_delivery(world, clients)
    assert "Traceback" not in a.log() + b.log()
