"""Helpers for the end-to-end tests: real clients of real server processes."""

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed

ORDERS = "/ws/cafe/orders/"
TABLES = "/ws/cafe/tables/"


def url(server, path: str, token: str | None = None, **params) -> str:
    query = {"token": token, **params} if token is not None else params
    return server.ws + path + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def receive(socket, timeout: float = 5) -> dict:
    return json.loads(socket.recv(timeout=timeout))


def close_code(socket, timeout: float = 5) -> int | None:
    """Reads until the server closes the socket; the close code it sent."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as closed:  # noqa: PT012 - read until the server closes
        while True:
            socket.recv(timeout=max(deadline - time.monotonic(), 0.01))
    return closed.value.rcvd.code if closed.value.rcvd else None
