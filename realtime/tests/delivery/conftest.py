"""Fixtures and real clients for the delivery tests: a world of staff with tokens, a
Redis of the test's own, HTTP through urllib, WebSockets through the `websockets`
library, and the truth to compare them with (the event log)."""

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import pytest
import redis
from django.db import connections

from accounts.models import Branch, Company
from accounts.services import tokens_for
from cafe.floor.models import Table
from cafe.menu.models import MenuItem
from cafe.tests.factories import BranchFactory, CompanyFactory, MenuItemFactory, TableFactory, owner_of, staff_of
from cafe.tests.servers import free_port
from realtime.models import Event
from realtime.tests.delivery.netns import hosts  # noqa: F401 (a fixture of the multi-host test)

ORDER_TYPES = {"order_created", "order_updated", "order_closed", "order_cancelled", "table_status_changed"}
TABLE_TYPES = {"table_status_changed", "table_created", "table_updated", "table_deleted"}
TYPES = {"orders": ORDER_TYPES, "tables": TABLE_TYPES}


@dataclass(frozen=True)
class Answer:
    status: int
    body: object
    headers: dict = field(default_factory=dict)


def http(base: str, method: str, path: str, token: str, body=None, key: str | None = None, timeout=15) -> Answer:
    """One request; connection errors propagate (the caller decides about retries)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read(), error.code, dict(error.headers)
    return Answer(status, json.loads(raw) if raw else None, headers)


def expected_events(*, company_id, stream: str, branch_id=None, after: int = 0) -> list[tuple[int, str, str]]:
    """(seq, event_id, type) of every logged event a socket of this scope must get
    after ``after``, worked out from the types, not from the hub's routing."""
    rows = Event.objects.filter(company=company_id, seq__gt=after, type__in=TYPES[stream]).order_by("seq")
    if branch_id is not None:
        rows = rows.filter(branch_id=branch_id)
    return [(row.seq, str(row.id), row.type) for row in rows]


def event_key(message: dict) -> tuple[int, str, str]:
    """Checks the delivery fields every event carries; returns (seq, event_id, type)."""
    assert set(message) >= {"type", "data", "event_id", "seq", "ts"}, message
    assert isinstance(message["seq"], int), message
    assert not isinstance(message["seq"], bool), message
    uuid.UUID(message["event_id"])
    assert isinstance(message["data"], dict), message
    assert isinstance(message["ts"], str), message
    return message["seq"], message["event_id"], message["type"]


def ws_url(server, stream: str, token: str, branch_id=None, since: int | None = None) -> str:
    url = f"{server.ws}/ws/cafe/{stream}/?token={token}"
    if branch_id is not None:
        url += f"&branch_id={branch_id}"
    if since is not None:
        url += f"&since={since}"
    return url


class Loop:
    """An asyncio loop in a thread of its own, so the test body stays synchronous
    (ORM, factories, killing processes) while clients run."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ws-clients", daemon=True)
        self.thread.start()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro, timeout: float):
        return self.submit(coro).result(timeout)

    def close(self) -> None:
        async def cancel_all():
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all(), 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def in_thread(func, *args, **kwargs) -> threading.Thread:
    """Starts ``func`` in a thread that closes its database connections when done."""

    def run():
        try:
            func(*args, **kwargs)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# Synchronous sockets (websockets.sync) for the step-by-step tests


def open_socket(url: str):
    from websockets.sync.client import connect

    return connect(url, open_timeout=10, close_timeout=2, max_size=None)


def recv(ws, timeout: float = 10) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def recv_events(ws, count: int, timeout: float = 15) -> list[tuple[int, str, str]]:
    """The next ``count`` frames, each of which must be an event."""
    return [event_key(recv(ws, timeout)) for _ in range(count)]


def assert_quiet(ws, seconds: float = 1.0) -> None:
    """Nothing more arrives (a duplicate or a stray frame would)."""
    try:
        frame = ws.recv(timeout=seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected frame: {frame}")


class Reader:
    """Reads a socket in a thread until ``finish(upto)`` has been called and the
    event ``upto`` (or nothing, if None) has arrived, then half a second more."""

    def __init__(self, url: str) -> None:
        self.ws = open_socket(url).__enter__()
        self.frames: list[dict] = []
        self.upto: int | None = None
        self.finishing = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import time

        deadline = None
        while True:
            if self.finishing.is_set() and deadline is None:
                deadline = time.monotonic() + 30
            seqs = [frame.get("seq") for frame in self.frames if "event_id" in frame]
            if deadline is not None and (self.upto is None or (seqs and seqs[-1] >= self.upto)):
                deadline = min(deadline, time.monotonic() + 0.5)
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                self.frames.append(json.loads(self.ws.recv(timeout=0.1)))
            except TimeoutError:
                continue
        self.ws.close()

    def finish(self, upto: int | None, timeout: float = 45) -> list[dict]:
        self.upto = upto
        self.finishing.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "reader hung"
        return self.frames


@dataclass
class World:
    """A company with branches, tables, a menu and staff, with their access tokens."""

    company: Company
    branches: list[Branch]
    tables: dict[str, list[Table]]  # by branch id
    menu: list[MenuItem]
    owner: object
    owner_token: str
    waiters: dict[str, list] = field(default_factory=dict)  # branch id -> [(user, token)]


@pytest.fixture
def make_world():
    def make(branches: int = 2, tables: int = 3, waiters: int = 2) -> World:
        company = CompanyFactory()
        branch_list = [BranchFactory(company=company) for _ in range(branches)]
        owner = owner_of(company)
        menu = [MenuItemFactory(category__company=company, title=f"Dish {n}") for n in range(2)]
        world = World(
            company=company,
            branches=branch_list,
            tables={str(b.pk): [TableFactory(branch=b, number=n + 1) for n in range(tables)] for b in branch_list},
            menu=menu,
            owner=owner,
            owner_token=tokens_for(owner)["access"],
        )
        for branch in branch_list:
            staff = [staff_of(branch) for _ in range(waiters)]
            world.waiters[str(branch.pk)] = [(user, tokens_for(user)["access"]) for user in staff]
        return world

    return make


class OwnRedis:
    """A redis-server of the test's own, on a port of its own, so it may be stopped."""

    def __init__(self, directory) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """kill -9: every connection drops at once."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def subscribers(self, channel: str) -> int:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).pubsub_numsub(channel)[0][1]


@pytest.fixture
def own_redis(services, tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but there is no redis-server binary")
        pytest.skip("needs a redis-server binary to start and stop its own Redis")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def channel():
    """An events channel of the test's own: no cross-talk with other test runs on a shared Redis."""
    return f"cafe.events.test.{uuid.uuid4().hex}"
