"""How a bill adds up. All money is ``Decimal`` with two places; rounding is
half-up (0.005 → 0.01), done once per line (its discount) and once per total
(the order's discount, then the service charge):

    line total      = price × quantity − line discount          (voided lines count 0)
    subtotal        = Σ line totals
    order discount  = amount, or round(subtotal × percent / 100), never above the subtotal
    service charge  = round((subtotal − order discount) × service_charge_percent / 100)
    total           = subtotal − order discount + service charge
    discounts       = Σ line discounts + order discount
    due             = total − paid                              (never below 0)

A discount never takes more than what it applies to, so no total goes below zero.
Payments (``paid``, ``tips``, ``change``) and refunds (``refunded``) are kept on
the order by the services that record them."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from cafe.orders.models import DiscountKind, Order, OrderItem
from core.errors import Conflict

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    return rounded(base * percent / HUNDRED)


def discount_of(kind: str, value: Decimal | None, base: Decimal) -> Decimal:
    """What a discount takes off ``base``: at most all of it."""
    if not kind or value is None:
        return ZERO
    amount = rounded(value) if kind == DiscountKind.AMOUNT else percent_of(base, value)
    return min(amount, base)


def recalculate(order: Order, lines: Iterable[OrderItem]) -> tuple[list[str], list[OrderItem]]:
    """Sets the order's bill (and its lines' discounts) from its lines; returns the
    order fields and the lines that changed. Refuses (409) a bill below what was
    already paid: refund first."""
    changed_lines = []
    subtotal = line_discounts = ZERO
    for line in lines:
        if line.voided_at is not None:
            continue
        amount = discount_of(line.discount_kind, line.discount_value, line.gross)
        if amount != line.discount_amount:
            line.discount_amount = amount
            changed_lines.append(line)
        subtotal += line.total
        line_discounts += amount
    order_discount = discount_of(order.discount_kind, order.discount_value, subtotal)
    service_charge = percent_of(subtotal - order_discount, order.service_charge_percent)
    bill = {
        "subtotal": subtotal,
        "discount_total": line_discounts + order_discount,
        "service_charge": service_charge,
        "total": subtotal - order_discount + service_charge,
    }
    if bill["total"] < order.paid:
        raise Conflict(
            _("The bill would come to %(total)s, below the %(paid)s already paid; refund first.")
            % {"total": f"{bill['total']:.2f}", "paid": f"{order.paid:.2f}"}
        )
    changed = [field for field, value in bill.items() if getattr(order, field) != value]
    for field in changed:
        setattr(order, field, bill[field])
    return changed, changed_lines


def due(order: Order) -> Decimal:
    return max(order.total - order.paid, ZERO)
