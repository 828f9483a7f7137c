"""When a table is busy: from its first open order until its last one ends. An
order's tables are its ``table`` and its ``joined_tables`` (pushed together for a
large party): each is busy while the order is open and freed when it ends, like the
main one. The one place the floor's status follows the orders. Runs with the tables
locked (``cafe.orders.locking``), inside the order's transaction."""

from typing import Any

from django.db.models import Q

from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_status_set
from cafe.orders.models import Order, OrderStatus
from realtime.emit import PendingEvent

JoinedTable = Order.joined_tables.through


def table_occupy(table: Table) -> list[PendingEvent[Any]]:
    """An open order sits at the table: it is busy (a free or reserved one becomes so)."""
    return table_status_set(table, TableStatus.BUSY)


def table_vacate(table: Table | None, leaving: Order) -> list[PendingEvent[Any]]:
    """``leaving`` left the table (ended or moved; saved or not yet): a busy table no
    other open order holds (as its table or joined to it) is free."""
    if table is None or table.status != TableStatus.BUSY:
        return []
    joined = JoinedTable.objects.filter(table_id=table.pk).values("order_id")
    holders = Order.unscoped.filter(Q(table=table) | Q(pk__in=joined), status=OrderStatus.OPEN)
    if holders.exclude(pk=leaving.pk).exists():
        return []
    return table_status_set(table, TableStatus.FREE)


def order_vacate(order: Order) -> list[PendingEvent[Any]]:
    """The order ended: each of its tables (the main one and the joined ones, locked by
    ``cafe.orders.locking.order_locked``) that no other open order holds is free."""
    events = table_vacate(order.table if order.table_id else None, order)
    for table in order.joined_tables.all():  # prefetched with their locks
        events += table_vacate(table, order)
    return events
