"""Split a bill by lines, move an order to another table, merge two orders of a
table (docs/split.md). Each public function is one transaction that ends by
handing its events to ``emit``. Locks follow ``cafe.orders.locking``: the orders
(in id order), then their tables and the table moved to (in id order), then
their lines and kitchen tasks, then the company (``emit``); so these writes
racing each other, a close or a payment queue on the same rows instead of
deadlocking. Every check of an order's state (open, paid) runs after its lock."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.orders.events import ORDER_CREATED, ORDER_MERGED, ORDER_READY, ORDER_UPDATED, order_event
from cafe.orders.kitchen import task_events
from cafe.orders.locking import JoinedTable, orders_locked
from cafe.orders.models import (
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
from cafe.orders.money import recalculate
from cafe.orders.occupancy import table_occupy, table_vacate
from cafe.orders.services import check_lines, check_portions, must_be_open, order_changed
from cafe.orders.settle import order_settle, order_transition
from cafe.shared.services import with_prefetched
from core.errors import Conflict
from realtime.emit import emit

# Order.guests is a PositiveSmallIntegerField.
GUESTS_MAX = 32767


def _must_be_open(order: Order, *, other: bool = False) -> None:
    if other and order.status != OrderStatus.OPEN:
        status = order.get_status_display().lower()
        raise Conflict(_("The other order is %(status)s; only open orders can be merged.") % {"status": status})
    must_be_open(order)
    if order.service != Service.DINE_IN:
        raise Conflict(_("The order is takeaway; only dine-in orders are split, moved or merged."))


def _must_have_no_payments(order: Order) -> None:
    """Money taken stays on its order: lines paid (or partly paid) for cannot leave it.
    Runs with the order locked, so a payment in flight is either seen or waits."""
    if order.payments.exists():
        raise Conflict(
            _("Payments were taken on order %(order)s; its lines cannot move to another order.") % {"order": order.pk}
        )


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
    source = orders_locked(tenant, [order_id])[0][order_id]
    _must_be_open(source)
    _must_have_no_payments(source)
    wanted = {entry["line"]: entry["quantity"] for entry in lines}
    locked = source.items.select_for_update(of=("self",), no_key=True).filter(pk__in=list(wanted)).order_by("pk")
    rows = {line.pk: line for line in locked.prefetch_related("modifiers")}
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

    new = Order(
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
            weight=line.weight,
            price_per_kg=line.price_per_kg,
            note=line.note,
            course=line.course,
            split_from=line,
            # What the storeroom took stays recorded under the line it was taken for.
            stock_taken=line.stock_taken,
        )
        if line.discount_kind == DiscountKind.PERCENT:
            part.discount_kind, part.discount_value = line.discount_kind, line.discount_value
            part.discount_reason = line.discount_reason
        new_lines.append(part)
        copied = [
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
        with_prefetched(part, modifiers=copied)
        new_modifiers += copied
        live = sorted((task for task in tasks_of[line.pk] if task.status != TaskStatus.CANCELLED), key=_moving_order)
        for portion, task in enumerate(sorted(live[:quantity], key=lambda task: task.portion), start=1):
            task.order, task.line, task.portion = new, part, portion
            moved.append(task)
    # The new order is written once, with its bill and readiness worked out from the
    # lines and portions it takes (all in memory here).
    recalculate(new, [*whole, *new_lines])
    live = [task for task in moved if task.status != TaskStatus.CANCELLED]
    ready = bool(live) and all(task.status in (TaskStatus.READY, TaskStatus.SERVED) for task in live)
    new.ready_at = now if ready else None
    new.save()
    OrderItem.objects.bulk_create(new_lines)
    OrderItemModifier.objects.bulk_create(new_modifiers)
    tenant.scope(OrderItem).bulk_update(whole, ["order", "updated_at"])
    tenant.scope(OrderItem).bulk_update(reduced, ["quantity", "updated_at"])
    for task in moved:
        task.updated_at = now
    tenant.scope(KitchenTask).bulk_update(moved, ["order", "line", "portion", "updated_at"])
    moved_events = task_events(tenant, moved)
    created = order_settle(tenant, new, ORDER_CREATED, lines=[*whole, *new_lines])
    emit(
        company_id=tenant.company_id,
        events=[
            *order_settle(tenant, source, ORDER_UPDATED, *moved_events, fields=["updated_at"]),
            *created,
            *([order_event(ORDER_READY, new)] if ready else []),
            *(table_occupy(source.table) if source.table else []),
            *moved_events,
        ],
    )
    return source, new


@transaction.atomic
def order_move(*, tenant: Tenant, order_id: uuid.UUID, table: uuid.UUID) -> Order:
    """Moves an open dine-in order to another table of its branch: the party moves
    there alone, so its old table and any joined to it are freed with their last open
    order, the new one becomes busy (a reserved one too); the kitchen sees the new
    table number on the portions still to make or serve."""
    order_id = uuid.UUID(str(order_id))  # the URL's id is a string
    orders, tables = orders_locked(tenant, [order_id], tables=[table])
    order = orders[order_id]
    if order.table_id == table:
        raise ValidationError({"table": [_("The order is already at this table.")]})
    if table not in tables or tables[table].branch_id != order.branch_id:
        raise ValidationError({"table": [_("Table not found.")]})
    _must_be_open(order)
    old, new = tables[cast(uuid.UUID, order.table_id)], tables[table]
    leaving = [old, *(joined for joined in order.joined_tables.all() if joined.pk != table)]
    if order.joined_tables.all():
        JoinedTable.objects.filter(order_id=order.pk).delete()
        with_prefetched(order, joined_tables=[])
    order.table = new
    extra = [*(event for left in leaving for event in table_vacate(left, order)), *table_occupy(new)]
    # Locked, so a cook's action on one queues and then reads the new table.
    live = list(
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(order=order)
        .exclude(status__in=[TaskStatus.SERVED, TaskStatus.CANCELLED])
        .order_by("created_at", "portion", "id")
    )
    kitchen = task_events(tenant, live, order=order)
    return order_changed(tenant, ORDER_UPDATED, order, *extra, *kitchen, fields=["table"])


@transaction.atomic
def order_merge(*, tenant: Tenant, order_id: uuid.UUID, other: uuid.UUID) -> Order:
    """Merges ``other``, an open order of the same table, into this one: its lines
    (voided ones stay voided) and their kitchen tasks move here, its guests add up,
    and it ends ``merged`` (``merged_into`` this one) with an empty bill."""
    order_id = uuid.UUID(str(order_id))  # the URL's id is a string
    if other == order_id:
        raise ValidationError({"order": [_("An order cannot be merged into itself.")]})
    found = set(tenant.scope(Order).filter(pk__in=[order_id, other]).values_list("pk", flat=True))
    if order_id not in found:
        raise Order.DoesNotExist
    if other not in found:
        raise ValidationError({"order": [_("Order not found.")]})
    orders = orders_locked(tenant, [order_id, other])[0]
    target, source = orders[order_id], orders[other]
    _must_be_open(target)
    _must_be_open(source, other=True)
    if source.table_id != target.table_id:
        raise ValidationError({"order": [_("The other order is at another table.")]})
    _must_have_no_payments(source)
    if target.guests + source.guests > GUESTS_MAX:
        raise Conflict(_("An order seats at most %(limit)s guests.") % {"limit": GUESTS_MAX})
    check_lines(target.items.count(), source.items.count())
    tasks = list(
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(order=source)
        .order_by("created_at", "portion", "id")
    )
    check_portions(tenant, target, sum(1 for task in tasks if task.status != TaskStatus.CANCELLED))
    now = timezone.now()
    source.items.update(order=target, updated_at=now)
    tenant.scope(KitchenTask).filter(pk__in=[task.pk for task in tasks]).update(order=target, updated_at=now)
    order_transition(source, OrderStatus.MERGED)
    source.merged_into = target
    merged = order_settle(tenant, source, ORDER_MERGED, fields=["status", "merged_into", "closed_at"])
    # Its table is the target's; the tables joined to it are freed unless another order holds them.
    vacated = [event for joined in source.joined_tables.all() for event in table_vacate(joined, source)]
    target.guests += source.guests
    return order_changed(
        tenant, ORDER_UPDATED, target, *merged, *vacated, *task_events(tenant, tasks), fields=["guests"]
    )
