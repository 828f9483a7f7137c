"""Writes. Each public function is one transaction that ends by handing its
events to ``events.emit``; locks are taken table → order → company, always in
that order, so concurrent writers queue instead of deadlocking."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, prefetch_related_objects
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.tenancy import BranchNotAllowed, Tenant
from cafe import events, selectors
from cafe.models import (
    ORDER_TRANSITIONS,
    Category,
    MenuItem,
    Order,
    OrderItem,
    OrderStatus,
    Table,
    TableStatus,
)
from config.errors import Conflict


def _branch_for_write(tenant: Tenant, branch_id: uuid.UUID | None, field: str = "branch"):
    """The branch a new object goes to: the given one (if the tenant may act on it),
    else a branch-bound user's own branch; company-wide users must name one."""
    if branch_id is None:
        if tenant.branch is None:
            raise ValidationError({field: ["This field is required."]})
        return tenant.branch
    try:
        return tenant.branch_by_id(branch_id)
    except BranchNotAllowed:
        raise ValidationError({field: ["Branch not found."]}) from None


def _save_unique(obj, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


# Tables


@transaction.atomic
def table_create(
    *, tenant: Tenant, number: int, seats: int, branch: uuid.UUID | None = None, status: str = TableStatus.FREE
) -> Table:
    table = Table(
        company=tenant.company, branch=_branch_for_write(tenant, branch), number=number, seats=seats, status=status
    )
    _save_unique(table, "number", "A table with this number already exists in this branch.")
    events.emit(company_id=tenant.company_id, events=[events.table_event("table_created", table)])
    return table


@transaction.atomic
def table_update(*, tenant: Tenant, table_id: uuid.UUID, **changes: Any) -> Table:
    """Changes number, seats or status (to ``reserved`` or ``free``); a table with
    open orders stays ``busy``."""
    table = selectors.table_get(tenant=tenant, table_id=table_id, lock=True)
    if "branch" in changes and changes.pop("branch") != table.branch_id:
        raise ValidationError({"branch": ["A table cannot move to another branch."]})
    old_status = table.status
    if "status" in changes and changes["status"] != old_status and table.status == TableStatus.BUSY:
        raise Conflict("The table has open orders; it stays busy until they end.")
    for field, value in changes.items():
        setattr(table, field, value)
    _save_unique(table, "number", "A table with this number already exists in this branch.")
    pending = [events.table_event("table_updated", table)]
    if table.status != old_status:
        pending.insert(0, events.table_status_changed(table))
    events.emit(company_id=tenant.company_id, events=pending)
    return table


@transaction.atomic
def table_delete(*, tenant: Tenant, table_id: uuid.UUID) -> None:
    table = selectors.table_get(tenant=tenant, table_id=table_id, lock=True)
    if table.orders.exists():
        raise Conflict("The table has orders; it cannot be deleted.")
    event = events.table_event("table_deleted", table)
    table.delete()
    events.emit(company_id=tenant.company_id, events=[event])


# Menu


def category_create(*, tenant: Tenant, name: str, position: int = 0) -> Category:
    category = Category(company=tenant.company, name=name, position=position)
    _save_unique(category, "name", "A category with this name already exists.")
    return category


def category_update(*, tenant: Tenant, category_id: uuid.UUID, **changes: Any) -> Category:
    category = selectors.category_get(tenant=tenant, category_id=category_id)
    for field, value in changes.items():
        setattr(category, field, value)
    _save_unique(category, "name", "A category with this name already exists.")
    return category


def category_delete(*, tenant: Tenant, category_id: uuid.UUID) -> None:
    category = selectors.category_get(tenant=tenant, category_id=category_id)
    if category.items.exists():
        raise Conflict("The category has menu items; move or delete them first.")
    category.delete()


def _menu_item_refs(tenant: Tenant, fields: dict[str, Any]) -> dict[str, Any]:
    if "category" in fields:
        try:
            fields["category"] = selectors.category_get(tenant=tenant, category_id=fields["category"])
        except Category.DoesNotExist:
            raise ValidationError({"category": ["Category not found."]}) from None
    if "branch" in fields and not (fields["branch"] is None and tenant.company_wide):
        # None means "every branch" for owners/admins, "my branch" for everyone else.
        fields["branch"] = _branch_for_write(tenant, fields["branch"])
    return fields


def menu_item_create(*, tenant: Tenant, **fields: Any) -> MenuItem:
    item = MenuItem(company=tenant.company, **_menu_item_refs(tenant, fields))
    item.save()
    return item


def menu_item_update(*, tenant: Tenant, menu_item_id: uuid.UUID, **changes: Any) -> MenuItem:
    item = selectors.menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    for field, value in _menu_item_refs(tenant, changes).items():
        setattr(item, field, value)
    item.save()
    return item


def menu_item_delete(*, tenant: Tenant, menu_item_id: uuid.UUID) -> None:
    """Order lines keep their menu item, so an item that was ever ordered stays."""
    item = selectors.menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise Conflict("The menu item is on orders; mark it unavailable instead.") from None


# Orders


def _add_lines(order: Order, lines: Sequence[dict[str, Any]]) -> None:
    """Adds lines at today's menu prices. Runs inside the order's transaction."""
    if not lines:
        return
    menu = selectors.menu_for_branch(company_id=order.company_id, branch_id=order.branch_id).in_bulk(
        {line["menu_item"] for line in lines}
    )
    # Keyed by line index, the shape DRF gives for malformed lines, so clients read one shape.
    errors: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        item = menu.get(line["menu_item"])
        if item is None:
            errors[str(index)] = {"menu_item": ["Menu item not found in this branch's menu."]}
        elif not item.is_available:
            errors[str(index)] = {"menu_item": ["This menu item is not available."]}
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


def _order_changed(tenant: Tenant, type: str, order: Order, *extra: events.PendingEvent) -> Order:
    """Reports a change to an order (its table already loaded) as its last step."""
    prefetch_related_objects([order], "items")
    events.emit(company_id=tenant.company_id, events=[events.order_event(type, order), *extra])
    return order


@transaction.atomic
def order_create(*, tenant: Tenant, table: uuid.UUID, guests: int, items: Sequence[dict[str, Any]] = ()) -> Order:
    try:
        locked_table = selectors.table_get(tenant=tenant, table_id=table, lock=True)
    except Table.DoesNotExist:
        raise ValidationError({"table": ["Table not found."]}) from None
    order = Order.objects.create(
        company=tenant.company, branch_id=locked_table.branch_id, table=locked_table, guests=guests, waiter=tenant.user
    )
    _add_lines(order, items)
    extra = []
    if locked_table.status != TableStatus.BUSY:
        locked_table.status = TableStatus.BUSY
        locked_table.save(update_fields=["status", "updated_at"])
        extra.append(events.table_status_changed(locked_table))
    return _order_changed(tenant, "order_created", order, *extra)


def _open_order(tenant: Tenant, order_id: uuid.UUID) -> Order:
    order = selectors.order_get(tenant=tenant, order_id=order_id, lock=True)
    if order.status != OrderStatus.OPEN:
        raise Conflict(f"The order is {order.status}; only open orders can change.")
    return order


@transaction.atomic
def order_add_items(*, tenant: Tenant, order_id: uuid.UUID, items: Sequence[dict[str, Any]]) -> Order:
    order = _open_order(tenant, order_id)
    _add_lines(order, items)
    order.save(update_fields=["updated_at"])
    return _order_changed(tenant, "order_updated", order)


@transaction.atomic
def order_update(*, tenant: Tenant, order_id: uuid.UUID, guests: int) -> Order:
    order = _open_order(tenant, order_id)
    order.guests = guests
    order.save(update_fields=["guests", "updated_at"])
    return _order_changed(tenant, "order_updated", order)


@transaction.atomic
def order_finish(*, tenant: Tenant, order_id: uuid.UUID, status: str) -> Order:
    """Closes (paid) or cancels an open order; the table is freed with its last open order."""
    table_id = tenant.scope(Order.objects.all()).values_list("table_id", flat=True).get(pk=order_id)
    table = Table.objects.select_for_update().get(pk=table_id)
    order = selectors.order_get(tenant=tenant, order_id=order_id, lock=True)
    if status not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(f"The order is {order.status}; only open orders can be closed or cancelled.")
    order.status = status
    order.closed_at = timezone.now()
    order.save(update_fields=["status", "closed_at", "updated_at"])
    extra = []
    still_open = table.orders.filter(status=OrderStatus.OPEN).exists()
    if not still_open and table.status == TableStatus.BUSY:
        table.status = TableStatus.FREE
        table.save(update_fields=["status", "updated_at"])
        extra.append(events.table_status_changed(table))
    type = "order_closed" if status == OrderStatus.CLOSED else "order_cancelled"
    return _order_changed(tenant, type, order, *extra)
