"""Appending events to the log, the only way anything reaches a socket.

Services build ``PendingEvent``s and hand them to ``emit`` inside their
transaction. ``emit`` writes them to the event log (``Event``) with the
company's next sequence numbers, and publishes them for live delivery once the
transaction commits; a rolled-back change leaves no row and sends nothing.
Consumers only forward the text written here, serialised once for every recipient,
so its texts (``status_display``) are in the server's language, ``LANGUAGE_CODE``,
whatever language the request that caused it asked for: see ``in_event_language``.
"""

import functools
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Company
from core.errors import Conflict
from core.rows import rows_insert
from realtime import envelope, metrics, publishing
from realtime.catalogue import CatalogueError, EventType, Payload, is_registered
from realtime.models import Event


class EventTooLarge(Conflict):
    """An event over ``EVENT_MAX_BYTES``: the change is refused (409) and rolls back."""

    default_code = "event_too_large"


class TooManyEvents(Conflict):
    """A transaction whose events pass ``EVENTS_MAX_PER_REQUEST`` or
    ``EVENTS_MAX_BYTES_PER_REQUEST``: the change is refused (409) and rolls back."""

    default_code = "too_many_events"


class _Budget:
    """What the current transaction has emitted so far. Registered as an on-commit
    no-op: Django drops it with the transaction (commit, rollback, or the rollback of
    the savepoint it was registered in), which is how ``emit`` tells the next
    transaction from this one."""

    def __init__(self, key: str | None) -> None:
        self.key = key
        self.events = 0
        self.bytes = 0

    def __call__(self) -> None:
        pass


def _budget(connection) -> _Budget:
    key = _change_savepoint(connection)
    budget = getattr(connection, "_event_budget", None)
    if budget is None or budget.key != key or not any(entry[1] is budget for entry in connection.run_on_commit):
        budget = connection._event_budget = _Budget(key)
        transaction.on_commit(budget)
    return budget


def _change_savepoint(connection) -> str | None:
    """The savepoint of the change's outermost atomic block: None when it is the
    transaction itself; inside a test case's transaction (``_from_testcase``), the
    savepoint of each request, so that every request of a test has its own budget."""
    for index, block in enumerate(connection.atomic_blocks):
        if not block._from_testcase:
            return connection.savepoint_ids[index - 1] if index else None
    return None


def _too_many_events(count: int) -> TooManyEvents:
    return TooManyEvents(
        _("This change would send %(count)s events; one request sends at most %(limit)s (EVENTS_MAX_PER_REQUEST).")
        % {"count": count, "limit": settings.EVENTS_MAX_PER_REQUEST}
    )


def _too_many_bytes() -> TooManyEvents:
    return TooManyEvents(
        _(
            "This change would send more than %(limit)s bytes of events; one request sends at most "
            "that many (EVENTS_MAX_BYTES_PER_REQUEST)."
        )
        % {"limit": settings.EVENTS_MAX_BYTES_PER_REQUEST}
    )


P = ParamSpec("P")
R = TypeVar("R")


def in_event_language(build: Callable[P, R]) -> Callable[P, R]:
    """Runs an event builder in ``LANGUAGE_CODE``: one text goes to every socket, so
    its labels must not follow the language of the request that made the change."""

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return build(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class PendingEvent(Generic[Payload]):
    """An event a service reports; its data has the shape its type declares."""

    type: EventType[Payload]
    branch_id: uuid.UUID
    data: Payload


def emit(*, company_id: uuid.UUID, events: Iterable[PendingEvent[Any]]) -> list[Event]:
    """Appends events to the company's log; publishes them after commit.

    Must run inside the transaction of the change, as its last step: the company
    row stays locked until commit, so sequence numbers are contiguous and commit
    in order. An event over ``EVENT_MAX_BYTES`` (UTF-8) raises ``EventTooLarge``,
    and the transaction's events (every ``emit`` of it together) past
    ``EVENTS_MAX_PER_REQUEST`` or ``EVENTS_MAX_BYTES_PER_REQUEST`` raise
    ``TooManyEvents``, before any event is written, so the change rolls back; so
    does an event type nobody registered (``CatalogueError``: no socket could
    receive it). The count is checked before anything is serialised, the bytes as
    each message is.
    """
    pending = list(events)
    if not pending:
        return []
    for event in pending:
        if not is_registered(event.type):
            raise CatalogueError(f"{event.type.name} is not registered (realtime.catalogue.register_events)")
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "emit() runs inside the change's transaction"
    budget = _budget(connection)
    if budget.events + len(pending) > settings.EVENTS_MAX_PER_REQUEST:
        raise _too_many_events(budget.events + len(pending))
    budget.events += len(pending)
    last = _take_seqs(connection, company_id, len(pending))
    now = timezone.now()
    rows = []
    for seq, event in enumerate(pending, start=last - len(pending) + 1):
        event_id = uuid.uuid4()
        message = json.dumps(
            {"type": event.type.name, "data": event.data, "event_id": event_id, "seq": seq, "ts": now},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
        size = len(message) if message.isascii() else len(message.encode())
        if size > settings.EVENT_MAX_BYTES:
            raise EventTooLarge(
                _(
                    "This change would make a %(type)s event of %(size)s bytes; "
                    "events are limited to %(limit)s bytes (EVENT_MAX_BYTES)."
                )
                % {"type": event.type.name, "size": size, "limit": settings.EVENT_MAX_BYTES}
            )
        budget.bytes += size
        if budget.bytes > settings.EVENTS_MAX_BYTES_PER_REQUEST:
            raise _too_many_bytes()
        rows.append(
            Event(
                id=event_id,
                company_id=company_id,
                seq=seq,
                branch_id=event.branch_id,
                type=event.type.name,
                message=message,
                created_at=now,
            )
        )
    rows_insert(Event, rows)
    transaction.on_commit(lambda: _committed(rows))
    return rows


def _committed(rows: list[Event]) -> None:
    metrics.EVENTS_WRITTEN.inc(len(rows))
    publishing.publish([envelope.write(row) for row in rows])


def _take_seqs(connection, company_id: uuid.UUID, count: int) -> int:
    """Advances the company's counter by ``count`` and returns the new last seq; the
    row stays locked until commit. One statement (PostgreSQL, SQLite >= 3.35)."""
    table = connection.ops.quote_name(Company._meta.db_table)
    key = Company._meta.pk.get_db_prep_value(company_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq", [count, key])
        return cursor.fetchone()[0]
