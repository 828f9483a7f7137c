"""uvicorn's HTTP protocol with the two guards it lacks against silent clients.

uvicorn 0.54 times out only idle keep-alive connections: a connection that sends
part of a request head (or nothing) holds a file descriptor forever, and its
``limit_concurrency`` counts such connections without ever closing one, nor does
it apply to WebSocket upgrades. So here:

* **Head deadline**: a request head must be complete within ``header_timeout``
  seconds of the connection opening or of the previous response (keep-alive), and
  a WebSocket must be accepted by that same deadline; otherwise the connection is
  closed (408 if part of a head came, 503 for an unaccepted WebSocket).
* **Connection cap**: at most ``max_connections`` connections per process. A new
  one beyond it closes the connection that has waited longest for its request
  head (silent clients go first, and descriptors stay bounded); if every
  connection is busy (a request in progress or an open WebSocket), the new request
  or WebSocket upgrade is answered 503 with ``Retry-After``.

Passed to uvicorn as ``http=functools.partial(GuardedHttpToolsProtocol, ...)``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

BUSY_BODY = b'{"detail": "The server is at its connection limit; try again shortly."}'
BUSY_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BUSY_BODY)).encode()),
    (b"retry-after", b"1"),
    (b"connection", b"close"),
]
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    + b"".join(name + b": " + value + b"\r\n" for name, value in BUSY_HEADERS)
    + b"\r\n"
    + BUSY_BODY
)
TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


async def busy(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 503, "headers": BUSY_HEADERS})
    await send({"type": "http.response.body", "body": BUSY_BODY})


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, header_timeout: float, max_connections: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.head_deadline = 0.0
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_begun = False
        # Per server: the connections waiting for a request head, oldest first (a dict
        # keeps insertion order), and those closed to make room but not yet gone.
        state = self.server_state
        if not hasattr(state, "waiting_for_head"):
            state.waiting_for_head, state.evicted = {}, set()  # type: ignore[attr-defined]
        self.waiting: dict[GuardedHttpToolsProtocol, None] = state.waiting_for_head  # type: ignore[attr-defined]
        self.evicted: set[GuardedHttpToolsProtocol] = state.evicted  # type: ignore[attr-defined]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if self.max_connections is not None and self._open() >= self.max_connections and self.waiting:
            oldest = next(iter(self.waiting))
            self.evicted.add(oldest)
            oldest.head_expired()
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        self.evicted.discard(self)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        self.head_begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._head_done()
        upgrade = self.parser.should_upgrade() and self._should_upgrade()  # handle_websocket_upgrade decides
        if upgrade or not self._over_capacity():
            return super().on_headers_complete()
        app, self.app = self.app, busy
        try:
            super().on_headers_complete()
        finally:
            self.app = app
        self.logger.warning("Connection limit (%s) reached: answered 503.", self.max_connections)

    def on_response_complete(self) -> None:
        idle = not self.pipeline  # else the next request's head is already here
        super().on_response_complete()
        if idle and not self.transport.is_closing():
            self._await_head()

    def handle_websocket_upgrade(self) -> None:
        if self._over_capacity():
            self.logger.warning("Connection limit (%s) reached: WebSocket answered 503.", self.max_connections)
            self.transport.write(BUSY_RESPONSE)
            self.transport.close()
            return
        super().handle_websocket_upgrade()
        websocket = self.transport.get_protocol()
        delay = max(self.head_deadline - self.loop.time(), 0)
        self.loop.call_later(delay, self._handshake_expired, websocket)

    # The head deadline

    def _await_head(self) -> None:
        self.head_begun = False
        self.head_deadline = self.loop.time() + self.header_timeout
        self.head_timer = self.loop.call_at(self.head_deadline, self.head_expired)
        self.waiting[self] = None

    def _head_done(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        self.waiting.pop(self, None)

    def head_expired(self) -> None:
        """Closes a connection still waiting for its request head (its deadline
        passed, or a new connection needs its place)."""
        self._head_done()
        if not self.transport.is_closing():
            if self.head_begun:
                self.transport.write(TIMEOUT_RESPONSE)
            self.transport.close()

    def _handshake_expired(self, websocket: Any) -> None:
        if not getattr(websocket, "handshake_complete", True) and not self.transport.is_closing():
            self.logger.warning("WebSocket not accepted within %s s: answered 503.", self.header_timeout)
            self.transport.write(BUSY_RESPONSE)
            self.transport.close()

    def _open(self) -> int:
        return len(self.connections) - len(self.evicted)

    def _over_capacity(self) -> bool:
        return self.max_connections is not None and self._open() > self.max_connections
