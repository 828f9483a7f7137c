"""Event shapes, group names and publishing: the only module that makes events.

Services call the ``*_event`` builders and hand them to ``emit`` inside their
transaction. ``emit`` writes them to the event log (``Event``) with the company's
next sequence numbers, and publishes them for live delivery once the transaction
commits; a rolled-back change leaves no row and sends nothing. Consumers only
forward the text written here, serialised once for every recipient.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from cafe import hub
from cafe.models import Event, Order, Table
from cafe.serializers import OrderSerializer, TableSerializer, represent

ORDERS = "orders"
TABLES = "tables"

# Which socket kinds get which event.
STREAMS: dict[str, tuple[str, ...]] = {
    "order_created": (ORDERS,),
    "order_updated": (ORDERS,),
    "order_closed": (ORDERS,),
    "order_cancelled": (ORDERS,),
    "table_status_changed": (ORDERS, TABLES),
    "table_created": (TABLES,),
    "table_updated": (TABLES,),
    "table_deleted": (TABLES,),
}


def group_name(stream: str, company_id: object, branch_id: object | None) -> str:
    """`cafe_orders_<company>_<branch>`, or `cafe_orders_<company>` company-wide."""
    name = f"cafe_{stream}_{company_id}"
    return f"{name}_{branch_id}" if branch_id else name


@dataclass(frozen=True)
class PendingEvent:
    type: str
    branch_id: uuid.UUID
    data: dict[str, Any]


def order_event(type: str, order: Order) -> PendingEvent:
    data = {
        "order": represent(OrderSerializer, order),
        "company_id": str(order.company_id),
        "branch_id": str(order.branch_id),
    }
    return PendingEvent(type, order.branch_id, data)


def table_status_changed(table: Table) -> PendingEvent:
    data = {
        "table_id": str(table.pk),
        "table_number": table.number,
        "status": table.status,
        "status_display": str(table.get_status_display()),
        "branch_id": str(table.branch_id),
    }
    return PendingEvent("table_status_changed", table.branch_id, data)


def table_event(type: str, table: Table) -> PendingEvent:
    data = {
        "table": represent(TableSerializer, table),
        "company_id": str(table.company_id),
        "branch_id": str(table.branch_id),
    }
    return PendingEvent(type, table.branch_id, data)


def emit(*, company_id: uuid.UUID, events: Iterable[PendingEvent]) -> list[Event]:
    """Appends events to the company's log; publishes them after commit.

    Must run inside the transaction of the change, as its last step: the company
    row stays locked until commit, so sequence numbers are contiguous and commit
    in order.
    """
    events = list(events)
    if not events:
        return []
    connection = transaction.get_connection()
    assert connection.in_atomic_block, "emit() runs inside the change's transaction"
    last = _take_seqs(connection, company_id, len(events))
    now = timezone.now()
    rows = []
    for seq, event in enumerate(events, start=last - len(events) + 1):
        event_id = uuid.uuid4()
        message = {"type": event.type, "data": event.data, "event_id": event_id, "seq": seq, "ts": now}
        rows.append(
            Event(
                id=event_id,
                company_id=company_id,
                seq=seq,
                branch_id=event.branch_id,
                type=event.type,
                streams=",".join(STREAMS[event.type]),
                message=json.dumps(message, cls=DjangoJSONEncoder, ensure_ascii=False),
                created_at=now,
            )
        )
    Event.objects.bulk_create(rows)
    transaction.on_commit(lambda: hub.publish([envelope(row) for row in rows]))
    return rows


def _take_seqs(connection, company_id: uuid.UUID, count: int) -> int:
    """Advances the company's counter by ``count`` and returns the new last seq; the
    row stays locked until commit. One statement (PostgreSQL, SQLite >= 3.35)."""
    table = connection.ops.quote_name(Company._meta.db_table)
    key = Company._meta.pk.get_db_prep_value(company_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET event_seq = event_seq + %s WHERE id = %s RETURNING event_seq", [count, key])
        return cursor.fetchone()[0]


def envelope(event: Event) -> str:
    """What travels between processes: a routing header line, then the message."""
    return f"{event.company_id} {event.seq} {event.branch_id or '-'} {event.streams}\n{event.message}"
