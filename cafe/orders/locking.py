"""The one lock protocol of every write that touches an order. Rows are locked in
this order, each kind in id order, a write taking only what it needs:

    (bookings →) orders → tables → lines → kitchen tasks → stop-list counts (``cafe.menu.stock``)
    → stock levels (``cafe.store.posting``) → the stop-list rows of stock-tracked items
    (``cafe.store.posting.portions_set``) → the branch's open cash shift → the branch's
    pickup counter → the company (the event log: ``realtime.emit``, always last)

No write goes back to an earlier kind once it holds a later one, so two writes
queue on their first common row instead of deadlocking. An order is locked before
its table: while a write holds the order, the table it is at cannot change (a move
holds it too), so there is nothing to re-read and nothing to retry. Every lock is
``FOR NO KEY UPDATE``, which leaves the foreign-key checks (``FOR KEY SHARE``) of
rows inserted meanwhile free. A booking's write (``cafe.bookings``) locks the booking
before anything here; no order write locks a booking. An order's tables are its
``table`` and its ``joined_tables``, locked together in one id order. The storeroom's
own documents (a purchase, count, transfer: ``docs/inventory.md``) lock themselves,
then stock levels, then the stop-list rows of stock-tracked items: the same order. The
stop-list counts (items without a recipe) and the rows of stock-tracked items are
different rows of the same tables: an item is one or the other. Everything here runs
inside the caller's transaction."""

import uuid
from collections.abc import Collection

from django.db.models import Exists, OuterRef

from accounts.tenancy import Tenant
from cafe.floor.models import Table
from cafe.orders.models import Order
from cafe.shared.services import with_prefetched

JoinedTable = Order.joined_tables.through


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
    the orders only, for writes that never touch a table, such as the kitchen's). Their
    joined tables are locked with the tables (prefetched as ``joined_tables``). A
    missing order (or another tenant's): ``Order.DoesNotExist``, a 404."""
    wanted = {uuid.UUID(str(pk)) for pk in order_ids}
    rows = tenant.scope(Order).filter(pk__in=sorted(wanted)).order_by("pk")
    rows = rows.annotate(has_joined=Exists(JoinedTable.objects.filter(order_id=OuterRef("pk"))))
    orders: dict[uuid.UUID, Order] = {order.pk: order for order in rows.select_for_update(of=("self",), no_key=True)}
    if len(orders) != len(wanted):
        raise Order.DoesNotExist
    joined: dict[uuid.UUID, list[uuid.UUID]] = {pk: [] for pk in orders}
    if any(order.has_joined for order in orders.values()):  # type: ignore[attr-defined]
        for order_id, table_id in JoinedTable.objects.filter(order_id__in=list(orders)).values_list(
            "order_id", "table_id"
        ):
            joined[order_id].append(table_id)
    if not lock_tables:
        for order in orders.values():
            if not joined[order.pk]:
                with_prefetched(order, joined_tables=[])
        return orders, {}
    every = {pk for ids in joined.values() for pk in ids}
    locked = tables_locked(
        tenant, {order.table_id for order in orders.values() if order.table_id} | set(tables) | every
    )
    for order in orders.values():
        if order.table_id is not None:
            order.table = locked[order.table_id]
        with_prefetched(order, joined_tables=[locked[pk] for pk in joined[order.pk]])
    return orders, locked


def order_locked(tenant: Tenant, order_id: uuid.UUID, *, table: bool | None = None) -> Order:
    """The order, locked, with its table (read). The table is locked too, right
    after it, when ``table`` is true, or by default when the order has payments: a
    change to such an order may settle it paid (``cafe.orders.settle``) and free
    its table, which must then already be held. Its joined tables (``joined_tables``,
    prefetched) are locked with its table, in one id order; an order without any
    (most) costs no statement more: the lock's query says whether it has some."""
    rows = tenant.scope(Order).select_for_update(of=("self",), no_key=True)
    rows = rows.annotate(has_joined=Exists(JoinedTable.objects.filter(order_id=OuterRef("pk"))))
    order = rows.get(pk=order_id) if table else rows.select_related("table").get(pk=order_id)
    joined: list[uuid.UUID] = []
    if order.has_joined:
        joined = list(JoinedTable.objects.filter(order_id=order.pk).values_list("table_id", flat=True))
    if order.table_id is not None and (table or (table is None and order.paid > 0)):
        locked = tables_locked(tenant, [order.table_id, *joined])
        order.table = locked[order.table_id]
        with_prefetched(order, joined_tables=[locked[pk] for pk in joined])
    elif joined:
        with_prefetched(order, joined_tables=list(tenant.scope(Table).filter(pk__in=joined).order_by("number")))
    else:
        with_prefetched(order, joined_tables=[])
    return order
