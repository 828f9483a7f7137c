"""The cafe's events, built from the same serializers as the REST answers, so a
socket and the API never disagree about an order or a table. Each is built in the
server's language (``in_event_language``): its text is shared by every socket."""

import uuid
from collections.abc import Iterable
from typing import cast

from cafe.models import KitchenTask, MenuItem, Order, Shift, Table
from cafe.serializers import (
    KitchenTaskSerializer,
    MenuItemSerializer,
    OrderSerializer,
    ShiftSerializer,
    TableSerializer,
    represent,
)
from realtime.catalogue import (
    MENU_ITEM_UPDATED,
    TABLE_STATUS_CHANGED,
    EventType,
    KitchenTaskData,
    KitchenTaskObject,
    MenuItemData,
    MenuItemObject,
    OrderData,
    OrderObject,
    ShiftData,
    ShiftObject,
    TableData,
    TableObject,
    TableStatusData,
    TableStatusName,
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
def table_status_changed(table: Table) -> PendingEvent[TableStatusData]:
    data = TableStatusData(
        table_id=str(table.pk),
        table_number=table.number,
        status=cast(TableStatusName, table.status),
        status_display=str(table.get_status_display()),
        branch_id=str(table.branch_id),
    )
    return PendingEvent(TABLE_STATUS_CHANGED, table.branch_id, data)


@in_event_language
def table_event(type: EventType[TableData], table: Table) -> PendingEvent[TableData]:
    data = TableData(
        table=cast(TableObject, represent(TableSerializer, table)),
        company_id=str(table.company_id),
        branch_id=str(table.branch_id),
    )
    return PendingEvent(type, table.branch_id, data)


@in_event_language
def task_event(type: EventType[KitchenTaskData], task: KitchenTask) -> PendingEvent[KitchenTaskData]:
    """Needs the task's line, order table and station loaded (``selectors.kitchen.TASK_SELECTED``)."""
    data = KitchenTaskData(
        task=cast(KitchenTaskObject, represent(KitchenTaskSerializer, task)),
        company_id=str(task.company_id),
        branch_id=str(task.branch_id),
    )
    return PendingEvent(type, task.branch_id, data)


@in_event_language
def menu_item_updated(items_by_branch: Iterable[tuple[uuid.UUID, MenuItem]]) -> list[PendingEvent[MenuItemData]]:
    """One event per (branch, item as that branch sees it: ``selectors.menu.in_branch``)."""
    return [
        PendingEvent(
            MENU_ITEM_UPDATED,
            branch_id,
            MenuItemData(
                menu_item=cast(MenuItemObject, represent(MenuItemSerializer, item)),
                company_id=str(item.company_id),
                branch_id=str(branch_id),
            ),
        )
        for branch_id, item in items_by_branch
    ]


@in_event_language
def shift_event(type: EventType[ShiftData], shift: Shift) -> PendingEvent[ShiftData]:
    data = ShiftData(
        shift=cast(ShiftObject, represent(ShiftSerializer, shift)),
        company_id=str(shift.company_id),
        branch_id=str(shift.branch_id),
    )
    return PendingEvent(type, shift.branch_id, data)
