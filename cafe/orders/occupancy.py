"""When a table is busy: from its first open order until its last one ends. An
order's tables are its ``table`` and its ``joined_tables`` (pushed together for a
large party): each is busy while the order is open and freed when it ends, like the
main one. The one place the floor's status follows the orders. Runs with the tables
locked (``cafe.orders.locking``), inside the order's transaction."""

import functools
from typing import Any

from django.db import connections, router

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
    alias = router.db_for_write(Order)
    connection = connections[alias]
    table_key = Table._meta.pk.get_db_prep_value(table.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            _held_sql(alias),
            [OrderStatus.OPEN, Order._meta.pk.get_db_prep_value(leaving.pk, connection), table_key, table_key],
        )
        if cursor.fetchone() is not None:
            return []
    return table_status_set(table, TableStatus.FREE)


@functools.cache
def _held_sql(alias: str) -> str:
    """Whether another open order holds the table, as its table or joined to it (the
    statement written once: building it as a queryset on every close cost more than
    running it)."""
    quote = connections[alias].ops.quote_name
    order, joined = quote(Order._meta.db_table), quote(JoinedTable._meta.db_table)
    return (
        f"SELECT 1 FROM {order} WHERE {order}.{quote('status')} = %s AND {order}.{quote('id')} <> %s"
        f" AND ({order}.{quote('table_id')} = %s OR {order}.{quote('id')} IN"
        f" (SELECT {joined}.{quote('order_id')} FROM {joined} WHERE {joined}.{quote('table_id')} = %s)) LIMIT 1"
    )


def order_vacate(order: Order) -> list[PendingEvent[Any]]:
    """The order ended: each of its tables (the main one and the joined ones, locked by
    ``cafe.orders.locking.order_locked``) that no other open order holds is free."""
    events = table_vacate(order.table if order.table_id else None, order)
    for table in order.joined_tables.all():  # prefetched with their locks
        events += table_vacate(table, order)
    return events
