"""The one lock protocol of every write that touches an order. Rows are locked in
this order, each kind in id order, a write taking only what it needs:

    orders → tables → lines → kitchen tasks → stop-list counts (``cafe.menu.stock``)
    → the branch's open cash shift → the branch's pickup counter → the company
    (the event log: ``realtime.emit``, always last)

No write goes back to an earlier kind once it holds a later one, so two writes
queue on their first common row instead of deadlocking. An order is locked before
its table: while a write holds the order, the table it is at cannot change (a move
holds it too), so there is nothing to re-read and nothing to retry. Every lock is
``FOR NO KEY UPDATE``, which leaves the foreign-key checks (``FOR KEY SHARE``) of
rows inserted meanwhile free. Everything here runs inside the caller's transaction."""

import uuid
from collections.abc import Collection

from accounts.tenancy import Tenant
from cafe.floor.models import Table
from cafe.orders.models import Order


def tables_locked(
    tenant: Tenant, table_ids: Collection[uuid.UUID], *, with_branch: bool = False
) -> dict[uuid.UUID, Table]:
    """The tenant's tables of ``table_ids`` (those it may see), locked in id order
    (``with_branch``: their branch read with them, for a new order's settings)."""
    if not table_ids:
        return {}
    rows = tenant.scope(Table).filter(pk__in=sorted(set(table_ids))).order_by("pk")
    if with_branch:
        rows = rows.select_related("branch")
    return {table.pk: table for table in rows.select_for_update(of=("self",), no_key=True)}


def orders_locked(
    tenant: Tenant, order_ids: Collection[uuid.UUID], *, tables: Collection[uuid.UUID] = (), lock_tables: bool = True
) -> tuple[dict[uuid.UUID, Order], dict[uuid.UUID, Table]]:
    """The orders (in id order), then their tables and the ``tables`` named (in id
    order), locked; each order's ``table`` is its locked row (``lock_tables=False``:
    the orders only, for writes that never touch a table, such as the kitchen's). A
    missing order (or another tenant's): ``Order.DoesNotExist``, a 404."""
    wanted = {uuid.UUID(str(pk)) for pk in order_ids}
    rows = tenant.scope(Order).filter(pk__in=sorted(wanted)).order_by("pk")
    orders = {order.pk: order for order in rows.select_for_update(of=("self",), no_key=True)}
    if len(orders) != len(wanted):
        raise Order.DoesNotExist
    if not lock_tables:
        return orders, {}
    locked = tables_locked(tenant, {order.table_id for order in orders.values() if order.table_id} | set(tables))
    for order in orders.values():
        if order.table_id is not None:
            order.table = locked[order.table_id]
    return orders, locked


def order_locked(tenant: Tenant, order_id: uuid.UUID, *, table: bool | None = None) -> Order:
    """The order, locked, with its table (read). The table is locked too, right
    after it, when ``table`` is true, or by default when the order has payments: a
    change to such an order may settle it paid (``cafe.orders.settle``) and free
    its table, which must then already be held."""
    rows = tenant.scope(Order).select_for_update(of=("self",), no_key=True)
    order = rows.get(pk=order_id) if table else rows.select_related("table").get(pk=order_id)
    if order.table_id is not None and (table or (table is None and order.paid > 0)):
        order.table = tables_locked(tenant, [order.table_id])[order.table_id]
    return order
