"""Every event type: its name, the sockets (streams) it goes to and its payload.

The one place that declares what a socket can receive. Services build events
through these declarations (``PendingEvent(ORDER_CREATED, …)``), so a misspelt
type fails at import and a payload of the wrong shape fails in mypy; the hub
and the log reads route by the declared streams, never by a string match; and
``describe()`` turns the whole catalogue into JSON Schema for documentation.
"""

import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Literal, TypedDict, TypeVar, Union, get_args, get_origin, get_type_hints


class Stream(StrEnum):
    """A kind of socket: ``ws/cafe/<stream>/``."""

    ORDERS = "orders"
    TABLES = "tables"


def group_name(stream: str, company_id: object, branch_id: object | None) -> str:
    """`cafe_orders_<company>_<branch>`, or `cafe_orders_<company>` company-wide."""
    name = f"cafe_{stream}_{company_id}"
    return f"{name}_{branch_id}" if branch_id else name


# Payloads. The order and table objects are the REST answers' shapes
# (cafe.serializers); a test keeps the two in step.

Money = str  # a decimal with two places, "350.00"
Uuid = str
Timestamp = str  # ISO 8601 with time zone
TableStatusName = Literal["free", "busy", "reserved"]
OrderStatusName = Literal["open", "closed", "cancelled"]


class OrderLine(TypedDict):
    id: Uuid
    menu_item: Uuid
    title: str
    price: Money
    quantity: int
    total: Money


class OrderObject(TypedDict):
    id: Uuid
    branch: Uuid
    table: Uuid
    table_number: int
    guests: int
    status: OrderStatusName
    status_display: str
    waiter: Uuid | None
    items: list[OrderLine]
    total: Money
    created_at: Timestamp
    updated_at: Timestamp


class TableObject(TypedDict):
    id: Uuid
    branch: Uuid
    number: int
    seats: int
    status: TableStatusName
    status_display: str


class OrderData(TypedDict):
    order: OrderObject
    company_id: Uuid
    branch_id: Uuid


class TableData(TypedDict):
    table: TableObject
    company_id: Uuid
    branch_id: Uuid


class TableStatusData(TypedDict):
    table_id: Uuid
    table_number: int
    status: TableStatusName
    status_display: str
    branch_id: Uuid


Payload = TypeVar("Payload")


@dataclass(frozen=True)
class EventType(Generic[Payload]):
    name: str
    streams: frozenset[Stream]
    payload: type[Payload]
    summary: str


def _event(name: str, streams: set[Stream], payload: type[Payload], summary: str) -> EventType[Payload]:
    return EventType(name, frozenset(streams), payload, summary)


ORDER_CREATED = _event("order_created", {Stream.ORDERS}, OrderData, "An order was taken.")
ORDER_UPDATED = _event("order_updated", {Stream.ORDERS}, OrderData, "Lines were added or the guests changed.")
ORDER_CLOSED = _event("order_closed", {Stream.ORDERS}, OrderData, "An order was closed (paid).")
ORDER_CANCELLED = _event("order_cancelled", {Stream.ORDERS}, OrderData, "An order was cancelled.")
TABLE_STATUS_CHANGED = _event(
    "table_status_changed",
    {Stream.ORDERS, Stream.TABLES},
    TableStatusData,
    "A table became free, busy or reserved (sent only when the status really changes).",
)
TABLE_CREATED = _event("table_created", {Stream.TABLES}, TableData, "A table was set up.")
TABLE_UPDATED = _event("table_updated", {Stream.TABLES}, TableData, "A table's number, seats or status changed.")
TABLE_DELETED = _event("table_deleted", {Stream.TABLES}, TableData, "A table was removed.")

CATALOGUE: dict[str, EventType[Any]] = {
    event.name: event
    for event in (
        ORDER_CREATED,
        ORDER_UPDATED,
        ORDER_CLOSED,
        ORDER_CANCELLED,
        TABLE_STATUS_CHANGED,
        TABLE_CREATED,
        TABLE_UPDATED,
        TABLE_DELETED,
    )
}

# Each stream's event types, for exact matching in the log reads and the hub.
TYPES_BY_STREAM: dict[str, tuple[str, ...]] = {
    stream: tuple(name for name, event in CATALOGUE.items() if stream in event.streams) for stream in Stream
}


# A machine-readable description (JSON Schema of every payload).


def describe() -> dict[str, dict[str, Any]]:
    """Every event type: its streams, summary and payload as JSON Schema."""
    return {
        name: {"streams": sorted(event.streams), "summary": event.summary, "payload": json_schema(event.payload)}
        for name, event in CATALOGUE.items()
    }


def json_schema(annotation: Any) -> dict[str, Any]:
    """JSON Schema for the types payloads use: TypedDicts, lists, literals, str, int, None."""
    origin = get_origin(annotation)
    if origin is Literal:
        return {"enum": list(get_args(annotation))}
    if origin is list:
        return {"type": "array", "items": json_schema(get_args(annotation)[0])}
    if origin in (Union, types.UnionType):
        return {"anyOf": [json_schema(arg) for arg in get_args(annotation)]}
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        hints = get_type_hints(annotation)
        return {
            "type": "object",
            "properties": {key: json_schema(hint) for key, hint in hints.items()},
            "required": sorted(annotation.__required_keys__),
            "additionalProperties": False,
        }
    simple = {str: "string", int: "integer", bool: "boolean", float: "number", type(None): "null"}
    if annotation in simple:
        return {"type": simple[annotation]}
    raise TypeError(f"no JSON Schema for {annotation!r}")
