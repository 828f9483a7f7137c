"""The cafe's events, built from the same serializers as the REST answers, so a
socket and the API never disagree about an order or a table. Each is built in the
server's language (``in_event_language``): its text is shared by every socket."""

from typing import cast

from cafe.models import Order, Table
from cafe.serializers import OrderSerializer, TableSerializer, represent
from realtime.catalogue import (
    TABLE_STATUS_CHANGED,
    EventType,
    OrderData,
    OrderObject,
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
