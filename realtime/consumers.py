"""The WebSocket endpoint of every registered stream (``ws/cafe/<stream>/``, see
``realtime.routing``). A consumer authorises the socket, registers it with this
process's hub and forwards what the hub gives it; it builds no events."""

import asyncio
import contextlib
import json
import logging
import reprlib
import time
from collections import deque
from collections.abc import Coroutine
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import metrics as core_metrics
from core.availability import backend_unavailable
from realtime import access, admission, catalogue, eventlog, metrics
from realtime.hub import BACKLOG_PAGE, Subscription, get_hub, in_thread

log = logging.getLogger(__name__)

# The database cannot be reached to authorise a socket or read its log: "try again
# later"; the client reconnects with `since` after a pause and loses nothing.
DATABASE_UNAVAILABLE = 1013

# A socket this far behind (in frames, or in characters of text: WEBSOCKET_OUTBOX_BYTES)
# is closed (1013) rather than buffered without end; the client reconnects with
# `since` and loses nothing.
OUTBOX_LIMIT = 10_000

# `seq` is a PostgreSQL bigint.
MAX_SEQ = 2**63 - 1
INVALID_SINCE = _("since must be an integer from 0 to %(max)s.")


def _frame(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def socket_language(params: dict[str, str]) -> str:
    """The language of a socket's own frames (its error messages): `lang` if it is one
    of ``LANGUAGES``, else ``LANGUAGE_CODE``. Events are not translated per socket:
    their text is shared by every socket (README, "Languages")."""
    try:
        return translation.get_supported_language_variant(params.get("lang") or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _since(value: object) -> int | None:
    """A valid `since`: an integer from 0 to ``MAX_SEQ`` (a JSON number, or ASCII
    digits in the query string: "²".isdigit() is true, but int() refuses it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 20):
            return None
        value = int(value)
    return value if isinstance(value, int) and 0 <= value <= MAX_SEQ else None


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
    """One socket of any registered stream; which one comes from its URL."""

    stream: str
    outbox: deque[str]
    # Characters in the outbox (queued behind the write in progress), and in the live
    # events held while the socket catches up (``hold``).
    outbox_size = 0
    held_size = 0
    writer: asyncio.Task | None = None
    expiry: asyncio.TimerHandle | None = None
    # Set while a catch-up waits for the outbox to drain (``drained``).
    room: asyncio.Future | None = None
    subscribed = False
    closing = False
    language: str = settings.LANGUAGE_CODE
    # A socket narrowed to one object (``catalogue.NARROWINGS``, ``&station=`` on the
    # kitchen socket): (text every event naming one has, text one naming this one has).
    # The hub routes it by (company, branch, stream) as every socket and ``deliver``
    # drops events naming another object, so its catch-up and live events narrow alike.
    markers: tuple[str, str] | None = None
    # The socket's place in the per-user and per-company counts (``admission``).
    slot: admission.Slot | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outbox = deque()
        self.replays = admission.ReplayWindow()

    async def __call__(self, scope, receive, send) -> None:
        # However the socket ends (a disconnect, a close of ours, an error in a handler,
        # the task cancelled), it leaves the hub and drops what it held.
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._leave()

    async def connect(self) -> None:
        # Accept first: close codes sent before accept reach clients as a bare HTTP 403.
        await self.accept()
        self.stream = self.scope["url_route"]["kwargs"]["stream"]
        params = {key: values[-1] for key, values in parse_qs(self.scope["query_string"].decode("latin1")).items()}
        self.language = socket_language(params)
        self.requested_branch = params.get("branch_id") or None
        since = _since(params["since"]) if "since" in params else None
        narrowing = catalogue.NARROWINGS.get(self.stream)
        try:
            granted, start = await in_thread(access.socket_open)(
                token=params.get("token"),
                requested_branch=self.requested_branch,
                stream=self.stream,
                since=since,
                limit=BACKLOG_PAGE,
                narrowing=params.get(narrowing.param) if narrowing else None,
                device=params.get("device"),
            )
        except access.SocketRefused as refused:
            await self.close(code=refused.code)
            return
        except Exception as exc:
            if not backend_unavailable(exc):
                raise
            core_metrics.backend_error(exc)
            metrics.OVERLOAD_CLOSES.labels(reason="database").inc()
            await self.close(code=DATABASE_UNAVAILABLE)
            return
        if "since" in params and since is None:
            await self.send(text_data=self._error_frame(code="invalid_since", message=INVALID_SINCE, max=MAX_SEQ))
            await self.close(code=1008)
            return
        self.user_id, self.company_id, self.branch_id = granted.user_id, granted.company_id, granted.branch_id
        self.token_version = granted.token_version
        self.device_id = granted.device_id
        latest, covered, _page = start
        try:
            self.slot = await get_hub().admission.admit(user_id=self.user_id, company_id=self.company_id)
        except admission.Refused as refused:
            return await self._refuse(
                self._error_frame(code="too_many_sockets", message=refused.message, **refused.params)
            )
        if since is not None:
            metrics.RESUMES.labels(via="join").inc()
        if since is not None and covered and since < latest:
            try:
                await self._count_replay()
            except admission.Refused as refused:
                return await self._refuse(
                    self._error_frame(code="too_many_resumes", message=refused.message, **refused.params)
                )
        if narrowing is not None and granted.narrowed_to is not None:
            self.markers = narrowing.marker(granted.narrowed_to)
        self.expiry = asyncio.get_running_loop().call_later(max(granted.expires_at - time.time(), 0), self.revoke)
        self.subscribed = True
        metrics.SOCKETS_OPEN.labels(stream=self.stream).inc()
        metrics.SOCKETS_OPENED.labels(stream=self.stream).inc()
        await get_hub().subscribe(self, start, self._greet)

    async def _refuse(self, error: str) -> None:
        """A socket over a limit (``admission``): its error frame, then close 4029."""
        self._leave()
        await self.send(text_data=error)
        await self.close(code=4029)

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections around every message, a thread
        # hop each; this consumer reaches the database only through hub.in_thread,
        # which releases its connection itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception:
            log.exception("WebSocket %s failed; the socket is closed 1011", message["type"])
            await self._fail()
            raise StopConsumer() from None

    async def _fail(self) -> None:
        """After an error of ours: an error frame, then close 1011; the client resumes with `since`."""
        self._leave()
        try:
            await self.send(
                text_data=self._error_frame(
                    code="server_error", message=_("The server failed; reconnect with since to go on.")
                )
            )
            await self.close(code=1011)
        except Exception:
            pass  # the client is gone too

    async def websocket_disconnect(self, message: dict) -> None:
        # Channels' own also discards channel-layer groups (none here) and closes
        # stale connections (see dispatch).
        await self.disconnect(message.get("code", 1005))
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
        self._leave()

    def _leave(self) -> None:
        """Takes the socket out of the hub and drops what it holds; safe to call again."""
        if self.subscribed:
            self.subscribed = False
            metrics.SOCKETS_OPEN.labels(stream=self.stream).dec()
            get_hub().unsubscribe(self)
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        if self.slot is not None:
            get_hub().admission.release(self.slot)
            self.slot = None
        self._drop()

    def _drop(self) -> None:
        """Drops what waits for the client; a catch-up waiting for room stops."""
        if self.outbox:
            self.outbox.clear()
        self.outbox_size = self.held_size = 0
        self.pending = None
        self._make_room()

    def _leave_soon(self) -> None:
        """``_leave`` from inside the hub's delivery loop, which may be going through this
        socket's route: no frame is written from now on, and the socket leaves the hub
        right after the loop."""
        self.closing = True
        self._drop()
        asyncio.get_running_loop().call_soon(self._leave)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            return self._error("invalid_frame", _("Send JSON text frames, not binary ones."))
        if len(text_data) > settings.WEBSOCKET_MAX_FRAME:
            self._leave()
            return await self.close(code=1009)
        try:
            message = json.loads(text_data)
        except ValueError:
            return self._error("invalid_json", _("The frame is not valid JSON."))
        except RecursionError:
            return self._error("invalid_json", _("The frame is nested too deeply."))
        if not isinstance(message, dict):
            return self._error("invalid_message", _("Send a JSON object with an 'action'."))
        action = message.get("action")
        if action == "ping":
            self.deliver('{"type": "pong"}')
        elif action == "resume":
            since = _since(message.get("since"))
            if since is None:
                return self._error("invalid_since", INVALID_SINCE, max=MAX_SEQ)
            if self.subscribed:
                metrics.RESUMES.labels(via="action").inc()
                try:
                    await self._count_replay()
                    await get_hub().resume(self, since)
                except admission.Refused as refused:
                    return self._error("too_many_resumes", refused.message, **refused.params)
                except Exception as exc:  # Redis (the replay count) or the database (the log) away or swamped
                    if not backend_unavailable(exc):
                        raise
                    core_metrics.backend_error(exc)
                    metrics.OVERLOAD_CLOSES.labels(reason="database").inc()
                    self._close_soon(DATABASE_UNAVAILABLE)
        else:
            self._error(
                "unknown_action", _("Unknown action: %(action)s. Use 'ping' or 'resume'."), action=reprlib.repr(action)
            )

    async def _count_replay(self) -> None:
        """Counts a replay of the log against this socket's and its user's minute, or
        raises ``admission.Refused``."""
        limit = settings.WEBSOCKET_REPLAYS_PER_SOCKET
        if wait := self.replays.take(limit):
            raise admission.Refused(admission.REPLAYS_PER_SOCKET, limit=limit, retry_after=wait)
        await get_hub().admission.replay(user_id=self.user_id)

    def _error(self, code: str, message: Promise, **params: object) -> None:
        self.deliver(self._error_frame(code, message, **params))

    def _error_frame(self, code: str, message: Promise, **params: object) -> str:
        """An error frame, its message in the socket's language (`lang`); a
        ``retry_after`` parameter is a field of the frame too."""
        with translation.override(self.language):
            text = str(message) % params if params else str(message)
        if "retry_after" in params:
            return _frame(type="error", code=code, message=text, retry_after=params["retry_after"])
        return _frame(type="error", code=code, message=text)

    # Subscription

    def deliver(self, text: str) -> None:
        """Writes a text frame now if the client keeps up; otherwise queues it behind
        the write in progress, so order holds and a slow client holds up no one."""
        if self.closing:
            return
        if self.markers is not None and self.markers[0] in text and self.markers[1] not in text:
            return  # an event of another object than the one this socket narrowed itself to
        if self.writer is not None:
            self.outbox.append(text)
            self.outbox_size += len(text)
            if self.outbox_size > settings.WEBSOCKET_OUTBOX_BYTES or len(self.outbox) > OUTBOX_LIMIT:
                self._overflow()
            return
        try:
            self.writer = run_eagerly(self.base_send({"type": "websocket.send", "text": text}))
        except Exception:
            self._leave_soon()  # the client is gone
            return
        if self.writer is not None:
            self.writer.add_done_callback(self._written)

    def _written(self, write: asyncio.Future) -> None:
        self.writer = None
        if write.cancelled() or write.exception() is not None:
            self._leave()  # the client is gone
            return
        while self.outbox and self.writer is None:
            text = self.outbox.popleft()
            self.outbox_size -= len(text)
            self.deliver(text)
        if self.room is not None and self.outbox_size <= self._low_water():
            self._make_room()

    def hold(self, seq: int, text: str) -> None:
        if not self.pending:
            self.held_size = 0
        assert self.pending is not None, "hold() runs only while the socket catches up"
        self.pending.append((seq, text))
        self.held_size += len(text)
        if self.held_size > settings.WEBSOCKET_OUTBOX_BYTES:
            self._overflow()

    async def drained(self) -> None:
        while self.subscribed and self.outbox_size > self._low_water():
            self.room = asyncio.get_running_loop().create_future()
            await self.room

    def _low_water(self) -> int:
        """What the outbox may hold when a catch-up reads its next page: room is left
        for the page (under ``PAGE_BYTES`` plus one event) within the cap."""
        return max(settings.WEBSOCKET_OUTBOX_BYTES - eventlog.PAGE_BYTES - settings.EVENT_MAX_BYTES, 0)

    def _make_room(self) -> None:
        room, self.room = self.room, None
        if room is not None and not room.done():
            room.set_result(None)

    def _overflow(self) -> None:
        log.info("closing a socket 1013: its client is more than %d characters behind", settings.WEBSOCKET_OUTBOX_BYTES)
        metrics.OVERLOAD_CLOSES.labels(reason="outbox").inc()
        self._close_soon(1013)

    def revoke(self) -> None:
        self._close_soon(4003)

    def resync_required(self, latest: int) -> None:
        metrics.RESYNCS.inc()
        self.deliver(_frame(type="resync_required", seq=latest))

    def _close_soon(self, code: int) -> None:
        if not self.closing:
            self._leave_soon()
            asyncio.get_running_loop().create_task(self._close_quietly(code))

    async def _close_quietly(self, code: int) -> None:
        # Closed meanwhile: the client gone, or the server's keepalive gave up on it.
        with contextlib.suppress(Exception):
            await self.close(code=code)
