"""Hostile input and abrupt ends: every kind answers an error frame or a documented
close code, and however a socket ends it leaves nothing in the hub."""

import asyncio
import json
import random
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator

from accounts.tenancy import tenant_for
from cafe.floor.services import table_create
from cafe.tests.factories import UserFactory
from config.asgi import application
from realtime import hub as hub_module
from realtime.consumers import MAX_SEQ, EventsConsumer, _since
from realtime.hub import Hub
from realtime.tests.consumers.conftest import ORDERS, TABLES, Socket, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)

INVALID_SINCE = {
    "type": "error",
    "code": "invalid_since",
    "message": "since должен быть целым числом от 0 до 9223372036854775807.",
}
SERVER_ERROR = {
    "type": "error",
    "code": "server_error",
    "message": "Ошибка сервера; переподключитесь с since, чтобы продолжить.",
}


def assert_hub_empty() -> None:
    hub = hub_module._hub
    assert hub is None or (not hub.routes and not hub.members), (dict(hub.routes), dict(hub.members))


def subscriptions() -> int:
    hub = hub_module._hub
    return 0 if hub is None else sum(len(subs) for subs in hub.routes.values())


async def raw_socket(query: bytes, path: str = ORDERS) -> tuple[WebsocketCommunicator, Socket]:
    """A socket whose query string is exactly these bytes."""
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["query_string"] = query  # read by the application once it runs
    return communicator, Socket(communicator)


@pytest.fixture
async def waiter():
    return await db(UserFactory)()


# Parsing `since`


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0), ("42", 42), ("007", 7), (str(MAX_SEQ), MAX_SEQ), (0, 0), (MAX_SEQ, MAX_SEQ),
        ("²", None), ("١٢", None), ("", None), ("-1", None), (" 1", None), ("1.5", None), ("1e3", None),
        (str(MAX_SEQ + 1), None), ("9" * 5000, None), (MAX_SEQ + 1, None), (-1, None), (1.0, None),
        (True, None), (None, None), ([1], None),
    ],
)  # fmt: skip
def test_since_accepts_only_ascii_digits_that_fit_a_bigint(value, expected):
    assert _since(value) == expected


@pytest.mark.parametrize(
    "since", [b"%C2%B2", b"\xc2\xb2", b"9" * 5000, b"9223372036854775808", b"-3", b"%FF%FE", b"\xff", b"1%00"]
)
async def test_a_bad_since_in_the_url_answers_an_error_frame_and_1008(waiter, since):
    communicator, socket = await raw_socket(b"token=" + access_token(waiter).encode() + b"&since=" + since)
    try:
        connected, _ = await communicator.connect(timeout=3)
        assert connected
        assert await socket.receive() == INVALID_SINCE
        assert await socket.closed_with() == 1008
        assert_hub_empty()
    finally:
        await communicator.disconnect()
    assert_hub_empty()


async def test_any_bytes_in_the_query_string_get_a_documented_answer(waiter):
    token = access_token(waiter).encode()
    rng = random.Random(9)
    for _ in range(40):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        key = rng.choice([b"since", b"branch_id", b"token", junk])
        query = rng.choice([b"token=" + token + b"&", b""]) + key + b"=" + junk + rng.choice([b"", b"&" + junk])
        communicator, socket = await raw_socket(query, rng.choice([ORDERS, TABLES]))
        try:
            connected, code = await communicator.connect(timeout=3)
            assert connected, code
            output = await communicator.receive_output(3)
            if output["type"] == "websocket.close":
                assert output["code"] in (4003, 4005), (query, output)
            else:
                frame = json.loads(output["text"])
                if frame["type"] == "error":
                    assert frame == INVALID_SINCE, query
                    assert await socket.closed_with() == 1008
                else:
                    assert frame["type"] == "connection_established", (query, frame)
        finally:
            await communicator.disconnect()
        assert_hub_empty()


# Bad frames: an error frame, the socket stays open, nothing leaks


@pytest.mark.parametrize("since", ['"²"', '"9223372036854775808"', str(MAX_SEQ + 1), '"' + "9" * 5000 + '"', "1e3"])
async def test_a_bad_since_in_resume_answers_an_error_frame(ws, waiter, since):
    socket = await ws(ORDERS, access_token(waiter))
    await socket.receive()
    await socket.send(f'{{"action": "resume", "since": {since}}}')
    assert await socket.receive() == INVALID_SINCE
    await socket.ping()
    assert subscriptions() == 1


@pytest.mark.parametrize(
    "text",
    [
        "[" * 30_000 + "]" * 30_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"action": "resume", "since": ' + "[" * 30_000,
    ],
)
async def test_deeply_nested_json_answers_an_error_frame(ws, waiter, text):
    socket = await ws(ORDERS, access_token(waiter))
    await socket.receive()
    await socket.send(text)
    assert await socket.receive() == {
        "type": "error",
        "code": "invalid_json",
        "message": "Слишком глубокая вложенность кадра.",
    }
    await socket.ping()
    assert subscriptions() == 1


async def test_a_huge_unknown_action_is_not_echoed_whole(ws, waiter):
    socket = await ws(ORDERS, access_token(waiter))
    await socket.receive()
    await socket.send(json.dumps({"action": "x" * 50_000}))
    error = await socket.receive()
    assert error["code"] == "unknown_action", error
    assert len(error["message"]) < 100, error


async def test_every_kind_of_bad_input_then_a_disconnect_leaves_nothing(waiter):
    communicator = WebsocketCommunicator(application, f"{ORDERS}?token={access_token(waiter)}")
    socket = Socket(communicator)
    assert (await communicator.connect(timeout=3))[0]
    await socket.receive()
    assert subscriptions() == 1
    for text in ["not json", "[" * 30_000, "42", '{"action": "dance"}', '{"action": "resume", "since": "²"}']:
        await socket.send(text)
        assert (await socket.receive())["type"] == "error"
    await communicator.send_to(bytes_data=b"\x00")
    assert (await socket.receive())["code"] == "invalid_frame"
    await communicator.disconnect(code=1006)
    assert_hub_empty()


# Abrupt ends


async def open_subscribed(waiter, path=ORDERS, token=None) -> tuple[WebsocketCommunicator, Socket]:
    communicator = WebsocketCommunicator(application, f"{path}?token={token or access_token(waiter)}")
    assert (await communicator.connect(timeout=3))[0]
    socket = Socket(communicator)
    assert (await socket.receive())["type"] == "connection_established"
    assert subscriptions() == 1
    return communicator, socket


async def test_the_client_going_away_leaves_nothing(waiter):
    communicator, _ = await open_subscribed(waiter)
    await communicator.send_input({"type": "websocket.disconnect", "code": 1006})
    await asyncio.wait_for(communicator.future, 3)
    assert_hub_empty()


async def test_the_consumer_task_cancelled_leaves_nothing(waiter):
    communicator, _ = await open_subscribed(waiter)
    communicator.future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await communicator.future
    assert_hub_empty()


async def test_an_error_in_a_handler_answers_an_error_frame_and_1011(waiter, monkeypatch):
    communicator, socket = await open_subscribed(waiter)

    async def broken(self, sub, since):
        raise RuntimeError("boom")

    monkeypatch.setattr(Hub, "resume", broken)
    await socket.send_json({"action": "resume", "since": 0})
    assert await socket.receive() == SERVER_ERROR
    assert await socket.closed_with() == 1011
    assert_hub_empty()
    await asyncio.wait_for(communicator.future, 3)  # the consumer ended
    assert_hub_empty()


async def test_an_error_in_connect_after_joining_the_hub_leaves_nothing(waiter, monkeypatch):
    def broken(self, latest):
        raise RuntimeError("boom")

    monkeypatch.setattr(EventsConsumer, "_greet", broken)
    communicator = WebsocketCommunicator(application, f"{ORDERS}?token={access_token(waiter)}")
    socket = Socket(communicator)
    assert (await communicator.connect(timeout=3))[0]
    assert await socket.receive() == SERVER_ERROR
    assert await socket.closed_with() == 1011
    await asyncio.wait_for(communicator.future, 3)
    assert_hub_empty()


async def test_server_side_closes_leave_nothing(waiter, settings):
    # Token expiry: 4003. Three seconds, so that a loaded machine still opens the
    # socket (and reads its greeting) before the token expires.
    communicator, socket = await open_subscribed(waiter, token=access_token(waiter, timedelta(seconds=3)))
    assert await socket.closed_with(timeout=8) == 4003
    assert_hub_empty()
    await communicator.disconnect()
    # An oversize frame: 1009.
    communicator, socket = await open_subscribed(waiter)
    await socket.send("x" * (settings.WEBSOCKET_MAX_FRAME + 1))
    assert await socket.closed_with() == 1009
    assert_hub_empty()
    await communicator.disconnect()
    assert_hub_empty()


@pytest.mark.parametrize("when", ["at once", "later"])
async def test_a_failed_write_leaves_nothing(waiter, settings, when):
    settings.REDIS_URL = ""
    communicator, _socket = await open_subscribed(waiter, path=TABLES)
    (consumer,) = hub_module._hub.members[str(waiter.company_id)]

    async def gone(message):
        if when == "later":
            await asyncio.sleep(0.01)
        raise OSError("connection reset")

    consumer.base_send = gone
    tenant = await db(tenant_for)(waiter)
    await db(table_create)(tenant=tenant, number=99, seats=2)
    for _ in range(50):
        if not subscriptions():
            break
        await asyncio.sleep(0.02)
    assert_hub_empty()
    await communicator.disconnect()
