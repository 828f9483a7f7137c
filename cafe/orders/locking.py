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

import functools
import uuid
from collections.abc import Collection

from django.db import connections, router
from django.db.models import Exists, OuterRef

from accounts.models import Branch
from accounts.scoping import tenant_where
from accounts.tenancy import Tenant
from cafe.floor.models import Table
from cafe.orders.models import Order
from cafe.shared.services import with_prefetched
from core.rows import columns, key, lock_clause, rows_read

JoinedTable = Order.joined_tables.through

# The two locks every order write takes, the order's and its tables', are statements
# written once per shape (``core.rows``) instead of querysets built and compiled on
# every request: the same rows, the same tenant scope (``tenant_where``, the SQL of
# ``tenant.scope``), the same ``FOR NO KEY UPDATE OF`` and id order.


def tables_locked(
    tenant: Tenant, table_ids: Collection[uuid.UUID], *, with_branch: bool = False
) -> dict[uuid.UUID, Table]:
    """The tenant's tables of ``table_ids`` (those it may see), locked in id order
    (``with_branch``: their branch read with them, for a new order's settings)."""
    if not table_ids:
        return {}
    alias = router.db_for_write(Table)
    ids = [key(Table, pk, alias) for pk in sorted(set(table_ids))]
    scope, params = tenant_where(Table, tenant, alias)
    sql = _tables_sql(alias, len(ids), with_branch=with_branch).format(scope=scope)
    related = (("branch", Branch),) if with_branch else ()
    return {table.pk: table for table in rows_read(alias, sql, [*ids, *params], Table, related=related)}


@functools.cache
def _tables_sql(alias: str, count: int, *, with_branch: bool) -> str:
    quote = connections[alias].ops.quote_name
    table = quote(Table._meta.db_table)
    chosen, joins = columns(Table, alias), ""
    if with_branch:
        branch = quote(Branch._meta.db_table)
        chosen += ", " + columns(Branch, alias)
        joins = f" INNER JOIN {branch} ON ({table}.{quote('branch_id')} = {branch}.{quote('id')})"
    keys = ", ".join(["%s"] * count)
    return (
        f"SELECT {chosen} FROM {table}{joins} WHERE {table}.{quote('id')} IN ({keys}) AND {{scope}}"
        f" ORDER BY {table}.{quote('id')} ASC{lock_clause(alias, Table)}"
    )


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
    alias = router.db_for_write(Order)
    scope, params = tenant_where(Order, tenant, alias)
    sql = _order_sql(alias, with_table=not table).format(scope=scope)
    related = () if table else (("table", Table),)
    found = rows_read(alias, sql, [key(Order, order_id, alias), *params], Order, related=related, extra=("has_joined",))
    if not found:
        raise Order.DoesNotExist
    order = found[0]
    joined: list[uuid.UUID] = []
    if order.has_joined:  # type: ignore[attr-defined]
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


@functools.cache
def _order_sql(alias: str, *, with_table: bool) -> str:
    """The order by id in the tenant's scope, locked, whether it has joined tables
    and (``with_table``) its table, read."""
    quote = connections[alias].ops.quote_name
    order, joined = quote(Order._meta.db_table), quote(JoinedTable._meta.db_table)
    has_joined = f"EXISTS(SELECT 1 FROM {joined} WHERE {joined}.{quote('order_id')} = {order}.{quote('id')})"
    chosen, joins = f"{columns(Order, alias)}, {has_joined}", ""
    if with_table:  # the columns in ``rows_read``'s order: the order's, its table's, then the flag
        table = quote(Table._meta.db_table)
        chosen = f"{columns(Order, alias)}, {columns(Table, alias)}, {has_joined}"
        joins = f" LEFT OUTER JOIN {table} ON ({order}.{quote('table_id')} = {table}.{quote('id')})"
    return (
        f"SELECT {chosen} FROM {order}{joins} WHERE {order}.{quote('id')} = %s AND {{scope}}{lock_clause(alias, Order)}"
    )
