"""Paying an order, its discounts and its even split (docs/payments.md). Each public
function is one transaction ending with its events; locks are taken table → order
→ the branch's open shift → company (the event log), like ``services.orders``.

How a payment is allocated (deterministic, so a retry or a report reads the same
rows): the tenders are taken card and transfer first, then cash, each in the order
sent. Each pays what is left of the bill first, then what is left of the tip; what
a cash tender hands over beyond both is its change. Card and transfer tenders
together may not exceed the bill and the tip, so only cash gets change."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.tenancy import Tenant
from cafe.bill.models import Payment, Tender
from cafe.bill.selectors import shift_current_or_none
from cafe.orders.events import ORDER_UPDATED
from cafe.orders.locking import order_locked
from cafe.orders.models import DiscountKind, Order, OrderItem, OrderStatus
from cafe.orders.money import CENT, HUNDRED, ZERO, due
from cafe.orders.selectors import order_get
from cafe.orders.services import order_changed, order_open_locked
from cafe.shared import metrics
from cafe.shared.services import with_prefetched
from core.errors import Conflict
from core.rows import rows_insert

# Even split: the checks' amounts


@dataclass(frozen=True)
class Check:
    number: int
    amount: Decimal
    paid: bool


def even_shares(amount: Decimal, count: int) -> list[Decimal]:
    """``amount`` in ``count`` shares that add up exactly: the cents left over go one
    each to the first shares (1000.00 in 3 → 333.34, 333.33, 333.33)."""
    cents = int(amount / CENT)
    base, extra = divmod(cents, count)
    return [(Decimal(base + (1 if index < extra else 0)) * CENT) for index in range(count)]


def order_checks(order: Order) -> list[Check]:
    """An evenly split order's checks (none when it is not split). A paid check is what
    its payments paid; the unpaid ones share what is left of the bill — the total
    less every payment — evenly, so a change to the lines after a check was paid
    moves only the unpaid checks' amounts."""
    if not order.split_checks:
        return []
    paid_by_check = dict(
        order.payments.filter(check_number__isnull=False)
        .values_list("check_number")
        .annotate(paid=Sum("amount"))
        .values_list("check_number", "paid")
    )
    unpaid = [number for number in range(1, order.split_checks + 1) if number not in paid_by_check]
    shares = dict(zip(unpaid, even_shares(due(order), len(unpaid)), strict=True)) if unpaid else {}
    return [
        Check(number, paid_by_check[number], True) if number in paid_by_check else Check(number, shares[number], False)
        for number in range(1, order.split_checks + 1)
    ]


# Paying


@dataclass(frozen=True)
class _Share:
    method: str
    amount: Decimal
    tip: Decimal
    change: Decimal

    @property
    def tendered(self) -> Decimal:
        return self.amount + self.tip + self.change


def allocate(tenders: Sequence[dict[str, Any]], bill: Decimal, tip: Decimal) -> list[_Share]:
    """Splits ``bill`` and ``tip`` over the tenders (see the module's docstring); the
    tenders are assumed to cover at least the tip. A tender left with nothing to pay
    is refused (400 naming it): it was not needed."""
    order = sorted(range(len(tenders)), key=lambda index: tenders[index]["method"] == Tender.CASH)
    bill_left, tip_left = bill, tip
    shares: dict[int, _Share] = {}
    errors: dict[str, dict[str, list[str]]] = {}
    for index in order:
        amount = tenders[index]["amount"]
        if bill_left == ZERO and tip_left == ZERO:
            needed = _("Not needed: the tenders before it already pay %(total)s.") % {"total": f"{bill + tip:.2f}"}
            errors[str(index)] = {"amount": [needed]}
            continue
        to_bill = min(amount, bill_left)
        to_tip = min(amount - to_bill, tip_left)
        bill_left -= to_bill
        tip_left -= to_tip
        shares[index] = _Share(tenders[index]["method"], to_bill, to_tip, amount - to_bill - to_tip)
    if errors:
        raise ValidationError({"tenders": errors})
    return [shares[index] for index in order]


@transaction.atomic
def order_pay(
    *,
    tenant: Tenant,
    order_id: uuid.UUID,
    tenders: Sequence[dict[str, Any]],
    tip: Decimal = ZERO,
    check: int | None = None,
) -> Order:
    """Records a payment (one ``Payment`` per tender). Paying all that is due (or the
    last unpaid check) closes the order: ``order_paid``, ``order_closed`` and the
    table's ``table_status_changed`` when it was its last open order. Less is a
    partial payment (``order_updated``); a check is paid whole or not at all."""
    order = order_locked(tenant, order_id, table=True)
    if order.status != OrderStatus.OPEN:
        raise Conflict(
            _("The order is %(status)s; only open orders can be paid.") % {"status": order.get_status_display().lower()}
        )
    owed = due(order)
    if owed == ZERO:
        if order.paid > ZERO:
            raise Conflict(_("The order is already paid."))
        raise Conflict(_("Nothing is due: the bill comes to 0.00. Close the order instead."))
    bill = _check_amount(order, check) if order.split_checks or check is not None else owed
    offered = sum((tender["amount"] for tender in tenders), ZERO)
    not_cash = sum((tender["amount"] for tender in tenders if tender["method"] != Tender.CASH), ZERO)
    if not_cash > bill + tip:
        raise ValidationError(
            {
                "tenders": [
                    _(
                        "Card and transfer tenders come to %(offered)s, more than the %(owed)s to pay; "
                        "only cash may exceed it (and get change)."
                    )
                    % {"offered": f"{not_cash:.2f}", "owed": f"{bill + tip:.2f}"}
                ]
            }
        )
    if offered < bill + tip:
        if check is not None:
            raise ValidationError(
                {
                    "tenders": [
                        _("Check %(check)s comes to %(owed)s with the tip; the tenders cover %(offered)s.")
                        % {"check": check, "owed": f"{bill + tip:.2f}", "offered": f"{offered:.2f}"}
                    ]
                }
            )
        if offered <= tip:
            raise ValidationError(
                {
                    "tenders": [
                        _("The tenders (%(offered)s) do not pay anything of the bill beyond the %(tip)s tip.")
                        % {"offered": f"{offered:.2f}", "tip": f"{tip:.2f}"}
                    ]
                }
            )
        bill = offered - tip
    shares = allocate(tenders, bill, tip)
    shift = shift_current_or_none(tenant=tenant, branch_id=order.branch_id, lock=True)
    if shift is None and any(share.method == Tender.CASH for share in shares):
        raise Conflict(_("Cash needs an open shift in this branch: open the till first."))
    earlier: list[Payment] = list(order.payment_list())
    payments = [
        Payment(
            company_id=order.company_id,
            order=order,
            branch_id=order.branch_id,
            shift=shift,
            method=share.method,
            check_number=check,
            amount=share.amount,
            tip=share.tip,
            tendered=share.tendered,
            change=share.change,
            user=tenant.user,
        )
        for share in shares
    ]
    rows_insert(Payment, payments)
    # The answer and the events show the payments from memory, in their order (Payment.Meta).
    shown = sorted([*earlier, *payments], key=lambda payment: (payment.created_at, payment.pk))
    with_prefetched(order, payments=shown)
    metrics.payments_taken(order.branch_id, [share.method for share in shares], bill)
    order.paid += bill
    order.tips += tip
    order.change += sum((share.change for share in shares), ZERO)
    return order_changed(tenant, ORDER_UPDATED, order, fields=["paid", "tips", "change"])


def _check_amount(order: Order, check: int | None) -> Decimal:
    """What check ``check`` of an evenly split order comes to (400 without a split, out
    of range or without a check named on a split order; 409 once paid)."""
    if not order.split_checks:
        raise ValidationError({"check": [_("The bill is not split into checks.")]})
    if check is None:
        name_it = _("The bill is split into %(count)s checks: name the check paid.") % {"count": order.split_checks}
        raise ValidationError({"check": [name_it]})
    if check > order.split_checks:
        raise ValidationError(
            {"check": [_("The bill is split into %(count)s checks; there is no check %(check)s.")
                       % {"count": order.split_checks, "check": check}]}
        )  # fmt: skip
    found = order_checks(order)[check - 1]
    if found.paid:
        raise Conflict(_("Check %(check)s is already paid.") % {"check": check})
    return found.amount


@transaction.atomic
def order_split_even(*, tenant: Tenant, order_id: uuid.UUID, checks: int | None) -> tuple[Order, list[Check]]:
    """Splits the bill into ``checks`` equal checks, or (None) undoes the split; the
    split may change until a check is paid (409 after)."""
    order = order_open_locked(tenant, order_id)
    if order.split_checks and order.payments.filter(check_number__isnull=False).exists():
        raise Conflict(_("A check of this order is already paid; its split can no longer change."))
    if checks is not None and due(order) == ZERO:
        raise Conflict(_("Nothing is due on this order; there is nothing to split."))
    if order.split_checks != checks:
        order.split_checks = checks
        order_changed(tenant, ORDER_UPDATED, order, fields=["split_checks"])
    return order, order_checks(order)


# Discounts


def _check_share(tenant: Tenant, order: Order, kind: str, value: Decimal, base: Decimal) -> None:
    """A discount above the branch's ``staff_discount_limit_percent`` of what it applies
    to needs a manager or above (403 naming the limit). Compared exactly: a percent
    with the limit, an amount (at most the base) with the limit's share of the base."""
    if tenant.may_manage:
        return
    limit = order.branch.staff_discount_limit_percent
    share_over = min(value, base) * HUNDRED > limit * base
    if value > limit if kind == DiscountKind.PERCENT else share_over:
        raise PermissionDenied(
            _("A discount above %(limit)s%% of what it applies to needs a manager, an admin or the owner.")
            % {"limit": f"{limit.normalize():f}"}
        )


def _line_for_discount(order: Order, line_id: uuid.UUID) -> OrderItem:
    line = order.items.select_for_update(of=("self",), no_key=True).get(pk=line_id)
    if line.voided:
        raise Conflict(_("The line is voided; it cannot change."))
    return line


@transaction.atomic
def order_discount_set(
    *, tenant: Tenant, order_id: uuid.UUID, kind: str, value: Decimal, reason: str, line_id: uuid.UUID | None = None
) -> Order:
    """Sets the order's discount (after line discounts, on the subtotal) or a line's (on
    its price × quantity), replacing any; the bill follows (``cafe.money``), and a bill
    below what was already paid is refused (409)."""
    order = order_open_locked(tenant, order_id)
    row: Order | OrderItem
    if line_id is not None:
        row = _line_for_discount(order, line_id)
        _check_share(tenant, order, kind, value, row.gross)
    else:
        row = order
        _check_share(tenant, order, kind, value, order.subtotal)
    row.discount_kind, row.discount_value, row.discount_reason = kind, value, reason
    return _discount_changed(tenant, order, row)


@transaction.atomic
def order_discount_remove(*, tenant: Tenant, order_id: uuid.UUID, line_id: uuid.UUID | None = None) -> Order:
    """Removes the order's (or a line's) discount; without one, nothing changes."""
    order = order_open_locked(tenant, order_id)
    row: Order | OrderItem = _line_for_discount(order, line_id) if line_id is not None else order
    if not row.discount_kind:
        return order_get(tenant=tenant, order_id=order_id)
    row.discount_kind, row.discount_value, row.discount_reason = "", None, ""
    return _discount_changed(tenant, order, row)


def _discount_changed(tenant: Tenant, order: Order, row: Order | OrderItem) -> Order:
    """Saves a discount set on the order (with its settling: one save) or on a line."""
    fields = ["discount_kind", "discount_value", "discount_reason"]
    if row is not order:
        row.save(update_fields=[*fields, "updated_at"])
        fields = ["updated_at"]
    return order_changed(tenant, ORDER_UPDATED, order, fields=fields)
