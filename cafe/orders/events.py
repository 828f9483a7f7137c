"""An order's and its kitchen tasks' event types (registered with ``realtime`` in
``CafeConfig.ready``) and their builders; services emit what these build."""

from typing import cast

from cafe.orders.models import KitchenTask, Order
from cafe.orders.payloads import KitchenTaskData, KitchenTaskObject, OrderData, OrderObject
from cafe.orders.serializers import KitchenTaskSerializer, OrderSerializer
from cafe.shared.events import Stream
from cafe.shared.serializers import represent
from realtime.catalogue import EventType, event_type
from realtime.emit import PendingEvent, in_event_language

ORDER_CREATED = event_type("order_created", {Stream.ORDERS}, OrderData, "An order was taken.")
ORDER_UPDATED = event_type(
    "order_updated",
    {Stream.ORDERS},
    OrderData,
    "An open order changed: lines, guests, a discount, a partial payment or paid check, an even split, "
    "its table (moved), lines split off or merged in.",
)
ORDER_CLOSED = event_type("order_closed", {Stream.ORDERS}, OrderData, "An order was closed (paid).")
ORDER_CANCELLED = event_type("order_cancelled", {Stream.ORDERS}, OrderData, "An order was cancelled.")
ORDER_PAID = event_type(
    "order_paid",
    {Stream.ORDERS},
    OrderData,
    "An order was paid in full (its payments are in the order); order_closed follows in the same transaction.",
)
ORDER_REFUNDED = event_type(
    "order_refunded", {Stream.ORDERS}, OrderData, "Money was given back on a paid order (see its refunds)."
)
ORDER_READY = event_type(
    "order_ready",
    {Stream.ORDERS},
    OrderData,
    "Every portion of an order is ready: serve it, or call a takeaway order's pickup number.",
)
ORDER_MERGED = event_type(
    "order_merged",
    {Stream.ORDERS},
    OrderData,
    "An order's lines joined another open order of its table (merged_into), which gets order_updated.",
)
ORDER_EVENTS = (
    ORDER_CREATED,
    ORDER_UPDATED,
    ORDER_CLOSED,
    ORDER_CANCELLED,
    ORDER_PAID,
    ORDER_REFUNDED,
    ORDER_READY,
    ORDER_MERGED,
)

KITCHEN_TASK_CREATED = event_type(
    "kitchen_task_created", {Stream.KITCHEN}, KitchenTaskData, "A portion reached a station (held or to cook)."
)
KITCHEN_TASK_UPDATED = event_type(
    "kitchen_task_updated",
    {Stream.KITCHEN},
    KitchenTaskData,
    "A portion was fired, claimed, made ready, served or cancelled, or its line's note changed.",
)
KITCHEN_TASK_READY = event_type(
    "kitchen_task_ready", {Stream.ORDERS}, KitchenTaskData, "A portion is ready at its station: pick it up."
)
KITCHEN_EVENTS = (KITCHEN_TASK_CREATED, KITCHEN_TASK_UPDATED, KITCHEN_TASK_READY)


@in_event_language
def order_event(type: EventType[OrderData], order: Order) -> PendingEvent[OrderData]:
    data = OrderData(
        order=cast(OrderObject, represent(OrderSerializer, order)),
        company_id=str(order.company_id),
        branch_id=str(order.branch_id),
    )
    return PendingEvent(type, order.branch_id, data)


@in_event_language
def task_event(type: EventType[KitchenTaskData], task: KitchenTask) -> PendingEvent[KitchenTaskData]:
    """Needs the task's line, order table and station loaded (``cafe.orders.selectors.TASK_SELECTED``)."""
    data = KitchenTaskData(
        task=cast(KitchenTaskObject, represent(KitchenTaskSerializer, task)),
        company_id=str(task.company_id),
        branch_id=str(task.branch_id),
    )
    return PendingEvent(type, task.branch_id, data)
