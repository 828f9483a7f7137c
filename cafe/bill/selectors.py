import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.tenancy import Tenant
from cafe.bill.models import CashMovement, Payment, Refund, Shift, Tender
from cafe.orders.models import Order, OrderItem
from cafe.orders.money import ZERO


def shift_current_or_none(*, tenant: Tenant, branch_id: uuid.UUID, lock: bool = False) -> Shift | None:
    """The branch's open cash shift, if any (there is at most one: a database constraint)."""
    shifts = tenant.scope(Shift).filter(branch=branch_id, closed_at__isnull=True)
    return (shifts.select_for_update(of=("self",), no_key=True) if lock else shifts).first()


# The till's reads: cash shifts, their cash movements, the cash a drawer should
# hold, and the X / Z report. Payments and refunds belong to a shift through their
# ``shift`` (the branch's open shift when they were taken); see docs/till.md.


def shift_list(*, tenant: Tenant, branch: uuid.UUID | None = None, status: str | None = None) -> QuerySet[Shift]:
    """A tenant's shifts, newest first; ``status`` is ``open`` or ``closed``."""
    shifts = tenant.scope(Shift)
    if branch:
        shifts = shifts.filter(branch=branch)
    if status:
        shifts = shifts.filter(closed_at__isnull=status == "open")
    return shifts.order_by("-opened_at", "-id")


def shift_get(*, tenant: Tenant, shift_id: uuid.UUID, lock: bool = False) -> Shift:
    shifts = tenant.scope(Shift)
    if lock:
        shifts = shifts.select_for_update(of=("self",), no_key=True)
    return shifts.get(pk=shift_id)


def cash_movement_list(*, tenant: Tenant, shift_id: uuid.UUID) -> QuerySet[CashMovement]:
    """A shift's cash movements, oldest first (404 for a shift the tenant cannot see)."""
    shift = shift_get(tenant=tenant, shift_id=shift_id)
    return tenant.scope(CashMovement).filter(shift=shift).order_by("created_at", "id")


def _sum(queryset: QuerySet, expression: Any) -> Decimal:
    return queryset.aggregate(total=Sum(expression))["total"] or ZERO


@dataclass
class CashFlow:
    """Where a shift's cash came from and went: ``expected`` is what the drawer holds."""

    opening_float: Decimal
    taken: Decimal  # cash payments: amount + tip (tendered − change)
    refunded: Decimal  # cash refunds
    cash_in: Decimal
    cash_out: Decimal

    @property
    def expected(self) -> Decimal:
        return self.opening_float + self.taken - self.refunded + self.cash_in - self.cash_out


def cash_flow(*, tenant: Tenant, shift: Shift) -> CashFlow:
    """The cash a shift's drawer should hold now (for an open shift, so far):
    opening float + cash taken − cash refunds + cash in − cash out."""
    payments = tenant.scope(Payment).filter(shift=shift, method=Tender.CASH)
    movements = tenant.scope(CashMovement).filter(shift=shift)
    return CashFlow(
        opening_float=shift.opening_float,
        taken=_sum(payments, "amount") + _sum(payments, "tip"),
        refunded=_sum(tenant.scope(Refund).filter(shift=shift, method=Tender.CASH), "amount"),
        cash_in=_sum(movements.filter(kind=CashMovement.Kind.IN), "amount"),
        cash_out=_sum(movements.filter(kind=CashMovement.Kind.OUT), "amount"),
    )


def shift_current(*, tenant: Tenant, branch_id: uuid.UUID) -> Shift:
    """The branch's open shift (``Shift.DoesNotExist``, a 404, when there is none)."""
    return tenant.scope(Shift).get(branch=branch_id, closed_at__isnull=True)


@dataclass
class ShiftReport:
    """What ``shifts/{id}/report/`` answers (``ShiftReportSerializer``)."""

    kind: str
    shift: Shift
    cash: CashFlow
    payments: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    orders_paid: int = 0
    discounts: Decimal = ZERO
    service_charge: Decimal = ZERO
    voids: dict[str, Any] = field(default_factory=dict)

    @property
    def expected_cash(self) -> Decimal:
        return self.shift.expected_cash if self.shift.expected_cash is not None else self.cash.expected

    @property
    def sales(self) -> Decimal:
        return sum((row["amount"] for row in self.payments), ZERO)

    @property
    def tips(self) -> Decimal:
        return sum((row["tips"] for row in self.payments), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((row["amount"] for row in self.refunds), ZERO)

    @property
    def net(self) -> Decimal:
        return self.sales - self.refunded


def shift_report(*, tenant: Tenant, shift_id: uuid.UUID) -> ShiftReport:
    """The X report of an open shift (so far) or the Z report of a closed one.

    Payments and refunds count in the shift they name; an order counts as paid in
    the shift that took its last payment (its discounts and service charge with it);
    voids are the lines of the shift's branch voided between its opening and its
    close (or now)."""
    shift = shift_get(tenant=tenant, shift_id=shift_id)
    until = shift.closed_at or timezone.now()
    by_method = {
        row["method"]: row
        for row in tenant.scope(Payment)
        .filter(shift=shift)
        .values("method")
        .annotate(count=Count("id"), amount=Sum("amount"), tips=Sum("tip"))
    }
    refunds_by_method = {
        row["method"]: row
        for row in tenant.scope(Refund)
        .filter(shift=shift)
        .values("method")
        .annotate(count=Count("id"), amount=Sum("amount"))
    }
    orders = tenant.scope(Order).filter(
        Q(paid_at__gte=shift.opened_at, paid_at__lte=until),
        pk__in=tenant.scope(Payment).filter(shift=shift).values("order"),
    )
    paid = orders.aggregate(count=Count("id"), discounts=Sum("discount_total"), service=Sum("service_charge"))
    voided = tenant.scope(OrderItem).filter(
        order__branch=shift.branch_id, voided_at__gte=shift.opened_at, voided_at__lte=until
    )
    void_lines = list(voided.values_list("price", "quantity", "discount_amount"))
    return ShiftReport(
        kind="x" if shift.is_open else "z",
        shift=shift,
        cash=cash_flow(tenant=tenant, shift=shift),
        payments=[
            {
                "method": method,
                "count": by_method.get(method, {}).get("count", 0),
                "amount": by_method.get(method, {}).get("amount") or ZERO,
                "tips": by_method.get(method, {}).get("tips") or ZERO,
            }
            for method in Tender.values
        ],
        refunds=[
            {
                "method": method,
                "count": refunds_by_method.get(method, {}).get("count", 0),
                "amount": refunds_by_method.get(method, {}).get("amount") or ZERO,
            }
            for method in Tender.values
        ],
        orders_paid=paid["count"],
        discounts=paid["discounts"] or ZERO,
        service_charge=paid["service"] or ZERO,
        voids={
            "count": len(void_lines),
            "portions": sum(quantity for _, quantity, _ in void_lines),
            "amount": sum((price * quantity - discount for price, quantity, discount in void_lines), ZERO),
        },
    )
