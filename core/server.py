"""uvicorn's HTTP protocol with the guards it lacks against silent and slow clients.

uvicorn 0.54 times out only idle keep-alive connections: a connection that sends
part of a request head (or nothing), or a body a byte at a time, holds a file
descriptor forever, and its
``limit_concurrency`` counts such connections without ever closing one, nor does
it apply to WebSocket upgrades. So here:

* **Head deadline**: a request head must be complete within ``header_timeout``
  seconds of the connection opening or of the previous response (keep-alive), and
  a WebSocket must be accepted by that same deadline; otherwise the connection is
  closed (408 if part of a head came, 503 for an unaccepted WebSocket).
* **Body deadline**: a request body must be complete within ``body_timeout``
  seconds of its head; otherwise the request is answered 408 and the connection
  closed (the application sees the client disconnect).
* **Connection cap**: at most ``max_connections`` connections per process. A new
  one beyond it closes the connection that has waited longest for the client —
  for its request head or for the rest of its body (silent and dribbling clients
  go first, and descriptors stay bounded); if every connection is busy (a request
  being answered or an open WebSocket), the new request or WebSocket upgrade is
  answered 503 with ``Retry-After``.

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
    def __init__(
        self, *args: Any, header_timeout: float, body_timeout: float, max_connections: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.max_connections = max_connections
        self.head_deadline = 0.0
        self.body_deadline: float | None = None  # while a request's body is arriving
        self.client_timer: asyncio.TimerHandle | None = None
        self.head_begun = False
        # Per server: the connections waiting for their client (a request head or the
        # rest of a body), oldest first (a dict keeps insertion order), and those
        # closed to make room but not yet gone.
        state = self.server_state
        if not hasattr(state, "waiting_for_client"):
            state.waiting_for_client, state.evicted = {}, set()  # type: ignore[attr-defined]
        self.waiting: dict[GuardedHttpToolsProtocol, None] = state.waiting_for_client  # type: ignore[attr-defined]
        self.evicted: set[GuardedHttpToolsProtocol] = state.evicted  # type: ignore[attr-defined]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if self.max_connections is not None and self._open() >= self.max_connections and self.waiting:
            oldest = next(iter(self.waiting))
            self.evicted.add(oldest)
            oldest.client_expired()
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._client_done()
        self.evicted.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Armed only for a body still incomplete after what has come: most bodies
        # arrive with their head and never cost a timer.
        if self.body_deadline is not None and self.client_timer is None and not self.transport.is_closing():
            self._await_client(self.body_deadline)

    def on_message_begin(self) -> None:
        self.head_begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._client_done()
        upgrade = self.parser.should_upgrade() and self._should_upgrade()  # handle_websocket_upgrade decides
        if not upgrade:
            self.body_deadline = self.loop.time() + self.body_timeout
        if upgrade or not self._over_capacity():
            return super().on_headers_complete()
        app, self.app = self.app, busy
        try:
            super().on_headers_complete()
        finally:
            self.app = app
        self.logger.warning("Connection limit (%s) reached: answered 503.", self.max_connections)

    def on_message_complete(self) -> None:
        if self.body_deadline is not None:
            self.body_deadline = None
            self._client_done()
        super().on_message_complete()

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

    # The deadlines for the client

    def _await_head(self) -> None:
        self.head_begun = False
        self.body_deadline = None  # an answer given before the whole body came ends its deadline
        self.head_deadline = self.loop.time() + self.header_timeout
        self._await_client(self.head_deadline)

    def _await_client(self, deadline: float) -> None:
        self._client_done()
        self.client_timer = self.loop.call_at(deadline, self.client_expired)
        self.waiting[self] = None

    def _client_done(self) -> None:
        if self.client_timer is not None:
            self.client_timer.cancel()
            self.client_timer = None
        self.waiting.pop(self, None)

    def client_expired(self) -> None:
        """Closes a connection still waiting for its client, for a request head or
        the rest of a body (its deadline passed, or a new connection needs its
        place). Answers 408 unless nothing of a request came, or an answer (to this
        request, or to one before it in the pipeline) has begun."""
        self._client_done()
        if self.transport.is_closing():
            return
        if self.body_deadline is not None:
            answer = not self.pipeline and not self.cycle.response_started
        else:
            answer = self.head_begun
        if answer:
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
