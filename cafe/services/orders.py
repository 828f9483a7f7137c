"""Orders: each public function is one transaction that ends by handing its
events to ``emit``; locks are taken table → order → company, always in that
order, so concurrent writers queue instead of deadlocking."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe import events
from cafe.models import ORDER_TRANSITIONS, Order, OrderItem, OrderStatus, Table, TableStatus
from cafe.selectors.menu import menu_for_branch
from cafe.selectors.orders import order_get
from cafe.selectors.tables import table_get
from core.errors import Conflict
from realtime.catalogue import ORDER_CANCELLED, ORDER_CLOSED, ORDER_CREATED, ORDER_UPDATED, EventType, OrderData
from realtime.emit import PendingEvent, emit


def _add_lines(tenant: Tenant, order: Order, lines: Sequence[dict[str, Any]], *, existing: int = 0) -> None:
    """Adds lines at today's menu prices to an order that has ``existing`` lines, up to
    ``ORDER_MAX_LINES`` (which keeps its events under ``EVENT_MAX_BYTES``). Runs inside
    the order's transaction, with the order locked."""
    if not lines:
        return
    if existing + len(lines) > settings.ORDER_MAX_LINES:
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
    menu = menu_for_branch(tenant=tenant, branch_id=order.branch_id).in_bulk({line["menu_item"] for line in lines})
    # Keyed by line index, the shape DRF gives for malformed lines, so clients read one shape.
    errors: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        item = menu.get(line["menu_item"])
        if item is None:
            errors[str(index)] = {"menu_item": [_("Menu item not found in this branch's menu.")]}
        elif not item.is_available:
            errors[str(index)] = {"menu_item": [_("This menu item is not available.")]}
    if errors:
        raise ValidationError({"items": errors})
    OrderItem.objects.bulk_create(
        OrderItem(
            company_id=order.company_id,
            order=order,
            menu_item=menu[line["menu_item"]],
            title=menu[line["menu_item"]].title,
            price=menu[line["menu_item"]].price,
            quantity=line["quantity"],
        )
        for line in lines
    )


def _order_changed(tenant: Tenant, type: EventType[OrderData], order: Order, *extra: PendingEvent[Any]) -> Order:
    """Reports a change to an order (its table already loaded) as its last step."""
    prefetch_related_objects([order], "items")
    emit(company_id=tenant.company_id, events=[events.order_event(type, order), *extra])
    return order


@transaction.atomic
def order_create(*, tenant: Tenant, table: uuid.UUID, guests: int, items: Sequence[dict[str, Any]] = ()) -> Order:
    try:
        locked_table = table_get(tenant=tenant, table_id=table, lock=True)
    except Table.DoesNotExist:
        raise ValidationError({"table": [_("Table not found.")]}) from None
    order = Order.objects.create(
        company=tenant.company, branch_id=locked_table.branch_id, table=locked_table, guests=guests, waiter=tenant.user
    )
    _add_lines(tenant, order, items)
    extra = []
    if locked_table.status != TableStatus.BUSY:
        locked_table.status = TableStatus.BUSY
        locked_table.save(update_fields=["status", "updated_at"])
        extra.append(events.table_status_changed(locked_table))
    return _order_changed(tenant, ORDER_CREATED, order, *extra)


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
    _add_lines(tenant, order, items, existing=order.items.count())
    order.save(update_fields=["updated_at"])
    return _order_changed(tenant, ORDER_UPDATED, order)


@transaction.atomic
def order_update(*, tenant: Tenant, order_id: uuid.UUID, guests: int) -> Order:
    order = _open_order(tenant, order_id)
    order.guests = guests
    order.save(update_fields=["guests", "updated_at"])
    return _order_changed(tenant, ORDER_UPDATED, order)


@transaction.atomic
def order_finish(*, tenant: Tenant, order_id: uuid.UUID, status: str) -> Order:
    """Closes (paid) or cancels an open order; the table is freed with its last open order."""
    table_id = tenant.scope(Order).values_list("table_id", flat=True).get(pk=order_id)
    table = tenant.scope(Table).select_for_update().get(pk=table_id)
    order = order_get(tenant=tenant, order_id=order_id, lock=True)
    if status not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            _("The order is %(status)s; only open orders can be closed or cancelled.")
            % {"status": order.get_status_display().lower()}
        )
    order.status = status
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    extra = []
    still_open = table.orders.filter(status=OrderStatus.OPEN).exists()
    if not still_open and table.status == TableStatus.BUSY:
        table.status = TableStatus.FREE
        table.save(update_fields=["status", "updated_at"])
        extra.append(events.table_status_changed(table))
    return _order_changed(tenant, ORDER_CLOSED if status == OrderStatus.CLOSED else ORDER_CANCELLED, order, *extra)
