"""Settling an order after a change: the one place an order's bill, its paid state
and its readiness are brought up to date, and the one place its row is saved.

Every write of an order ends here (``order_settle``), after its lines, kitchen
tasks and payments are written:

1. the bill (``cafe.orders.money``) from the lines as they now stand; a bill below
   what was already paid is refused (409: refund first);
2. the staff discount limit on the bill as it now stands: a change by someone who
   does not manage may not raise the share the discounts take off the lines'
   gross above the branch's ``staff_discount_limit_percent`` (403), however it got
   there: a new discount, or fewer portions under an amount discount;
3. paid: an open order whose payments cover its bill (paid > 0 and paid ≥ total)
   is paid and closed, whichever write got it there (a payment, a discount, a
   void); ``paid_at`` is set, ``order_paid`` and ``order_closed`` are sent and its
   table is freed with its last open order (``cafe.orders.occupancy``);
4. readiness (``ready_at``), from what the change did to the order's portions;
5. the row is saved once, with every field that changed.

Runs inside the order's transaction, with the order locked (and its table, when
the order has payments: ``cafe.orders.locking.order_locked``)."""

import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from accounts.tenancy import Tenant
from cafe.orders.events import (
    KITCHEN_TASK_CREATED,
    KITCHEN_TASK_UPDATED,
    ORDER_CLOSED,
    ORDER_PAID,
    ORDER_READY,
    order_event,
)
from cafe.orders.kitchen import readiness_update
from cafe.orders.models import ORDER_TRANSITIONS, Order, OrderItem, OrderItemModifier, OrderStatus
from cafe.orders.money import HUNDRED, ZERO, recalculate
from cafe.orders.occupancy import order_vacate
from cafe.orders.payloads import OrderData
from cafe.shared import metrics
from cafe.shared.services import with_prefetched
from core.errors import Conflict
from core.rows import columns, key, row_update, rows_insert, rows_read
from realtime.catalogue import EventType
from realtime.emit import PendingEvent


def order_transition(order: Order, status: str) -> None:
    """The one place an order's status changes, as ``ORDER_TRANSITIONS`` allows (409
    otherwise); stamps ``closed_at`` when it ends. The caller saves (``order_settle``)."""
    if status not in ORDER_TRANSITIONS[order.status]:
        raise Conflict(
            _("The order is %(status)s; it cannot become %(to)s.")
            % {"status": order.get_status_display().lower(), "to": OrderStatus(status).label.lower()}
        )
    order.status = status
    order.closed_at = timezone.now()
    metrics.order_ended(order.branch_id, status)


def _shares(order: Order) -> tuple[Decimal, Decimal]:
    """(what the discounts take off, the lines' gross) of the bill as stored on the order."""
    order_discount = order.subtotal + order.service_charge - order.total
    return order.discount_total, order.subtotal + order.discount_total - order_discount


def _check_discount_limit(tenant: Tenant, order: Order, before: tuple[Decimal, Decimal]) -> None:
    if tenant.may_manage or order.discount_total == ZERO:
        return
    (taken, gross), (taken_before, gross_before) = _shares(order), before
    grew = taken * gross_before > taken_before * gross if gross_before else taken > ZERO
    limit = order.branch.staff_discount_limit_percent
    if grew and taken * HUNDRED > limit * gross:
        raise PermissionDenied(
            _(
                "After this change the discounts would take %(share)s%% off the bill, above the %(limit)s%% "
                "staff limit: a manager, an admin or the owner must make it."
            )
            % {"share": f"{(taken * HUNDRED / gross).quantize(Decimal('0.01'))}", "limit": f"{limit.normalize():f}"}
        )


def _readiness(tenant: Tenant, order: Order, caused: Iterable[PendingEvent[Any]]) -> bool | None:
    """New portions make an order wait (no query needed); changed, moved or cancelled
    ones may leave it ready, so they are counted; a change that touched no portion
    leaves it as it was."""
    types = {event.type for event in caused}
    if KITCHEN_TASK_UPDATED in types:
        return readiness_update(tenant, order)
    if KITCHEN_TASK_CREATED in types and order.ready_at is not None:
        order.ready_at = None
        return False
    return None


def _lines_read(order: Order) -> Sequence[OrderItem]:
    """The order's lines with their modifiers, which are read only for the lines that
    have some (counted with the lines, in a statement written once: ``core.rows``;
    the lines are the locked order's, as ``order.items`` reads them)."""
    alias = router.db_for_write(OrderItem)
    lines = rows_read(alias, _lines_sql(alias), [key(Order, order.pk, alias)], OrderItem, extra=("modifier_count",))
    for line in lines:
        line._state.fields_cache["order"] = order
    prefetch_related_objects([line for line in lines if line.modifier_count], "modifiers")  # type: ignore[attr-defined]
    for line in lines:
        if not line.modifier_count:  # type: ignore[attr-defined]
            with_prefetched(line, modifiers=[])
    return lines


@functools.cache
def _lines_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    lines, modifiers = quote(OrderItem._meta.db_table), quote(OrderItemModifier._meta.db_table)
    count = f"(SELECT COUNT(*) FROM {modifiers} WHERE {modifiers}.{quote('line_id')} = {lines}.{quote('id')})"
    return (
        f"SELECT {columns(OrderItem, alias)}, {count} FROM {lines} WHERE {lines}.{quote('order_id')} = %s"
        f" ORDER BY {lines}.{quote('created_at')} ASC, {lines}.{quote('id')} ASC"
    )


def order_settle(
    tenant: Tenant,
    order: Order,
    type: EventType[OrderData],
    *caused: PendingEvent[Any],
    fields: Sequence[str] = (),
    lines: Sequence[OrderItem] | None = None,
) -> list[PendingEvent[Any]]:
    """Settles a changed order (see the module) and saves it once: ``fields`` are
    those the caller changed, ``caused`` the change's other events (its kitchen
    events tell readiness), ``lines`` the order's lines with their modifiers when
    the caller holds them all (a new order), else they are read. Returns the
    order's events: ``type`` (or ``order_paid`` and ``order_closed`` when it became
    paid, then its table's), and ``order_ready`` when it became ready."""
    if lines is None:
        lines = _lines_read(order)
    with_prefetched(order, items=lines)  # what the answer shows
    before = _shares(order)
    bill_fields, discounted = recalculate(order, lines)
    if discounted:
        tenant.scope(OrderItem).bulk_update(discounted, ["discount_amount"])
    _check_discount_limit(tenant, order, before)
    changed = [*fields, *bill_fields]
    became_paid = (
        order.paid > ZERO
        and order.paid >= order.total
        and order.paid_at is None
        and order.status in (OrderStatus.OPEN, OrderStatus.CLOSED)
    )
    table_events: list[PendingEvent[Any]] = []
    if became_paid:
        if order.status == OrderStatus.OPEN:
            order_transition(order, OrderStatus.CLOSED)
            table_events = order_vacate(order)
        order.paid_at = order.closed_at
        changed += ["status", "closed_at", "paid_at"]
    ready = _readiness(tenant, order, caused)
    if ready is not None:
        changed.append("ready_at")
    if order._state.adding:
        rows_insert(Order, [order])
    elif changed:
        row_update(order, [*changed, "updated_at"])
    if became_paid:
        events = [order_event(ORDER_PAID, order), order_event(ORDER_CLOSED, order), *table_events]
    else:
        events = [order_event(type, order)]
    return [*events, *([order_event(ORDER_READY, order)] if ready else [])]
