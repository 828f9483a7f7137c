"""Helpers for consumer tests: sockets on the real ASGI application, opened through
a fixture that always disconnects them, and the two live transports."""

import asyncio
import json
import uuid
from collections import deque
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role
from accounts.services import tokens_for
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, owner_of, staff_of
from config.asgi import application
from realtime.consumers import EventsConsumer

ORDERS = "/ws/cafe/orders/"
TABLES = "/ws/cafe/tables/"

# Long enough that a test passing proves the live transport, not the log poll, delivered.
SLOW_POLL = 30.0

db = database_sync_to_async


def access_token(user, lifetime: timedelta | None = None) -> str:
    if lifetime is None:
        return tokens_for(user)["access"]
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=lifetime)
    return str(token)


class Socket:
    """A `WebsocketCommunicator` with the reads these tests need."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def send_json(self, message: object) -> None:
        await self.communicator.send_to(text_data=json.dumps(message))

    async def receive_text(self, timeout: float = 3) -> str:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.send", output
        return output["text"]

    async def receive(self, timeout: float = 3) -> dict:
        return json.loads(await self.receive_text(timeout))

    async def receive_many(self, count: int, timeout: float = 3) -> list[dict]:
        return [await self.receive(timeout) for _ in range(count)]

    async def closed_with(self, timeout: float = 3) -> int | None:
        """The close code of the next output, which must be the close itself."""
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        return output.get("code")

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def ping(self) -> None:
        """Proves the socket is open and answering."""
        await self.send_json({"action": "ping"})
        assert await self.receive() == {"type": "pong"}


@pytest.fixture
async def ws():
    """Opens sockets: ``await ws(ORDERS, token, branch_id=..., headers=...)`` returns an
    accepted ``Socket`` (its first frame not yet read); all are disconnected after the test."""
    opened: list[WebsocketCommunicator] = []

    async def open_socket(path: str, token: str | None = None, *, accepted: bool = True, headers=None, **params):
        query = {"token": token, **params} if token is not None else params
        url = path + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")
        communicator = WebsocketCommunicator(application, url, headers=headers or [])
        opened.append(communicator)
        connected, code = await communicator.connect(timeout=3)
        assert connected is accepted, code
        return Socket(communicator) if connected else code

    yield open_socket
    for communicator in opened:
        await communicator.disconnect(timeout=3)


@pytest.fixture(params=["memory", "redis"])
def transport(request, settings):
    """Runs a test on each live transport: in-process (no REDIS_URL) and Redis pub/sub
    (needs the services; on its own channel so parallel runs cannot interfere).
    The log poll is slowed so that only the transport can deliver in time.
    Returns an awaitable that resolves once this process's hub is listening."""
    settings.HUB_POLL_SECONDS = SLOW_POLL
    if request.param == "memory":
        settings.REDIS_URL = ""

        async def ready() -> None:
            return None

        yield ready
        return
    request.getfixturevalue("services")
    settings.EVENTS_CHANNEL = f"cafe.test.{uuid.uuid4()}"

    async def subscribed() -> None:
        # Each socket's join waits for its company's channel; this waits for the link.
        from realtime.hub import get_hub

        hub = get_hub()
        for _ in range(100):
            if hub.bus is not None and hub.bus.state == "up" and hub.bus.confirmed >= set(hub.members):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the hub never connected to Redis")

    yield subscribed


@pytest.fixture
def memory(settings):
    """In-process fan-out with a fast log poll, for the tests that watch the poll."""
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 0.1


def company_wide(company, role=Role.OWNER):
    from cafe.tests.factories import UserFactory

    return UserFactory(role=role, branch=None, company=company)


@pytest.fixture(autouse=True)
async def _stop_hub():
    """Stops this test's hub (its Redis listener, log poll and delivery) inside the
    test's loop. A task cancelled while it waits for a thread (asgiref's
    ``sync_to_async``) can lose the cancellation and go on to a Redis read that
    never ends, which would hang the loop's teardown: so cancel until it stops."""
    yield
    from realtime import hub

    current = hub._hub
    if current is None or current.loop is not asyncio.get_running_loop():
        return
    pending = set(current.tasks)
    for _ in range(50):
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
        if not pending:
            return
    for task in pending:
        task.print_stack()
    raise AssertionError(f"the hub did not stop: {pending}")


class SlowTransport:
    """An ASGI send that blocks while `writable` is clear, like uvicorn's on a full buffer."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[str] = []

    async def send(self, message: dict) -> None:
        await self.writable.wait()
        self.sent.append(message["text"])


def consumer_on(transport: SlowTransport) -> EventsConsumer:
    consumer = EventsConsumer()
    consumer.stream = "orders"
    consumer.base_send = transport.send
    consumer.outbox = deque()
    consumer.writer = None
    consumer.subscribed = False
    return consumer


def make_world() -> SimpleNamespace:
    """A company with two branches, their staff and tables, and a stranger company."""
    branch = BranchFactory()
    company = branch.company
    other_branch = BranchFactory(company=company)
    stranger_branch = BranchFactory()
    return SimpleNamespace(
        company=company,
        branch=branch,
        other_branch=other_branch,
        waiter=staff_of(branch),
        manager=staff_of(branch, Role.MANAGER),
        other_waiter=staff_of(other_branch),
        owner=owner_of(company),
        stranger=owner_of(stranger_branch.company),
        stranger_table=TableFactory(branch=stranger_branch, number=7),
        table=TableFactory(branch=branch, number=7),
        other_table=TableFactory(branch=other_branch, number=7),
        dish=MenuItemFactory(category__company=company, title="Борщ"),
    )


def checked(event: dict) -> dict:
    """The event without its delivery fields, after checking their types."""
    assert set(event) == {"type", "data", "event_id", "seq", "ts"}, event
    uuid.UUID(event["event_id"])
    assert isinstance(event["seq"], int)
    assert datetime.fromisoformat(event["ts"]).tzinfo is not None
    return {"type": event["type"], "data": event["data"]}


def order_event(type: str, order: dict, w: SimpleNamespace, branch=None) -> dict:
    branch_id = str((branch or w.branch).pk)
    return {"type": type, "data": {"order": order, "company_id": str(w.company.pk), "branch_id": branch_id}}


async def listen(ws, path: str, user, **params):
    """An accepted socket past its greeting, and the seq it greeted with."""
    socket = await ws(path, access_token(user), **params)
    greeting = await socket.receive()
    assert greeting["type"] == "connection_established"
    return socket, greeting["seq"]
