"""Split a bill by lines, move an order to another table, merge two orders of a
table (docs/split.md). Each public function is one transaction that ends by
handing its events to ``emit``. Locks follow ``services.orders``: the tables (in
id order), then the orders (in id order), then their lines and kitchen tasks,
then the company (``emit``); so these writes racing each other, a close or a
payment queue on the same rows instead of deadlocking. Every check of an
order's state (open, paid) runs after its lock."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.floor.events import table_status_changed
from cafe.floor.models import Table, TableStatus
from cafe.orders.events import order_event
from cafe.orders.kitchen import task_events
from cafe.orders.models import (
    ORDER_TRANSITIONS,
    STARTED_STATUSES,
    DiscountKind,
    KitchenTask,
    Order,
    OrderItem,
    OrderItemModifier,
    OrderStatus,
    Service,
    TaskStatus,
)
from cafe.orders.services import _bill, _check_lines, _check_portions, _order_changed, _settled
from core.errors import Conflict
from realtime.catalogue import ORDER_CREATED, ORDER_MERGED, ORDER_UPDATED
from realtime.emit import PendingEvent, emit

# How often a lock is retried when the order moved to another table between
# reading its table and locking it (a concurrent move).
LOCK_ATTEMPTS = 3
# Order.guests is a PositiveSmallIntegerField.
GUESTS_MAX = 32767


class _TableChanged(Exception):
    """An order moved to another table while its (old) table was being locked."""


def _lock(
    tenant: Tenant, order_ids: Sequence[uuid.UUID], also: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, Table], dict[uuid.UUID, Order]]:
    at = dict(tenant.scope(Order).filter(pk__in=order_ids).values_list("pk", "table_id"))
    if len(at) != len(set(order_ids)):
        raise Order.DoesNotExist
    table_ids = sorted({*at.values(), *also} - {None})
    tables = {
        table.pk: table
        for table in tenant.scope(Table)
        .filter(pk__in=table_ids)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    }
    orders = {
        order.pk: order
        for order in tenant.scope(Order)
        .filter(pk__in=order_ids)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    }
    if any(orders[pk].table_id != table_id for pk, table_id in at.items()):
        raise _TableChanged
    for order in orders.values():
        order.table = tables.get(order.table_id) if order.table_id else None
    return tables, orders


def _locked(
    tenant: Tenant, order_ids: Sequence[uuid.UUID], also: Sequence[uuid.UUID] = ()
) -> tuple[dict[uuid.UUID, Table], dict[uuid.UUID, Order]]:
    """Locks the orders' tables and the tables ``also`` names (those the tenant
    may see; in id order), then the orders (in id order). An order moved to
    another table meanwhile is locked again at its new table, the first locks
    released (the savepoint is rolled back). A missing order: 404."""
    for _attempt in range(LOCK_ATTEMPTS):
        try:
            with transaction.atomic():
                return _lock(tenant, order_ids, also)
        except _TableChanged:
            continue
    raise Conflict(_("The order is being moved to another table; try again."))


def _must_be_open(order: Order, *, other: bool = False) -> None:
    if order.status != OrderStatus.OPEN:
        status = order.get_status_display().lower()
        if other:
            raise Conflict(_("The other order is %(status)s; only open orders can be merged.") % {"status": status})
        raise Conflict(_("The order is %(status)s; only open orders can change.") % {"status": status})
    if order.service != Service.DINE_IN:
        raise Conflict(_("The order is takeaway; only dine-in orders are split, moved or merged."))


def _must_have_no_payments(order: Order) -> None:
    """Money taken stays on its order: lines paid (or partly paid) for cannot leave it.
    Runs with the order locked, so a payment in flight is either seen or waits."""
    if order.payments.exists():
        raise Conflict(
            _("Payments were taken on order %(order)s; its lines cannot move to another order.") % {"order": order.pk}
        )


def _table_busy(table: Table) -> list[PendingEvent[Any]]:
    if table.status == TableStatus.BUSY:
        return []
    table.status = TableStatus.BUSY
    table.save(update_fields=["status", "updated_at"])
    return [table_status_changed(table)]


def _moving_order(task: KitchenTask) -> tuple[bool, int]:
    """Which of a line's portions go first when part of it moves: as a reduced
    quantity cancels them, those the kitchen has not started first, the last first."""
    return task.status in STARTED_STATUSES, -task.portion


@transaction.atomic
def order_split(
    *, tenant: Tenant, order_id: uuid.UUID, lines: Sequence[dict[str, Any]], guests: int = 1
) -> tuple[Order, Order]:
    """Moves lines, or part of a line's quantity, to a new order on the same table.
    A whole line keeps its id and its kitchen tasks; part of one becomes a new line
    (``split_from`` the source line) taking that many of its portions. Returns the
    source order and the new one."""
    order_id = uuid.UUID(str(order_id))  # the URL's id is a string
    orders = _locked(tenant, [order_id])[1]
    source = orders[order_id]
    _must_be_open(source)
    _must_have_no_payments(source)
    wanted = {entry["line"]: entry["quantity"] for entry in lines}
    rows = {
        line.pk: line
        for line in source.items.select_for_update(of=("self",), no_key=True).filter(pk__in=list(wanted)).order_by("pk")
    }
    errors: dict[str, dict[str, list[str]]] = {}
    for index, entry in enumerate(lines):
        line = rows.get(entry["line"])
        if line is None:
            errors[str(index)] = {"line": [_("Line not found in this order.")]}
        elif not line.voided and entry["quantity"] > line.quantity:
            errors[str(index)] = {
                "quantity": [_("The line has %(quantity)s; at most that can move.") % {"quantity": line.quantity}]
            }
    if errors:
        raise ValidationError({"lines": errors})
    voided = [line for line in rows.values() if line.voided]
    if voided:
        raise Conflict(_("Line %(line)s is voided; a voided line cannot move.") % {"line": voided[0].pk})
    staying = source.items.filter(voided_at__isnull=True).values_list("pk", "quantity")
    if all(wanted.get(pk) == quantity for pk, quantity in staying):
        raise ValidationError({"lines": [_("At least one line must stay on the order; move less.")]})

    new = Order.objects.create(
        company=tenant.company,
        branch_id=source.branch_id,
        table=source.table,
        service=Service.DINE_IN,
        guests=guests,
        waiter=tenant.user,
        split_from=source,
        service_charge_percent=source.service_charge_percent,
    )
    tasks_of: dict[uuid.UUID, list[KitchenTask]] = defaultdict(list)
    for task in (
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(line__in=list(rows))
        .order_by("pk")
    ):
        tasks_of[task.line_id].append(task)
    now = timezone.now()
    whole, reduced, new_lines, new_modifiers, moved = [], [], [], [], []
    for entry in lines:
        line, quantity = rows[entry["line"]], entry["quantity"]
        line.updated_at = now
        if quantity == line.quantity:
            line.order = new
            whole.append(line)
            for task in tasks_of[line.pk]:
                task.order = new
                moved.append(task)
            continue
        line.quantity -= quantity
        reduced.append(line)
        part = OrderItem(
            company_id=line.company_id,
            order=new,
            menu_item_id=line.menu_item_id,
            title=line.title,
            price=line.price,
            quantity=quantity,
            note=line.note,
            course=line.course,
            split_from=line,
        )
        if line.discount_kind == DiscountKind.PERCENT:
            part.discount_kind, part.discount_value = line.discount_kind, line.discount_value
            part.discount_reason = line.discount_reason
        new_lines.append(part)
        new_modifiers += [
            OrderItemModifier(
                company_id=line.company_id,
                line=part,
                modifier_id=modifier.modifier_id,
                group=modifier.group,
                name=modifier.name,
                price=modifier.price,
            )
            for modifier in line.modifiers.all()
        ]
        live = sorted((task for task in tasks_of[line.pk] if task.status != TaskStatus.CANCELLED), key=_moving_order)
        for portion, task in enumerate(sorted(live[:quantity], key=lambda task: task.portion), start=1):
            task.order, task.line, task.portion = new, part, portion
            moved.append(task)
    OrderItem.objects.bulk_create(new_lines)
    OrderItemModifier.objects.bulk_create(new_modifiers)
    tenant.scope(OrderItem).bulk_update(whole, ["order", "updated_at"])
    tenant.scope(OrderItem).bulk_update(reduced, ["quantity", "updated_at"])
    for task in moved:
        task.updated_at = now
    tenant.scope(KitchenTask).bulk_update(moved, ["order", "line", "portion", "updated_at"])
    source.save(update_fields=["updated_at"])
    moved_events = task_events(tenant, moved)
    emit(
        company_id=tenant.company_id,
        events=[
            *_settled(tenant, ORDER_UPDATED, source, *moved_events),
            *_settled(tenant, ORDER_CREATED, new, *moved_events),
            *(_table_busy(source.table) if source.table else []),
            *moved_events,
        ],
    )
    return source, new


@transaction.atomic
def order_move(*, tenant: Tenant, order_id: uuid.UUID, table: uuid.UUID) -> Order:
    """Moves an open dine-in order to another table of its branch: the old table is
    freed with its last open order, the new one becomes busy (a reserved one too);
    the kitchen sees the new table number on the portions still to make or serve."""
    order_id = uuid.UUID(str(order_id))  # the URL's id is a string
    branch_id, table_id = tenant.scope(Order).values_list("branch_id", "table_id").get(pk=order_id)
    if table == table_id:
        raise ValidationError({"table": [_("The order is already at this table.")]})
    if not tenant.scope(Table).filter(pk=table, branch=branch_id).exists():
        raise ValidationError({"table": [_("Table not found.")]})
    tables, orders = _locked(tenant, [order_id], also=[table])
    order = orders[order_id]
    _must_be_open(order)
    if table not in tables:
        raise ValidationError({"table": [_("Table not found.")]})
    if order.table_id == table:
        raise ValidationError({"table": [_("The order is already at this table.")]})
    old, new = tables[cast(uuid.UUID, order.table_id)], tables[table]
    order.table = new
    order.save(update_fields=["table", "updated_at"])
    extra = []
    if old.status == TableStatus.BUSY and not old.orders.filter(status=OrderStatus.OPEN).exists():
        old.status = TableStatus.FREE
        old.save(update_fields=["status", "updated_at"])
        extra.append(table_status_changed(old))
    extra += _table_busy(new)
    # Locked, so a cook's action on one queues and then reads the new table.
    live = list(
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(order=order)
        .exclude(status__in=[TaskStatus.SERVED, TaskStatus.CANCELLED])
        .order_by("created_at", "portion", "id")
    )
    return _order_changed(tenant, ORDER_UPDATED, order, *extra, *task_events(tenant, live))


@transaction.atomic
def order_merge(*, tenant: Tenant, order_id: uuid.UUID, other: uuid.UUID) -> Order:
    """Merges ``other``, an open order of the same table, into this one: its lines
    (voided ones stay voided) and their kitchen tasks move here, its guests add up,
    and it ends ``merged`` (``merged_into`` this one) with an empty bill."""
    order_id = uuid.UUID(str(order_id))  # the URL's id is a string
    if other == order_id:
        raise ValidationError({"order": [_("An order cannot be merged into itself.")]})
    tenant.scope(Order).values_list("pk").get(pk=order_id)
    if not tenant.scope(Order).filter(pk=other).exists():
        raise ValidationError({"order": [_("Order not found.")]})
    orders = _locked(tenant, [order_id, other])[1]
    target, source = orders[order_id], orders[other]
    _must_be_open(target)
    _must_be_open(source, other=True)
    if source.table_id != target.table_id:
        raise ValidationError({"order": [_("The other order is at another table.")]})
    _must_have_no_payments(source)
    if target.guests + source.guests > GUESTS_MAX:
        raise Conflict(_("An order seats at most %(limit)s guests.") % {"limit": GUESTS_MAX})
    _check_lines(target.items.count(), source.items.count())
    tasks = list(
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(order=source)
        .order_by("created_at", "portion", "id")
    )
    _check_portions(tenant, target, sum(1 for task in tasks if task.status != TaskStatus.CANCELLED))
    now = timezone.now()
    source.items.update(order=target, updated_at=now)
    tenant.scope(KitchenTask).filter(pk__in=[task.pk for task in tasks]).update(order=target, updated_at=now)
    assert OrderStatus.MERGED in ORDER_TRANSITIONS[source.status]
    source.status, source.merged_into, source.closed_at = OrderStatus.MERGED, target, now
    source.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    target.guests += source.guests
    target.save(update_fields=["guests", "updated_at"])
    _bill(tenant, source)
    return _order_changed(
        tenant,
        ORDER_UPDATED,
        target,
        order_event(ORDER_MERGED, source),
        *task_events(tenant, tasks),
    )
