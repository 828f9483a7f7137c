"""The two WebSocket endpoints. A consumer authorises the socket, registers it
with this process's hub and forwards what the hub gives it; it builds no events."""

import asyncio
import json
import time
from collections import deque
from collections.abc import Coroutine
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from realtime import access, catalogue
from realtime.hub import BACKLOG_PAGE, Subscription, get_hub, in_thread

# A socket this far behind is closed (1013) rather than buffered without end;
# the client reconnects with `since` and loses nothing.
OUTBOX_LIMIT = 10_000


def _frame(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def _since(value: object) -> int | None:
    """A valid `since`: a non-negative integer (as JSON number or query string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and value >= 0 else None


def run_eagerly(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task | None:
    """Runs a coroutine until it first has to wait, without a task; returns None if
    it finished, else a task that drives it on (Python 3.12's eager tasks, for 3.11).

    A socket write finishes at once unless the client's buffer is full, so the
    usual delivery costs no task creation and no trip through the event loop.
    """
    try:
        waiting = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_drive(coroutine, waiting))


async def _drive(coroutine: Coroutine[Any, Any, Any], waiting: Any) -> None:
    try:
        while True:
            if isinstance(waiting, asyncio.Future):
                await asyncio.wait([waiting])  # the coroutine itself receives its result or error
            else:
                await asyncio.sleep(0)
            try:
                waiting = coroutine.send(None)
            except StopIteration:
                return
    finally:
        coroutine.close()


class EventsConsumer(Subscription, AsyncWebsocketConsumer):
    stream: str

    async def connect(self) -> None:
        # Accept first: close codes sent before accept reach clients as a bare HTTP 403.
        await self.accept()
        self.outbox: deque[str] = deque()
        self.writer: asyncio.Task | None = None
        self.expiry: asyncio.TimerHandle | None = None
        self.subscribed = False
        params = {key: values[-1] for key, values in parse_qs(self.scope["query_string"].decode("latin1")).items()}
        self.requested_branch = params.get("branch_id") or None
        since = _since(params["since"]) if "since" in params else None
        try:
            granted, start = await in_thread(access.socket_open)(
                token=params.get("token"),
                requested_branch=self.requested_branch,
                stream=self.stream,
                since=since,
                limit=BACKLOG_PAGE,
            )
        except access.SocketRefused as refused:
            await self.close(code=refused.code)
            return
        if "since" in params and since is None:
            await self.send(
                text_data=_frame(type="error", code="invalid_since", message="since must be a non-negative integer.")
            )
            await self.close(code=1008)
            return
        self.user_id, self.company_id, self.branch_id = granted.user_id, granted.company_id, granted.branch_id
        try:
            await self.narrow(params)
        except access.SocketRefused as refused:
            await self.close(code=refused.code)
            return
        self.expiry = asyncio.get_running_loop().call_later(max(granted.expires_at - time.time(), 0), self.revoke)
        await get_hub().subscribe(self, start, self._greet)
        self.subscribed = True

    async def narrow(self, params: dict[str, str]) -> None:
        """Narrows the socket to part of its scope before it subscribes (see
        ``catalogue.NARROWINGS``); raises ``access.SocketRefused``."""

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections around every message, a thread
        # hop each; this consumer reaches the database only through hub.in_thread,
        # which releases its connection itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict) -> None:
        # Channels' own also discards channel-layer groups (none here) and closes
        # stale connections (see dispatch).
        await self.disconnect(message["code"])
        raise StopConsumer()

    def _greet(self, latest: int) -> None:
        self.deliver(
            _frame(
                type="connection_established",
                company_id=self.company_id,
                branch_id=self.branch_id,
                group=catalogue.group_name(self.stream, self.company_id, self.branch_id),
                seq=latest,
            )
        )

    async def disconnect(self, code: int) -> None:
        if getattr(self, "subscribed", False):
            get_hub().unsubscribe(self)
            self.subscribed = False
        if getattr(self, "expiry", None) is not None:
            self.expiry.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            return self._error("invalid_frame", "Send JSON text frames, not binary ones.")
        if len(text_data) > settings.WEBSOCKET_MAX_FRAME:
            return await self.close(code=1009)
        try:
            message = json.loads(text_data)
        except ValueError:
            return self._error("invalid_json", "The frame is not valid JSON.")
        if not isinstance(message, dict):
            return self._error("invalid_message", "Send a JSON object with an 'action'.")
        action = message.get("action")
        if action == "ping":
            self.deliver('{"type": "pong"}')
        elif action == "resume":
            since = _since(message.get("since"))
            if since is None:
                return self._error("invalid_since", "since must be a non-negative integer.")
            await get_hub().resume(self, since)
        else:
            self._error("unknown_action", f"Unknown action: {action!r}. Use 'ping' or 'resume'.")

    def _error(self, code: str, message: str) -> None:
        self.deliver(_frame(type="error", code=code, message=message))

    # Subscription

    def deliver(self, text: str) -> None:
        """Writes a text frame now if the client keeps up; otherwise queues it behind
        the write in progress, so order holds and a slow client holds up no one."""
        if self.writer is not None:
            self.outbox.append(text)
            if len(self.outbox) > OUTBOX_LIMIT:
                self.outbox.clear()
                self._close_soon(1013)
            return
        try:
            self.writer = run_eagerly(self.base_send({"type": "websocket.send", "text": text}))
        except Exception:
            return  # the client is gone; disconnect() follows
        if self.writer is not None:
            self.writer.add_done_callback(self._written)

    def _written(self, write: asyncio.Future) -> None:
        self.writer = None
        if write.cancelled() or write.exception() is not None:
            self.outbox.clear()
        while self.outbox and self.writer is None:
            self.deliver(self.outbox.popleft())

    def revoke(self) -> None:
        self._close_soon(4003)

    def resync_required(self, latest: int) -> None:
        self.deliver(_frame(type="resync_required", seq=latest))

    def _close_soon(self, code: int) -> None:
        if self.subscribed:
            get_hub().unsubscribe(self)
            self.subscribed = False
        asyncio.get_running_loop().create_task(self.close(code=code))


class OrdersConsumer(EventsConsumer):
    stream = catalogue.Stream.ORDERS


class TablesConsumer(EventsConsumer):
    stream = catalogue.Stream.TABLES


class KitchenConsumer(EventsConsumer):
    """``&station=ID`` narrows the socket to one station: the hub routes by (company,
    branch, stream) as for every socket, and this one drops events naming another
    station on delivery, so its catch-up and its live events narrow alike."""

    stream = catalogue.Stream.KITCHEN
    markers: tuple[str, str] | None = None

    async def narrow(self, params: dict[str, str]) -> None:
        narrowing = catalogue.NARROWINGS[self.stream]
        if narrowing.param in params:
            value = await in_thread(access.narrowed_to)(
                stream=self.stream, value=params[narrowing.param], company_id=self.company_id, branch_id=self.branch_id
            )
            self.markers = narrowing.marker(value)

    def deliver(self, text: str) -> None:
        if self.markers is not None and self.markers[0] in text and self.markers[1] not in text:
            return
        super().deliver(text)
