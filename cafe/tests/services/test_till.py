"""The till's services: the expected-cash formula, refund money, what the locks
and the database constraints settle when two people act at once (PostgreSQL)."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.models import Refund, Shift
from cafe.bill.selectors import cash_flow
from cafe.bill.till import (
    NotEnoughCash,
    RefundTooLarge,
    ShiftAlreadyOpen,
    _fit,
    order_refund,
    shift_cash_move,
    shift_close,
    shift_open,
)
from cafe.orders.models import Order
from cafe.orders.services import order_finish
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    TableFactory,
    logged_messages,
    open_shift,
    order_for,
    paid,
    staff_of,
)
from core.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _paid_order(branch, price="1000.00", method="card"):
    waiter = staff_of(branch)
    dish = MenuItemFactory(category__company=branch.company, price=Decimal(price))
    return paid(order_for(waiter, TableFactory(branch=branch), [(dish, 1)]), method)


def test_expected_cash_adds_float_cash_taken_and_movements(branch):
    cashier = staff_of(branch, Role.CASHIER)
    tenant = tenant_for(cashier)
    shift = shift_open(tenant=tenant, opening_float=Decimal("1000.00"))
    # Cash: 700 of the bill, a 30 tip, 270 change (1000 tendered): 730 stays in the drawer.
    waiter = staff_of(branch)
    dish = MenuItemFactory(category__company=branch.company, price=Decimal("700.00"))
    order = paid(order_for(waiter, TableFactory(branch=branch), [(dish, 1)]), "cash", tip="30.00", change="270.00")
    _paid_order(branch, "500.00", method="card")  # not cash: not in the drawer
    shift_cash_move(tenant=tenant, shift_id=shift.pk, kind="in", amount=Decimal("200.00"), reason="Coins")
    shift_cash_move(tenant=tenant, shift_id=shift.pk, kind="out", amount=Decimal("450.00"), reason="Safe")
    manager = staff_of(branch, Role.MANAGER)
    order_refund(tenant=tenant_for(manager), order_id=order.pk, method="cash", reason="x", amount=Decimal("100.00"))
    flow = cash_flow(tenant=tenant, shift=Shift.unscoped.get(pk=shift.pk))
    assert (flow.opening_float, flow.taken, flow.refunded, flow.cash_in, flow.cash_out) == (
        Decimal("1000.00"),
        Decimal("730.00"),
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("450.00"),
    )
    assert flow.expected == Decimal("1380.00")
    closed = shift_close(tenant=tenant, shift_id=shift.pk, counted_cash=Decimal("1400.00"))
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        Decimal("1380.00"),
        Decimal("1400.00"),
        Decimal("20.00"),
    )
    assert [m["type"] for m in logged_messages(branch.company)][-2:] == ["order_refunded", "shift_closed"]


def test_fit_takes_an_excess_off_the_last_lines_and_puts_a_shortfall_on_the_last():
    a, b = object(), object()
    lines = [(a, 1, Decimal("5.00")), (b, 1, Decimal("0.30"))]
    assert _fit(lines, Decimal("5.00")) == [(a, 1, Decimal("5.00")), (b, 1, Decimal("0.00"))]  # type: ignore[arg-type]
    assert _fit(lines, Decimal("4.90")) == [(a, 1, Decimal("4.90")), (b, 1, Decimal("0.00"))]  # type: ignore[arg-type]
    assert _fit(lines, Decimal("5.31")) == [(a, 1, Decimal("5.00")), (b, 1, Decimal("0.31"))]  # type: ignore[arg-type]
    assert _fit(lines, Decimal("5.30")) == lines  # type: ignore[arg-type]


def test_a_cancelled_order_cannot_be_refunded(branch):
    waiter = staff_of(branch)
    dish = MenuItemFactory(category__company=branch.company)
    order = order_for(waiter, TableFactory(branch=branch), [(dish, 1)])
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status="cancelled")
    manager = staff_of(branch, Role.MANAGER)
    with pytest.raises(Conflict, match=r"Only closed, paid orders can be refunded\."):
        order_refund(tenant=tenant_for(manager), order_id=order.pk, method="card", reason="x")


# Races (PostgreSQL: each thread its own connection)


@pytest.mark.django_db(transaction=True)
def test_two_cashiers_opening_a_shift_at_once_get_one(services, english_threads, run_in_threads):
    branch = BranchFactory()
    cashiers = [staff_of(branch, Role.CASHIER) for _ in range(2)]

    results = run_in_threads(
        2,
        lambda i: shift_open(tenant=tenant_for(cashiers[i]), opening_float=Decimal("100.00")),
    )

    opened = [r for r in results if isinstance(r, Shift)]
    refused = [r for r in results if isinstance(r, ShiftAlreadyOpen)]
    assert (len(opened), len(refused)) == (1, 1), results
    assert refused[0].detail == {
        "detail": "This branch already has an open shift; close it first.",
        "shift": str(opened[0].pk),
    }
    assert list(Shift.unscoped.filter(branch=branch, closed_at__isnull=True).values_list("pk", flat=True)) == [
        opened[0].pk
    ]
    assert [m["type"] for m in logged_messages(branch.company)] == ["shift_opened"]


@pytest.mark.django_db(transaction=True)
def test_two_managers_refunding_at_once_never_exceed_what_was_paid(services, english_threads, run_in_threads):
    branch = BranchFactory()
    order = _paid_order(branch, "1000.00")
    managers = [staff_of(branch, Role.MANAGER) for _ in range(2)]

    results = run_in_threads(
        2,
        lambda i: order_refund(
            tenant=tenant_for(managers[i]), order_id=order.pk, method="card", reason="x", amount=Decimal("600.00")
        ),
    )

    assert sum(isinstance(r, Order) for r in results) == 1, results
    [refused] = [r for r in results if isinstance(r, RefundTooLarge)]
    assert refused.detail == {"detail": "At most 400.00 of this order can still be refunded.", "refundable": "400.00"}
    assert Order.unscoped.get(pk=order.pk).refunded == Decimal("600.00")
    assert list(Refund.unscoped.values_list("amount", flat=True)) == [Decimal("600.00")]


@pytest.mark.django_db(transaction=True)
def test_two_whole_refunds_at_once_give_back_the_bill_once(services, english_threads, run_in_threads):
    branch = BranchFactory()
    order = _paid_order(branch, "1000.00")
    managers = [staff_of(branch, Role.MANAGER) for _ in range(3)]

    results = run_in_threads(
        3,
        lambda i: order_refund(tenant=tenant_for(managers[i]), order_id=order.pk, method="card", reason="x"),
    )

    assert sum(isinstance(r, Order) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) and "refunded in full" in str(r.detail) for r in results) == 2
    assert Order.unscoped.get(pk=order.pk).refunded == Decimal("1000.00")
    assert order.items.get().refunded_quantity == 1
    assert [m["type"] for m in logged_messages(branch.company)].count("order_refunded") == 1


@pytest.mark.django_db(transaction=True)
def test_cash_out_and_a_cash_refund_at_once_never_empty_the_drawer_below_zero(
    services, english_threads, run_in_threads
):
    branch = BranchFactory()
    shift = open_shift(branch, opening_float="500.00")
    order = _paid_order(branch, "1000.00", method="card")
    cashier, manager = staff_of(branch, Role.CASHIER), staff_of(branch, Role.MANAGER)

    def act(i):
        if i == 0:
            return shift_cash_move(
                tenant=tenant_for(cashier), shift_id=shift.pk, kind="out", amount=Decimal("400.00"), reason="Safe"
            )
        return order_refund(
            tenant=tenant_for(manager), order_id=order.pk, method="cash", reason="x", amount=Decimal("400.00")
        )

    results = run_in_threads(2, act)

    assert sum(isinstance(r, NotEnoughCash) for r in results) == 1, results
    assert cash_flow(tenant=tenant_for(cashier), shift=Shift.unscoped.get(pk=shift.pk)).expected == Decimal("100.00")
