"""Orders: each public function is one transaction that ends by handing its
events to ``emit``; locks are taken table → order → company, always in that
order, so concurrent writers queue instead of deadlocking."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.floor.events import table_status_changed
from cafe.floor.models import Table, TableStatus
from cafe.floor.selectors import table_get
from cafe.menu.events import menu_item_updated
from cafe.menu.models import MenuItem, MenuItemBranch, ModifierGroup
from cafe.menu.selectors import menu_for_branch, menu_item_views
from cafe.orders.events import order_event
from cafe.orders.kitchen import readiness_update, task_events, tasks_cancel, tasks_create
from cafe.orders.models import (
    ORDER_TRANSITIONS,
    STARTED_STATUSES,
    TASK_TRANSITIONS,
    KitchenTask,
    Order,
    OrderItem,
    OrderItemEdit,
    OrderItemModifier,
    OrderStatus,
    Service,
    TaskStatus,
)
from cafe.orders.money import ZERO, recalculate
from cafe.orders.selectors import order_get
from cafe.orders.takeaway import pickup_number_next
from cafe.shared.services import branch_for_write
from core.errors import Conflict
from realtime.catalogue import (
    KITCHEN_TASK_CREATED,
    KITCHEN_TASK_UPDATED,
    ORDER_CANCELLED,
    ORDER_CLOSED,
    ORDER_CREATED,
    ORDER_READY,
    ORDER_UPDATED,
    EventType,
    OrderData,
)
from realtime.emit import PendingEvent, emit


class StockShort(Conflict):
    """409 naming what is left: ``{"detail", "menu_item", "remaining"}``."""

    def __init__(self, item: MenuItem, remaining: int) -> None:
        super().__init__(_("Only %(remaining)s left of %(item)s.") % {"remaining": remaining, "item": item.title})
        detail: dict[str, Any] = {"detail": self.detail, "menu_item": str(item.pk), "remaining": remaining}
        self.detail = detail


def _stock_row(tenant: Tenant, branch_id: uuid.UUID, item: MenuItem) -> QuerySet:
    """Where an item's stop-list count lives in a branch: on the item, or on its branch row."""
    if item.branch_id is not None:
        return tenant.scope(MenuItem).filter(pk=item.pk)
    return tenant.scope(MenuItemBranch).filter(menu_item=item, branch=branch_id)


def _take_stock(tenant: Tenant, branch_id: uuid.UUID, wanted: dict[MenuItem, int]) -> list[uuid.UUID]:
    """Takes portions off the stop-list counts, or raises ``StockShort`` for the first
    item short of them; one conditional UPDATE each (in id order, so concurrent orders
    queue on the rows instead of deadlocking). Returns the items whose count changed."""
    changed = []
    for item, count in sorted(wanted.items(), key=lambda pair: pair[0].pk):
        rows = _stock_row(tenant, branch_id, item).filter(remaining__isnull=False)
        if rows.filter(remaining__gte=count).update(remaining=F("remaining") - count):
            changed.append(item.pk)
        elif (left := rows.values_list("remaining", flat=True).first()) is not None:
            raise StockShort(item, left)
    return changed


def _return_stock(tenant: Tenant, branch_id: uuid.UUID, item: MenuItem, count: int) -> list[uuid.UUID]:
    """Gives back portions that were never started (a line reduced or voided, an order cancelled)."""
    if count > 0 and _stock_row(tenant, branch_id, item).filter(remaining__isnull=False).update(
        remaining=F("remaining") + count
    ):
        return [item.pk]
    return []


def _modifier_errors(groups: Sequence[ModifierGroup], chosen: Sequence[uuid.UUID]) -> list[str]:
    offered = {modifier.pk: group for group in groups for modifier in group.modifiers.all()}
    errors = []
    if len(set(chosen)) != len(chosen):
        errors.append(_("Choose each modifier once."))
    unknown = [str(pk) for pk in dict.fromkeys(chosen) if pk not in offered]
    if unknown:
        errors.append(_("Not offered with this menu item: %(modifiers)s.") % {"modifiers": ", ".join(unknown)})
    for group in groups:
        count = sum(1 for pk in set(chosen) if offered.get(pk) is group)
        if count > group.max_choices:
            errors.append(
                _("Choose at most %(count)s from %(group)s.") % {"count": group.max_choices, "group": group.name}
            )
        if group.required and count == 0:
            errors.append(_("Choose from %(group)s.") % {"group": group.name})
    return errors


def _check_portions(tenant: Tenant, order: Order, adding: int) -> None:
    """An order has at most ``ORDER_MAX_PORTIONS`` portions in the kitchen (tasks not
    cancelled): each is a row and a ``kitchen_task_created`` event, so one request
    cannot flood the log and the kitchen sockets. Runs with the order locked."""
    if adding <= 0:
        return
    live = tenant.scope(KitchenTask).filter(order=order).exclude(status=TaskStatus.CANCELLED).count()
    if live + adding > settings.ORDER_MAX_PORTIONS:
        raise Conflict(
            _(
                "An order has at most %(limit)s portions in the kitchen (ORDER_MAX_PORTIONS); "
                "this one has %(live)s, so at most %(room)s more can be sent."
            )
            % {
                "limit": settings.ORDER_MAX_PORTIONS,
                "live": live,
                "room": max(settings.ORDER_MAX_PORTIONS - live, 0),
            }
        )


def _check_lines(existing: int, adding: int) -> None:
    """An order holds at most ``ORDER_MAX_LINES`` lines (which keeps its events under
    ``EVENT_MAX_BYTES``): 409 for ``adding`` more to one of ``existing``."""
    if existing + adding > settings.ORDER_MAX_LINES:
        raise Conflict(
            _(
                "An order holds at most %(limit)s lines (ORDER_MAX_LINES); this one has %(existing)s, "
                "so at most %(room)s more can be added."
            )
            % {
                "limit": settings.ORDER_MAX_LINES,
                "existing": existing,
                "room": max(settings.ORDER_MAX_LINES - existing, 0),
            }
        )


def _add_lines(
    tenant: Tenant, order: Order, lines: Sequence[dict[str, Any]], *, existing: int = 0
) -> list[PendingEvent[Any]]:
    """Adds lines at today's menu prices (plus their modifiers') to an order that has
    ``existing`` lines, up to ``ORDER_MAX_LINES`` (which keeps its events under
    ``EVENT_MAX_BYTES``), with their kitchen tasks (up to ``ORDER_MAX_PORTIONS``),
    and takes their portions off the stop-list. Runs inside the order's transaction,
    with the order locked; returns the events this causes besides the order's own."""
    if not lines:
        return []
    _check_lines(existing, len(lines))
    menu = menu_for_branch(tenant=tenant, branch_id=order.branch_id).in_bulk({line["menu_item"] for line in lines})
    here = {
        row.menu_item_id: row
        for row in tenant.scope(MenuItemBranch).filter(branch=order.branch_id, menu_item__in=list(menu))
    }
    groups: dict[uuid.UUID, list[ModifierGroup]] = {pk: [] for pk in menu}
    for group in tenant.scope(ModifierGroup).filter(menu_item__in=list(menu)).prefetch_related("modifiers"):
        groups[group.menu_item_id].append(group)
    # Keyed by line index, the shape DRF gives for malformed lines, so clients read one shape.
    errors: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        item = menu.get(line["menu_item"])
        if item is None:
            errors[str(index)] = {"menu_item": [_("Menu item not found in this branch's menu.")]}
        elif not item.is_available or (item.pk in here and not here[item.pk].is_available):
            errors[str(index)] = {"menu_item": [_("This menu item is not available.")]}
        elif problems := _modifier_errors(groups[item.pk], line.get("modifiers", ())):
            errors[str(index)] = {"modifiers": problems}
    if errors:
        raise ValidationError({"items": errors})
    wanted: dict[MenuItem, int] = defaultdict(int)
    for line in lines:
        wanted[menu[line["menu_item"]]] += line["quantity"]
    restocked = _take_stock(tenant, order.branch_id, wanted)
    chosen = {
        modifier.pk: modifier for group_list in groups.values() for g in group_list for modifier in g.modifiers.all()
    }
    group_names = {g.pk: g.name for group_list in groups.values() for g in group_list}
    new_lines, new_modifiers, kitchen = [], [], []
    for line in lines:
        item = menu[line["menu_item"]]
        modifiers = [chosen[pk] for pk in line.get("modifiers", ())]
        course = line.get("course", 1)
        held = line["hold"] if line.get("hold") is not None else course > 1
        row = OrderItem(
            company_id=order.company_id,
            order=order,
            menu_item=item,
            title=item.title,
            price=item.price + sum((modifier.price for modifier in modifiers), Decimal(0)),
            quantity=line["quantity"],
            note=line.get("note", ""),
            course=course,
        )
        new_lines.append(row)
        new_modifiers += [
            OrderItemModifier(
                company_id=order.company_id,
                line=row,
                modifier=modifier,
                group=group_names[modifier.group_id],
                name=modifier.name,
                price=modifier.price,
            )
            for modifier in modifiers
        ]
        station = item.station_id if item.branch_id is not None else getattr(here.get(item.pk), "station_id", None)
        kitchen.append((row, station, held, 1, row.quantity))
    _check_portions(tenant, order, sum(count for _, station, _, _, count in kitchen if station is not None))
    OrderItem.objects.bulk_create(new_lines)
    OrderItemModifier.objects.bulk_create(new_modifiers)
    tasks = tasks_create(order, kitchen)
    return [
        *task_events(tenant, tasks, KITCHEN_TASK_CREATED),
        *_menu_events(tenant, order, restocked),
    ]


def _menu_events(tenant: Tenant, order: Order, item_ids: Sequence[uuid.UUID]) -> list[PendingEvent[Any]]:
    if not item_ids:
        return []
    return menu_item_updated(menu_item_views(tenant=tenant, item_ids=item_ids, branch_id=order.branch_id))


def _bill(tenant: Tenant, order: Order) -> Order:
    """Brings an order's bill up to date (``cafe.money``) once its lines are final,
    and loads the lines its answer and events show. Runs inside the order's
    transaction, with the order locked."""
    prefetch_related_objects([order], "items__modifiers")
    fields, lines = recalculate(order, order.items.all())
    if lines:
        tenant.scope(OrderItem).bulk_update(lines, ["discount_amount"])
    if fields:
        order.save(update_fields=[*fields, "updated_at"])
    return order


def _readiness(tenant: Tenant, order: Order, caused: Sequence[PendingEvent[Any]]) -> bool | None:
    """Keeps ``ready_at`` in step with what the change did to the order's portions
    (told by its kitchen events): new portions make it wait (no query needed);
    changed, moved or cancelled ones may leave it ready, so they are counted; a
    change that touched no portion leaves it as it was."""
    types = {event.type for event in caused}
    if KITCHEN_TASK_UPDATED in types:
        return readiness_update(tenant, order)
    if KITCHEN_TASK_CREATED in types and order.ready_at is not None:
        order.ready_at = None
        return False
    return None


def _settled(
    tenant: Tenant, type: EventType[OrderData], order: Order, *caused: PendingEvent[Any]
) -> list[PendingEvent[Any]]:
    """Brings a changed order's bill and readiness (``ready_at``) up to date and
    returns its events (``order_ready`` after its own when it became ready);
    ``caused`` are the change's other events."""
    _bill(tenant, order)
    ready = _readiness(tenant, order, caused)
    if ready is not None:
        order.save(update_fields=["ready_at", "updated_at"])
    return [order_event(type, order), *([order_event(ORDER_READY, order)] if ready else [])]


def _order_changed(tenant: Tenant, type: EventType[OrderData], order: Order, *extra: PendingEvent[Any]) -> Order:
    """Reports a change to an order (its table already loaded) as its last step."""
    emit(company_id=tenant.company_id, events=[*_settled(tenant, type, order, *extra), *extra])
    return order


@transaction.atomic
def order_create(
    *,
    tenant: Tenant,
    table: uuid.UUID | None = None,
    guests: int | None = None,
    items: Sequence[dict[str, Any]] = (),
    service: str = Service.DINE_IN,
    branch: uuid.UUID | None = None,
    customer_name: str = "",
    customer_phone: str = "",
) -> Order:
    """A dine-in order at a table (its branch is the table's), or a takeaway order
    with no table in ``branch`` (a branch-bound user's own by default) that gets the
    branch's next pickup number of the day."""
    if service == Service.TAKEAWAY:
        return _takeaway_create(
            tenant, branch=branch, guests=guests or 1, items=items, name=customer_name, phone=customer_phone
        )
    if table is None:
        raise ValidationError({"table": [_("This field is required.")]})
    try:
        locked_table = table_get(tenant=tenant, table_id=table, lock=True)
    except Table.DoesNotExist:
        raise ValidationError({"table": [_("Table not found.")]}) from None
    order = Order.objects.create(
        company=tenant.company,
        branch_id=locked_table.branch_id,
        table=locked_table,
        guests=guests or 1,
        waiter=tenant.user,
        customer_name=customer_name,
        customer_phone=customer_phone,
        service_charge_percent=locked_table.branch.service_charge_percent,  # dine-in: the branch's, as of now
    )
    caused = _add_lines(tenant, order, items)
    extra = []
    if locked_table.status != TableStatus.BUSY:
        locked_table.status = TableStatus.BUSY
        locked_table.save(update_fields=["status", "updated_at"])
        extra.append(table_status_changed(locked_table))
    return _order_changed(tenant, ORDER_CREATED, order, *extra, *caused)


def _takeaway_create(
    tenant: Tenant, *, branch: uuid.UUID | None, guests: int, items: Sequence[dict[str, Any]], name: str, phone: str
) -> Order:
    """Runs inside ``order_create``'s transaction. No table, so no table lock and no
    table events; no service charge."""
    where = branch_for_write(tenant, branch)
    number, day = pickup_number_next(tenant=tenant, branch=where)
    order = Order.objects.create(
        company=tenant.company,
        branch=where,
        table=None,
        service=Service.TAKEAWAY,
        guests=guests,
        waiter=tenant.user,
        customer_name=name,
        customer_phone=phone,
        pickup_number=number,
        pickup_day=day,
        service_charge_percent=0,
    )
    caused = _add_lines(tenant, order, items)
    return _order_changed(tenant, ORDER_CREATED, order, *caused)


def _open_order(tenant: Tenant, order_id: uuid.UUID) -> Order:
    order = order_get(tenant=tenant, order_id=order_id, lock=True)
    if order.status != OrderStatus.OPEN:
        raise Conflict(
            _("The order is %(status)s; only open orders can change.") % {"status": order.get_status_display().lower()}
        )
    return order


@transaction.atomic
def order_add_items(*, tenant: Tenant, order_id: uuid.UUID, items: Sequence[dict[str, Any]]) -> Order:
    order = _open_order(tenant, order_id)
    caused = _add_lines(tenant, order, items, existing=order.items.count())
    order.save(update_fields=["updated_at"])
    return _order_changed(tenant, ORDER_UPDATED, order, *caused)


@transaction.atomic
def order_update(*, tenant: Tenant, order_id: uuid.UUID, guests: int) -> Order:
    order = _open_order(tenant, order_id)
    order.guests = guests
    order.save(update_fields=["guests", "updated_at"])
    return _order_changed(tenant, ORDER_UPDATED, order)


def order_and_table_locked(tenant: Tenant, order_id: uuid.UUID) -> tuple[Order, Table | None]:
    """The order and its table (none for takeaway), locked table first, as every
    writer of a table's orders does. The table is read before its lock: should the
    order move to another table meanwhile (``order_move``), the new one is locked
    in turn. Runs inside the caller's transaction."""
    for _attempt in range(3):
        table_id = tenant.scope(Order).values_list("table_id", flat=True).get(pk=order_id)
        table = table_get(tenant=tenant, table_id=table_id, lock=True) if table_id is not None else None
        order = order_get(tenant=tenant, order_id=order_id, lock=True)
        if order.table_id == table_id:
            return order, table
    raise Conflict(_("The order is being moved to another table; try again."))


@transaction.atomic
def order_finish(*, tenant: Tenant, order_id: uuid.UUID, status: str) -> Order:
    """Closes (paid) or cancels an open order; the table is freed with its last open order."""
    order, table = order_and_table_locked(tenant, order_id)
    if status not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            _("The order is %(status)s; only open orders can be closed or cancelled.")
            % {"status": order.get_status_display().lower()}
        )
    _check_payments(order, status)
    order.status = status
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    kitchen = _release_kitchen(tenant, order) if status == OrderStatus.CANCELLED else []
    extra = []
    if (
        table is not None
        and table.status == TableStatus.BUSY
        and not table.orders.filter(status=OrderStatus.OPEN).exists()
    ):
        table.status = TableStatus.FREE
        table.save(update_fields=["status", "updated_at"])
        extra.append(table_status_changed(table))
    type = ORDER_CLOSED if status == OrderStatus.CLOSED else ORDER_CANCELLED
    return _order_changed(tenant, type, order, *extra, *kitchen)


def _check_payments(order: Order, status: str) -> None:
    """Money taken stays accounted for: an order with payments is not cancelled (refund
    first), and a part-paid one is not closed as if paid. An unpaid order closes as ever."""
    if status == OrderStatus.CANCELLED and order.paid > order.refunded:
        raise Conflict(
            _("The order has payments (%(paid)s); refund them before cancelling it.")
            % {"paid": f"{order.paid - order.refunded:.2f}"}
        )
    if status == OrderStatus.CLOSED and ZERO < order.paid < order.total:
        raise Conflict(
            _("The order is part paid (%(paid)s of %(total)s): pay the rest or refund it.")
            % {"paid": f"{order.paid:.2f}", "total": f"{order.total:.2f}"}
        )


# Line edits: a line changes in place (never deleted and added again); its
# kitchen tasks follow, and every edit is recorded (OrderItemEdit).


def _line_for_edit(tenant: Tenant, order: Order, line_id: uuid.UUID) -> tuple[OrderItem, list[KitchenTask]]:
    """The order's line and its tasks, locked (after the order); 409 once voided,
    and for anyone but a manager once the kitchen has started a portion."""
    line = order.items.select_for_update(of=("self",), no_key=True).select_related("menu_item").get(pk=line_id)
    if line.voided:
        raise Conflict(_("The line is voided; it cannot change."))
    tasks = list(line.tasks.select_for_update(of=("self",), no_key=True).order_by("portion"))
    if any(task.status in STARTED_STATUSES for task in tasks) and not tenant.may_manage:
        raise Conflict(_("The kitchen has started this line; only a manager can change or void it now."))
    return line, tasks


def _cancel_portions(
    tenant: Tenant, tasks: Sequence[KitchenTask], count: int, reason: str
) -> tuple[list[KitchenTask], int]:
    """Cancels ``count`` portions, those the kitchen has not started first (the last
    ones first); served portions stay. Returns the cancelled tasks and how many of
    them had not been started (their stock goes back)."""
    live = [task for task in tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
    live.sort(key=lambda task: (task.status in STARTED_STATUSES, -task.portion))
    chosen = live[:count]
    if any(task.status in STARTED_STATUSES for task in chosen) and not reason:
        raise ValidationError({"reason": [_("Say why portions the kitchen has started are cancelled.")]})
    unstarted = sum(1 for task in chosen if task.status not in STARTED_STATUSES)
    return tasks_cancel(tenant, chosen), unstarted


def _served(tasks: Sequence[KitchenTask]) -> int:
    return sum(1 for task in tasks if task.status == TaskStatus.SERVED)


@transaction.atomic
def order_line_update(
    *,
    tenant: Tenant,
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    quantity: int | None = None,
    note: str | None = None,
    reason: str = "",
) -> Order:
    """Changes a line's quantity or note. More portions get tasks (and come off the
    stop-list); fewer cancel tasks, unstarted ones first."""
    order = _open_order(tenant, order_id)
    line, tasks = _line_for_edit(tenant, order, line_id)
    edit = OrderItemEdit(
        company_id=order.company_id,
        line=line,
        user=tenant.user,
        quantity_before=line.quantity,
        note_before=line.note,
        reason=reason,
    )
    caused: list[PendingEvent[Any]] = []
    changed_tasks: list[KitchenTask] = []
    if quantity is not None and quantity > line.quantity:
        restocked = _take_stock(tenant, order.branch_id, {line.menu_item: quantity - line.quantity})
        first = max((task.portion for task in tasks), default=line.quantity) + 1
        held = any(task.status == TaskStatus.HELD for task in tasks)
        station = tasks[-1].station_id if tasks else None
        if station:
            _check_portions(tenant, order, quantity - line.quantity)
        added, line.quantity = quantity - line.quantity, quantity
        created = tasks_create(order, [(line, station, held, first, added)]) if station else []
        caused += [
            *task_events(tenant, created, KITCHEN_TASK_CREATED),
            *_menu_events(tenant, order, restocked),
        ]
    elif quantity is not None and quantity < line.quantity:
        if quantity < _served(tasks):
            raise Conflict(
                _("%(served)s portions of this line were served; it cannot go below that.") % {"served": _served(tasks)}
            )
        removed = line.quantity - quantity
        cancelled, unstarted = _cancel_portions(tenant, tasks, removed, reason) if tasks else ([], removed)
        changed_tasks += cancelled
        line.quantity = quantity
        caused += _menu_events(tenant, order, _return_stock(tenant, order.branch_id, line.menu_item, unstarted))
    if note is not None and note != line.note:
        line.note = note
        changed_tasks += [task for task in tasks if task.status not in (TaskStatus.SERVED, TaskStatus.CANCELLED)]
    line.save(update_fields=["quantity", "note", "updated_at"])
    edit.quantity_after, edit.note_after = line.quantity, line.note
    edit.save()
    order.save(update_fields=["updated_at"])
    caused = [*task_events(tenant, dict.fromkeys(changed_tasks)), *caused]
    return _order_changed(tenant, ORDER_UPDATED, order, *caused)


@transaction.atomic
def order_line_void(*, tenant: Tenant, order_id: uuid.UUID, line_id: uuid.UUID, reason: str) -> Order:
    """Voids a line: it stays on the order, marked and out of its total; its portions
    not yet served are cancelled and those never started go back to the stop-list."""
    order = _open_order(tenant, order_id)
    line, tasks = _line_for_edit(tenant, order, line_id)
    live = [task for task in tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
    cancelled, unstarted = _cancel_portions(tenant, tasks, len(live), reason) if tasks else ([], line.quantity)
    line.voided_at, line.void_reason, line.voided_by = timezone.now(), reason, tenant.user
    line.save(update_fields=["voided_at", "void_reason", "voided_by", "updated_at"])
    OrderItemEdit.objects.create(
        company_id=order.company_id,
        line=line,
        user=tenant.user,
        quantity_before=line.quantity,
        quantity_after=line.quantity,
        note_before=line.note,
        note_after=line.note,
        voided=True,
        reason=reason,
    )
    order.save(update_fields=["updated_at"])
    caused = [
        *task_events(tenant, cancelled),
        *_menu_events(tenant, order, _return_stock(tenant, order.branch_id, line.menu_item, unstarted)),
    ]
    return _order_changed(tenant, ORDER_UPDATED, order, *caused)


def _release_kitchen(tenant: Tenant, order: Order) -> list[PendingEvent[Any]]:
    """An order was cancelled: its portions not yet served are cancelled, and those
    never started go back to the stop-list. Runs inside the order's transaction."""
    tasks = list(order.kitchen_tasks.select_for_update(of=("self",), no_key=True).order_by("pk"))
    by_line: dict[uuid.UUID, list[KitchenTask]] = defaultdict(list)
    for task in tasks:
        by_line[task.line_id].append(task)
    cancelled: list[KitchenTask] = []
    restocked: list[uuid.UUID] = []
    for line in order.items.filter(voided_at__isnull=True).select_related("menu_item"):
        line_tasks = by_line.get(line.pk, [])
        live = [task for task in line_tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
        unstarted = sum(1 for task in live if task.status not in STARTED_STATUSES) if line_tasks else line.quantity
        cancelled += tasks_cancel(tenant, live)
        restocked += _return_stock(tenant, order.branch_id, line.menu_item, unstarted)
    return [
        *task_events(tenant, cancelled),
        *_menu_events(tenant, order, list(dict.fromkeys(restocked))),
    ]
