"""TODO"""

from typing import cast

from cafe.orders.models import KitchenTask, Order
from cafe.orders.serializers import KitchenTaskSerializer, OrderSerializer
from cafe.shared.serializers import represent
from realtime.catalogue import (
    EventType,
    KitchenTaskData,
    KitchenTaskObject,
    OrderData,
    OrderObject,
)
from realtime.emit import PendingEvent, in_event_language


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
    """Needs the task's line, order table and station loaded (``selectors.kitchen.TASK_SELECTED``)."""
    data = KitchenTaskData(
        task=cast(KitchenTaskObject, represent(KitchenTaskSerializer, task)),
        company_id=str(task.company_id),
        branch_id=str(task.branch_id),
    )
    return PendingEvent(type, task.branch_id, data)
