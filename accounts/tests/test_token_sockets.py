"""Sockets of revoked tokens close with 4003 within seconds; a socket opened with a
token issued after the revocation stays open."""

import pytest

from accounts.services import tokens_for
from accounts.tests.conftest import NEWER, login, post
from cafe.tests.factories import PASSWORD, UserFactory
from realtime.tests.consumers import conftest as consumers
from realtime.tests.consumers.conftest import ORDERS, db

# The socket tests' fixtures, shared with cafe/tests/consumers.
ws, memory, _stop_hub = consumers.ws, consumers.memory, consumers._stop_hub

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(ws, user, access: str):
    socket = await ws(ORDERS, access)
    assert (await socket.receive())["type"] == "connection_established"
    return socket


async def test_socket_of_revoked_tokens_closes_4003_and_new_token_socket_stays(ws, memory):
    waiter = await db(UserFactory)()
    colleague = await db(UserFactory)(branch=waiter.branch)
    old = await db(tokens_for)(waiter)
    revoked = await open_socket(ws, waiter, old["access"])
    stays = await open_socket(ws, colleague, (await db(tokens_for)(colleague))["access"])
    response = await db(post)("/api/users/logout/", {"refresh": old["refresh"], "all": True})
    assert response.status_code == 204
    fresh = await open_socket(ws, waiter, (await db(login)(waiter.email))["access"])
    assert await revoked.closed_with(timeout=3) == 4003
    await stays.ping()
    await fresh.ping()
    assert await fresh.nothing(2.5), "a socket opened with a token issued after the revocation stays"
    refused = await ws(ORDERS, old["access"])
    assert await refused.closed_with() == 4003


async def test_socket_closes_4003_after_a_password_change(ws, memory):
    waiter = await db(UserFactory)()
    pair = await db(tokens_for)(waiter)
    socket = await open_socket(ws, waiter, pair["access"])
    answer = await db(post)(
        "/api/users/me/password/", {"old_password": PASSWORD, "new_password": NEWER}, token=pair["access"]
    )
    assert answer.status_code == 200
    assert await socket.closed_with(timeout=3) == 4003
