"""What clients send: ping, bad frames (an error frame, the socket stays open),
oversize frames (1009), and the browser Origin check."""

import json

import pytest
from django.conf import settings

from cafe.tests.factories import UserFactory
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def socket(ws):
    waiter = await db(UserFactory)()
    opened = await ws(ORDERS, access_token(waiter))
    assert (await opened.receive())["type"] == "connection_established"
    return opened


async def error_for(socket, text: str) -> dict:
    await socket.send(text)
    error = await socket.receive()
    assert set(error) == {"type", "code", "message"}, error
    assert error["type"] == "error", error
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_ping_pong_as_the_seed_shows(ws, path):
    waiter = await db(UserFactory)()
    socket = await ws(path, access_token(waiter))
    await socket.receive()
    await socket.send('{"action": "ping"}')
    assert await socket.receive_text() in ('{"type": "pong"}', '{"type":"pong"}')
    await socket.ping()


@pytest.mark.parametrize("text", ["not json", "{", '{"action": "ping"', "\ufeff{}"])
async def test_not_json_gets_an_error_and_the_socket_stays_open(socket, text):
    assert (await error_for(socket, text))["code"] == "invalid_json"
    await socket.ping()


@pytest.mark.parametrize("text", ['["ping"]', '"ping"', "42", "null", "true"])
async def test_not_an_object_gets_an_error_and_the_socket_stays_open(socket, text):
    assert (await error_for(socket, text))["code"] == "invalid_message"
    await socket.ping()


@pytest.mark.parametrize("message", [{"action": "dance"}, {}, {"type": "ping"}, {"action": ["ping"]}])
async def test_unknown_action_gets_an_error_and_the_socket_stays_open(socket, message):
    assert (await error_for(socket, json.dumps(message)))["code"] == "unknown_action"
    await socket.ping()


async def test_binary_frame_gets_an_error_and_the_socket_stays_open(socket):
    await socket.communicator.send_to(bytes_data=b'{"action": "ping"}')
    error = await socket.receive()
    assert error["type"] == "error"
    assert error["code"] == "invalid_frame"
    await socket.ping()


async def test_frame_at_the_limit_is_read(socket):
    frame = json.dumps({"action": "ping", "pad": ""})
    frame = json.dumps({"action": "ping", "pad": "x" * (settings.WEBSOCKET_MAX_FRAME - len(frame))})
    assert len(frame.encode()) == settings.WEBSOCKET_MAX_FRAME
    await socket.send(frame)
    assert await socket.receive() == {"type": "pong"}


async def test_oversize_frame_closes_1009(socket):
    await socket.send("x" * (settings.WEBSOCKET_MAX_FRAME + 1))
    assert await socket.closed_with() == 1009


async def test_oversize_frame_limit_follows_the_setting(socket, settings):
    settings.WEBSOCKET_MAX_FRAME = 100
    await socket.send(json.dumps({"action": "ping", "pad": "x" * 100}))
    assert await socket.closed_with() == 1009


# Origin: browsers must come from an allowed origin; other clients send none.


@pytest.mark.parametrize("origin", [b"http://localhost:3000", b"http://127.0.0.1:8000", b"http://localhost"])
async def test_allowed_browser_origin_is_let_in(ws, origin):
    waiter = await db(UserFactory)()
    socket = await ws(ORDERS, access_token(waiter), headers=[(b"origin", origin)])
    assert (await socket.receive())["type"] == "connection_established"


@pytest.mark.parametrize("origin", [b"https://evil.example", b"http://localhost.evil.example", b"null"])
@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_foreign_browser_origin_is_refused_before_accept(ws, origin, path):
    waiter = await db(UserFactory)()
    code = await ws(path, access_token(waiter), accepted=False, headers=[(b"origin", origin)])
    assert code == 1000, "refused before accept: a client sees an HTTP 403, not a close code"


async def test_client_without_origin_is_let_in(ws):
    waiter = await db(UserFactory)()
    socket = await ws(TABLES, access_token(waiter), headers=[(b"user-agent", b"PostmanRuntime/7.39.0")])
    assert (await socket.receive())["type"] == "connection_established"
