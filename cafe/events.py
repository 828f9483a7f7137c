"""The cafe's events: payloads built from the same serializers as the REST
answers, so a socket and the API never disagree about an order."""

from cafe.models import Order, Table
from cafe.serializers import OrderSerializer, TableSerializer, represent
from realtime.emit import PendingEvent


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
