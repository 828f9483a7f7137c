"""Every event type: its name, the sockets (streams) it goes to and its payload.

The one place that declares what a socket can receive. Services build events
through these declarations (``PendingEvent(ORDER_CREATED, …)``), so a misspelt
type fails at import and a payload of the wrong shape fails in mypy; the hub
and the log reads route by the declared streams, never by a string match; and
``describe()`` turns the whole catalogue into JSON Schema for documentation.
"""

import types
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    TypedDict,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

if TYPE_CHECKING:
    from accounts.tenancy import Tenant


class Stream(StrEnum):
    """A kind of socket: ``ws/cafe/<stream>/``."""

    ORDERS = "orders"
    TABLES = "tables"
    KITCHEN = "kitchen"


# What a narrowing's value must be, decided by the domain: (the socket's tenant, the
# value as a UUID, the socket's branch id or None for a company-wide socket) -> allowed.
NarrowingCheck = Callable[["Tenant", uuid.UUID, str | None], bool]


@dataclass(frozen=True)
class Narrowing:
    """A query parameter that narrows a stream's socket to one object of its scope
    (``&station=ID`` on the kitchen socket): the socket then gets no event whose data
    names another one under ``param`` (events naming none pass), in its catch-up and
    live alike.

    Which ids are allowed is the domain's knowledge, not the sockets': the layer
    that owns the objects registers a check (``register_narrowing_check``, the cafe
    does it in ``CafeConfig.ready``) that reads them through the tenant's scope, so
    ``realtime`` names no model and imports nothing of the domain. An id the check
    refuses (another branch's or company's, or none at all) closes the socket 4005;
    a stream whose narrowing has no check registered refuses every narrowed socket
    the same way rather than serve it unnarrowed."""

    param: str
    description: str

    def marker(self, value: str) -> tuple[str, str]:
        """(the text every event naming some object has, the text one naming this one has)."""
        return f'"{self.param}": "', f'"{self.param}": "{value}"'


NARROWINGS: dict[Stream, Narrowing] = {
    Stream.KITCHEN: Narrowing(
        "station",
        "A station of the socket's branch (or, company-wide, of the company): only events of that station's "
        "portions are sent, and events that name no station (an item served straight by the waiter).",
    )
}

_NARROWING_CHECKS: dict[Stream, NarrowingCheck] = {}


def register_narrowing_check(stream: Stream, check: NarrowingCheck) -> None:
    """Declares which values a stream's narrowing accepts (see ``Narrowing``)."""
    if stream not in NARROWINGS:
        raise KeyError(f"the {stream} stream declares no narrowing")
    _NARROWING_CHECKS[stream] = check


def narrowing_allowed(stream: Stream, tenant: "Tenant", value: uuid.UUID, branch_id: str | None) -> bool:
    check = _NARROWING_CHECKS.get(stream)
    return check is not None and check(tenant, value, branch_id)


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
OrderStatusName = Literal["open", "closed", "cancelled", "merged"]
ServiceName = Literal["dine_in", "takeaway"]
TenderName = Literal["cash", "card", "transfer"]


class LineModifier(TypedDict):
    id: Uuid | None  # the menu's modifier; None once it was removed from the menu
    group: str
    name: str
    price: Money


class Discount(TypedDict):
    kind: Literal["amount", "percent"]
    value: Money  # the sum, or the percent
    reason: str
    amount: Money  # what it took off


class OrderLine(TypedDict):
    id: Uuid
    menu_item: Uuid
    title: str
    price: Money  # the menu item's price plus its modifiers', per portion
    quantity: int
    discount: Discount | None
    total: Money  # price × quantity − the line's discount
    note: str
    modifiers: list[LineModifier]
    course: int
    voided: bool
    void_reason: str
    refunded_quantity: int


class Bill(TypedDict):
    """An order's money; the rounding rules are in the README (cafe.money)."""

    subtotal: Money
    discounts: Money
    service_charge_percent: Money
    service_charge: Money
    total: Money
    paid: Money
    due: Money
    tips: Money
    change: Money
    refunded: Money


class PaymentObject(TypedDict):
    id: Uuid
    method: TenderName
    check: int | None  # which check of an evenly split bill it paid
    amount: Money
    tip: Money
    tendered: Money
    change: Money
    shift: Uuid | None
    user: Uuid | None
    created_at: Timestamp


class RefundLineObject(TypedDict):
    line: Uuid
    quantity: int
    amount: Money


class RefundObject(TypedDict):
    id: Uuid
    method: TenderName
    amount: Money
    reason: str
    lines: list[RefundLineObject]
    shift: Uuid | None
    user: Uuid | None
    created_at: Timestamp


class OrderObject(TypedDict):
    id: Uuid
    branch: Uuid
    service: ServiceName
    table: Uuid | None  # None for takeaway
    table_number: int | None
    guests: int
    status: OrderStatusName
    status_display: str
    waiter: Uuid | None
    customer_name: str
    customer_phone: str
    pickup_number: int | None  # takeaway: the number called out, per branch and day
    items: list[OrderLine]
    discount: Discount | None
    total: Money
    money: Bill
    payments: list[PaymentObject]
    refunds: list[RefundObject]
    split_checks: int | None  # split evenly: paid as this many equal checks
    split_from: Uuid | None
    merged_into: Uuid | None
    ready_at: Timestamp | None
    paid_at: Timestamp | None
    closed_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class ShiftObject(TypedDict):
    id: Uuid
    branch: Uuid
    status: Literal["open", "closed"]
    opened_by: Uuid | None
    opened_at: Timestamp
    opening_float: Money
    closed_by: Uuid | None
    closed_at: Timestamp | None
    expected_cash: Money | None
    counted_cash: Money | None
    difference: Money | None


class TableObject(TypedDict):
    id: Uuid
    branch: Uuid
    number: int
    seats: int
    status: TableStatusName
    status_display: str


TaskStatusName = Literal["held", "pending", "in_progress", "ready", "served", "cancelled"]


class KitchenTaskObject(TypedDict):
    id: Uuid
    branch: Uuid
    order: Uuid
    line: Uuid
    station: Uuid
    station_name: str
    portion: int
    quantity: int
    status: TaskStatusName
    status_display: str
    cook: Uuid | None
    title: str
    modifiers: list[LineModifier]
    note: str
    course: int
    table_number: int | None
    service: ServiceName
    pickup_number: int | None
    created_at: Timestamp
    fired_at: Timestamp | None
    claimed_at: Timestamp | None
    ready_at: Timestamp | None
    served_at: Timestamp | None
    cancelled_at: Timestamp | None
    updated_at: Timestamp


class ModifierObject(TypedDict):
    id: Uuid
    group: Uuid
    name: str
    price: Money
    position: int


class ModifierGroupObject(TypedDict):
    id: Uuid
    menu_item: Uuid
    name: str
    required: bool
    max_choices: int
    position: int
    modifiers: list[ModifierObject]


class MenuItemObject(TypedDict):
    id: Uuid
    category: Uuid
    title: str
    price: Money
    is_available: bool
    branch: Uuid | None
    station: Uuid | None
    remaining: int | None
    modifier_groups: list[ModifierGroupObject]


class KitchenTaskData(TypedDict):
    task: KitchenTaskObject
    company_id: Uuid
    branch_id: Uuid


class MenuItemData(TypedDict):
    menu_item: MenuItemObject  # as the branch in branch_id sees it (its station and stop-list)
    company_id: Uuid
    branch_id: Uuid


class OrderData(TypedDict):
    order: OrderObject
    company_id: Uuid
    branch_id: Uuid


class ShiftData(TypedDict):
    shift: ShiftObject
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
ORDER_UPDATED = _event(
    "order_updated",
    {Stream.ORDERS},
    OrderData,
    "An open order changed: lines, guests, a discount, a partial payment or paid check, an even split, "
    "its table (moved), lines split off or merged in.",
)
ORDER_CLOSED = _event("order_closed", {Stream.ORDERS}, OrderData, "An order was closed (paid).")
ORDER_CANCELLED = _event("order_cancelled", {Stream.ORDERS}, OrderData, "An order was cancelled.")
ORDER_PAID = _event(
    "order_paid",
    {Stream.ORDERS},
    OrderData,
    "An order was paid in full (its payments are in the order); order_closed follows in the same transaction.",
)
ORDER_REFUNDED = _event(
    "order_refunded", {Stream.ORDERS}, OrderData, "Money was given back on a paid order (see its refunds)."
)
ORDER_READY = _event(
    "order_ready",
    {Stream.ORDERS},
    OrderData,
    "Every portion of an order is ready: serve it, or call a takeaway order's pickup number.",
)
ORDER_MERGED = _event(
    "order_merged",
    {Stream.ORDERS},
    OrderData,
    "An order's lines joined another open order of its table (merged_into), which gets order_updated.",
)
SHIFT_OPENED = _event("shift_opened", {Stream.ORDERS}, ShiftData, "A cash shift was opened in a branch.")
SHIFT_CLOSED = _event(
    "shift_closed", {Stream.ORDERS}, ShiftData, "A cash shift was closed: the cash counted and the difference."
)
TABLE_STATUS_CHANGED = _event(
    "table_status_changed",
    {Stream.ORDERS, Stream.TABLES},
    TableStatusData,
    "A table became free, busy or reserved (sent only when the status really changes).",
)
TABLE_CREATED = _event("table_created", {Stream.TABLES}, TableData, "A table was set up.")
TABLE_UPDATED = _event("table_updated", {Stream.TABLES}, TableData, "A table's number, seats or status changed.")
TABLE_DELETED = _event("table_deleted", {Stream.TABLES}, TableData, "A table was removed.")
KITCHEN_TASK_CREATED = _event(
    "kitchen_task_created", {Stream.KITCHEN}, KitchenTaskData, "A portion reached a station (held or to cook)."
)
KITCHEN_TASK_UPDATED = _event(
    "kitchen_task_updated",
    {Stream.KITCHEN},
    KitchenTaskData,
    "A portion was fired, claimed, made ready, served or cancelled, or its line's note changed.",
)
KITCHEN_TASK_READY = _event(
    "kitchen_task_ready", {Stream.ORDERS}, KitchenTaskData, "A portion is ready at its station: pick it up."
)
MENU_ITEM_UPDATED = _event(
    "menu_item_updated",
    {Stream.ORDERS, Stream.KITCHEN},
    MenuItemData,
    "A menu item changed in a branch: price, station, availability or the portions remaining.",
)

CATALOGUE: dict[str, EventType[Any]] = {
    event.name: event
    for event in (
        ORDER_CREATED,
        ORDER_UPDATED,
        ORDER_CLOSED,
        ORDER_CANCELLED,
        ORDER_PAID,
        ORDER_REFUNDED,
        ORDER_READY,
        ORDER_MERGED,
        SHIFT_OPENED,
        SHIFT_CLOSED,
        TABLE_STATUS_CHANGED,
        TABLE_CREATED,
        TABLE_UPDATED,
        TABLE_DELETED,
        KITCHEN_TASK_CREATED,
        KITCHEN_TASK_UPDATED,
        KITCHEN_TASK_READY,
        MENU_ITEM_UPDATED,
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
