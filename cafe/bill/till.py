"""The till: cash shifts (open, cash in and out, close) and refunds. Each public
function is one transaction that ends by handing its events to ``emit``; locks
are taken order → shift, so a refund and a payment queue on the order first and
a close waits for the refunds and payments in flight on its shift.

Rules and formulas: docs/till.md."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant, branch_for_write
from cafe.bill.events import SHIFT_CLOSED, SHIFT_OPENED, shift_event
from cafe.bill.models import CashMovement, Refund, RefundLine, Shift, Tender
from cafe.bill.selectors import cash_flow, shift_current_or_none, shift_get
from cafe.orders.events import ORDER_REFUNDED, order_event
from cafe.orders.locking import order_locked
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.money import ZERO, rounded
from cafe.orders.selectors import order_get
from core.errors import Conflict
from realtime.emit import emit


class ShiftAlreadyOpen(Conflict):
    """409 naming the branch's open shift: ``{"detail", "shift"}``."""

    def __init__(self, shift: Shift | None) -> None:
        super().__init__(_("This branch already has an open shift; close it first."))
        detail: dict[str, Any] = {"detail": self.detail, "shift": str(shift.pk) if shift else None}
        self.detail = detail


class NotEnoughCash(Conflict):
    """409 naming the cash the drawer should hold: ``{"detail", "expected_cash"}``."""

    def __init__(self, expected: Decimal) -> None:
        super().__init__(
            _("The drawer should hold only %(cash)s in cash; it cannot give out more.") % {"cash": f"{expected:.2f}"}
        )
        detail: dict[str, Any] = {"detail": self.detail, "expected_cash": f"{expected:.2f}"}
        self.detail = detail


class RefundTooLarge(Conflict):
    """409 naming what is left to refund: ``{"detail", "refundable"}``."""

    def __init__(self, left: Decimal) -> None:
        super().__init__(_("At most %(left)s of this order can still be refunded.") % {"left": f"{left:.2f}"})
        detail: dict[str, Any] = {"detail": self.detail, "refundable": f"{left:.2f}"}
        self.detail = detail


# Shifts


@transaction.atomic
def shift_open(*, tenant: Tenant, opening_float: Decimal, branch: uuid.UUID | None = None) -> Shift:
    """Opens a cash shift in a branch (a branch-bound user's own; owners and admins
    name it). A second open shift in the branch is refused by the database's partial
    unique index ``shift_one_open_per_branch`` (409): two cashiers opening at once
    get one shift and one 409."""
    where = branch_for_write(tenant, branch)
    shift = Shift(company=tenant.company, branch=where, opened_by=tenant.user, opening_float=opening_float)
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:
        raise ShiftAlreadyOpen(shift_current_or_none(tenant=tenant, branch_id=where.pk)) from None
    emit(company_id=tenant.company_id, events=[shift_event(SHIFT_OPENED, shift)])
    return shift


def _open_shift(tenant: Tenant, shift_id: uuid.UUID) -> Shift:
    shift = shift_get(tenant=tenant, shift_id=shift_id, lock=True)
    if not shift.is_open:
        raise Conflict(_("The shift is closed."))
    return shift


@transaction.atomic
def shift_cash_move(*, tenant: Tenant, shift_id: uuid.UUID, kind: str, amount: Decimal, reason: str) -> CashMovement:
    """Puts cash into (``in``) or takes it out of (``out``) an open shift's drawer;
    never more out than the drawer should hold (409)."""
    shift = _open_shift(tenant, shift_id)
    if kind == CashMovement.Kind.OUT:
        expected = cash_flow(tenant=tenant, shift=shift).expected
        if amount > expected:
            raise NotEnoughCash(expected)
    return CashMovement.objects.create(
        company=tenant.company, shift=shift, branch_id=shift.branch_id, kind=kind, amount=amount, reason=reason,
        user=tenant.user,
    )  # fmt: skip


@transaction.atomic
def shift_close(*, tenant: Tenant, shift_id: uuid.UUID, counted_cash: Decimal) -> Shift:
    """Closes an open shift with the cash counted: records the cash expected and the
    difference (counted − expected). Open orders stay open; payments taken after the
    close belong to the branch's next shift."""
    shift = _open_shift(tenant, shift_id)
    shift.expected_cash = cash_flow(tenant=tenant, shift=shift).expected
    shift.counted_cash = counted_cash
    shift.difference = counted_cash - shift.expected_cash
    shift.closed_at, shift.closed_by = timezone.now(), tenant.user
    shift.save(update_fields=["expected_cash", "counted_cash", "difference", "closed_at", "closed_by", "updated_at"])
    emit(company_id=tenant.company_id, events=[shift_event(SHIFT_CLOSED, shift)])
    return shift


# Refunds


def _line_money(order: Order, line: OrderItem, quantity: int) -> Decimal:
    """What ``quantity`` portions of a line were paid: the line's total per portion,
    scaled by the order's total / subtotal (its discount and service charge), rounded
    half-up once."""
    if not order.subtotal or not line.quantity:
        return ZERO
    return rounded(line.total * quantity * order.total / (line.quantity * order.subtotal))


def _refund_lines(order: Order, wanted: Sequence[dict[str, Any]] | None) -> list[tuple[OrderItem, int, Decimal]]:
    """(line, portions, money) for each line refunded: those asked for, or (``None``)
    every portion not yet refunded. Runs with the order locked."""
    lines = {
        line.pk: line for line in order.items.select_for_update(of=("self",), no_key=True).order_by("created_at", "id")
    }
    if wanted is None:
        return [
            (
                line,
                line.quantity - line.refunded_quantity,
                _line_money(order, line, line.quantity - line.refunded_quantity),
            )
            for line in lines.values()
            if not line.voided and line.refunded_quantity < line.quantity
        ]
    errors: dict[str, dict[str, list[str]]] = {}
    for index, row in enumerate(wanted):
        if row["line"] not in lines:
            errors[str(index)] = {"line": [_("Line not found on this order.")]}
        elif any(other["line"] == row["line"] for other in wanted[:index]):
            errors[str(index)] = {"line": [_("Name each line once.")]}
    if errors:
        raise ValidationError({"lines": errors})
    chosen = []
    for row in wanted:
        line = lines[row["line"]]
        if line.voided:
            raise Conflict(_("The line %(title)s is voided; it was never paid.") % {"title": line.title})
        left = line.quantity - line.refunded_quantity
        if row["quantity"] > left:
            raise Conflict(
                _("Only %(left)s portions of %(title)s can still be refunded.") % {"left": left, "title": line.title}
            )
        chosen.append((line, row["quantity"], _line_money(order, line, row["quantity"])))
    return chosen


def _fit(lines: list[tuple[OrderItem, int, Decimal]], target: Decimal) -> list[tuple[OrderItem, int, Decimal]]:
    """The lines' money made to add up to ``target``: an excess comes off the last
    lines first (none below zero), a shortfall (rounding) goes onto the last line."""
    amounts = [share for _, _, share in lines]
    gap = sum(amounts, ZERO) - target
    for index in reversed(range(len(amounts))):
        if gap <= 0:
            break
        taken = min(amounts[index], gap)
        amounts[index] -= taken
        gap -= taken
    if gap < 0 and amounts:
        amounts[-1] -= gap
    return [(line, quantity, amount) for (line, quantity, _), amount in zip(lines, amounts, strict=True)]


@transaction.atomic
def order_refund(
    *,
    tenant: Tenant,
    order_id: uuid.UUID,
    method: str,
    reason: str,
    lines: Sequence[dict[str, Any]] | None = None,
    amount: Decimal | None = None,
) -> Order:
    """Gives money back on a closed, paid order, to one tender method: by lines
    (portions, each at its share of the bill), a sum (``amount``), or — neither —
    everything still refundable (every portion not yet refunded). Never more than
    paid − refunded (409; the database's ``order_refunded_at_most_paid`` holds it
    too); tips are not refunded. A cash refund needs the branch's open shift and
    cash in its drawer (409). Records the branch's open shift, if any."""
    order = order_locked(tenant, order_id, table=False)
    if order.status != OrderStatus.CLOSED or not order.paid:
        raise Conflict(_("Only closed, paid orders can be refunded."))
    left = order.paid - order.refunded
    if left <= 0:
        raise Conflict(_("The order has been refunded in full."))
    if amount is not None:
        if amount > left:
            raise RefundTooLarge(left)
        given: list[tuple[OrderItem, int, Decimal]] = []
    else:
        given = _refund_lines(order, lines)
        asked = sum((row[2] for row in given), ZERO)
        amount = left if lines is None else min(asked, left)
        given = _fit(given, amount)
        if amount <= 0:
            raise Conflict(_("These portions were paid nothing; there is nothing to refund."))
    shift = shift_current_or_none(tenant=tenant, branch_id=order.branch_id, lock=True)
    if method == Tender.CASH:
        if shift is None:
            raise Conflict(_("A cash refund needs an open shift in the branch."))
        expected = cash_flow(tenant=tenant, shift=shift).expected
        if amount > expected:
            raise NotEnoughCash(expected)
    refund = Refund.objects.create(
        company=tenant.company, order=order, branch_id=order.branch_id, shift=shift, method=method, amount=amount,
        reason=reason, user=tenant.user,
    )  # fmt: skip
    RefundLine.objects.bulk_create(
        RefundLine(company=tenant.company, refund=refund, line=line, quantity=quantity, amount=share)
        for line, quantity, share in given
    )
    now = timezone.now()
    for line, quantity, _share in given:
        line.refunded_quantity += quantity
        line.updated_at = now
    tenant.scope(OrderItem).bulk_update([line for line, _, _ in given], ["refunded_quantity", "updated_at"])
    order.refunded += amount
    order.save(update_fields=["refunded", "updated_at"])
    order = order_get(tenant=tenant, order_id=order.pk)
    emit(company_id=tenant.company_id, events=[order_event(ORDER_REFUNDED, order)])
    return order
