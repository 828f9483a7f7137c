"""When a table is busy: from its first open order until its last one ends. The one
place the floor's status follows the orders (bookings will hook here). Runs with
the table locked (``cafe.orders.locking``), inside the order's transaction."""

from typing import Any

from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_status_set
from cafe.orders.models import Order, OrderStatus
from realtime.emit import PendingEvent


def table_occupy(table: Table) -> list[PendingEvent[Any]]:
    """An open order sits at the table: it is busy (a free or reserved one becomes so)."""
    return table_status_set(table, TableStatus.BUSY)


def table_vacate(table: Table | None, leaving: Order) -> list[PendingEvent[Any]]:
    """``leaving`` left the table (ended or moved; saved or not yet): a busy table with
    no other open order is free."""
    if table is None or table.status != TableStatus.BUSY:
        return []
    if table.orders.filter(status=OrderStatus.OPEN).exclude(pk=leaving.pk).exists():
        return []
    return table_status_set(table, TableStatus.FREE)
