"""Paying through the services: how tenders, the tip and the change are allocated,
the even split's shares, and the races (PostgreSQL, each thread its own connection)."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.exceptions import ValidationError

from accounts.tenancy import tenant_for
from cafe.bill import services as billing
from cafe.bill.models import Payment, Shift
from cafe.bill.services import allocate, even_shares, order_pay, order_split_even
from cafe.floor.models import TableStatus
from cafe.orders.models import Order, OrderStatus
from cafe.orders.services import order_add_items, order_create, order_finish, order_line_void
from cafe.orders.split import order_move, order_split
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, logged_messages, order_for, staff_of
from core.errors import Conflict

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def tender(method: str, amount: str) -> dict:
    return {"method": method, "amount": D(amount)}


def shares(tenders, bill, tip) -> list[tuple]:
    return [(s.method, s.amount, s.tip, s.change, s.tendered) for s in allocate(tenders, D(bill), D(tip))]


# Allocation (no database)


def test_non_cash_pays_the_bill_first_then_cash_then_the_tip_then_change():
    assert shares([tender("cash", "1000"), tender("card", "300"), tender("transfer", "200")], "700", "50") == [
        ("card", D("300"), D("0"), D("0"), D("300")),
        ("transfer", D("200"), D("0"), D("0"), D("200")),
        ("cash", D("200"), D("50"), D("750"), D("1000")),
    ]


def test_the_tip_comes_from_what_is_left_after_the_bill():
    assert shares([tender("card", "400"), tender("card", "350")], "700", "50") == [
        ("card", D("400"), D("0"), D("0"), D("400")),
        ("card", D("300"), D("50"), D("0"), D("350")),
    ]


def test_cash_tenders_pay_in_the_order_sent():
    assert shares([tender("cash", "500"), tender("cash", "500")], "700", "0") == [
        ("cash", D("500"), D("0"), D("0"), D("500")),
        ("cash", D("200"), D("0"), D("300"), D("500")),
    ]


def test_a_tender_not_needed_is_named():
    with pytest.raises(ValidationError) as refused:
        allocate([tender("cash", "100"), tender("card", "750")], D("700"), D("50"))
    assert refused.value.detail == {
        "tenders": {"0": {"amount": ["Not needed: the tenders before it already pay 750.00."]}}
    }


@pytest.mark.parametrize(
    ("amount", "count", "expected"),
    [
        ("1000.00", 3, ["333.34", "333.33", "333.33"]),
        ("0.05", 3, ["0.02", "0.02", "0.01"]),
        ("100.00", 2, ["50.00", "50.00"]),
        ("0.01", 2, ["0.01", "0.00"]),
        ("9999999.99", 7, ["1428571.43", "1428571.43", "1428571.43", "1428571.43", "1428571.43", "1428571.42",
                           "1428571.42"]),
    ],
)  # fmt: skip
def test_even_shares_add_up_exactly_the_first_taking_the_spare_cents(amount, count, expected):
    result = even_shares(D(amount), count)
    assert [f"{share:.2f}" for share in result] == expected
    assert sum(result) == D(amount)


# Races


def _race_world(price: str = "700.00"):
    branch = BranchFactory()
    waiter = staff_of(branch)
    table = TableFactory(branch=branch)
    dish = MenuItemFactory(category__company=branch.company, price=D(price))
    Shift.unscoped.create(company=branch.company, branch=branch, opening_float=D("100.00"))
    return branch, waiter, table, dish


@pytest.mark.django_db(transaction=True)
def test_two_tablets_paying_one_order_at_once_one_wins(services, english_threads, run_in_threads):
    branch, waiter, table, dish = _race_world()
    order = order_for(waiter, table, [(dish, 1)])
    tablets = [staff_of(branch) for _ in range(2)]
    bodies = [
        [tender("card", "300.00"), tender("cash", "500.00")],
        [tender("transfer", "700.00")],
    ]

    results = run_in_threads(
        2, lambda i: order_pay(tenant=tenant_for(tablets[i]), order_id=order.pk, tenders=bodies[i])
    )

    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert (len(won), len(lost)) == (1, 1), results
    assert str(lost[0].detail) == "The order is closed; only open orders can be paid."
    winner = tablets.index(next(t for t in tablets if t.pk == Payment.unscoped.first().user_id))
    payments = list(Payment.unscoped.order_by("created_at", "id").values_list("method", "user"))
    assert payments == [
        (t["method"], tablets[winner].pk) for t in sorted(bodies[winner], key=lambda t: t["method"] == "cash")
    ]
    order.refresh_from_db()
    assert (order.status, order.paid, order.total) == (OrderStatus.CLOSED, D("700.00"), D("700.00"))
    assert order.change == (D("100.00") if winner == 0 else D("0.00"))
    types = [m["type"] for m in logged_messages(branch.company)]
    assert (types.count("order_paid"), types.count("order_closed"), types.count("table_status_changed")) == (1, 1, 2)
    table.refresh_from_db()
    assert table.status == TableStatus.FREE


@pytest.mark.django_db(transaction=True)
def test_two_partial_payments_at_once_both_count(services, english_threads, run_in_threads):
    _branch, waiter, table, dish = _race_world()
    order = order_for(waiter, table, [(dish, 1)])

    results = run_in_threads(
        2,
        lambda i: order_pay(tenant=tenant_for(waiter), order_id=order.pk, tenders=[tender("card", "300.00")]),
    )

    assert all(isinstance(r, Order) for r in results), results
    order.refresh_from_db()
    assert (order.status, order.paid, Payment.unscoped.count()) == (OrderStatus.OPEN, D("600.00"), 2)


@pytest.mark.django_db(transaction=True)
def test_a_payment_racing_a_line_void_leaves_one_consistent_outcome(services, english_threads, run_in_threads):
    _branch, waiter, table, dish = _race_world("350.00")
    order = order_for(waiter, table, [(dish, 1), (dish, 1)])
    line = order.items.last()

    def act(i: int):
        tenant = tenant_for(waiter)
        if i == 0:
            return order_line_void(tenant=tenant, order_id=order.pk, line_id=line.pk, reason="wrong")
        return order_pay(tenant=tenant, order_id=order.pk, tenders=[tender("cash", "700.00")])

    results = run_in_threads(2, act)

    assert not [r for r in results if not isinstance(r, Order | Conflict)], [str(r) for r in results]
    order.refresh_from_db()
    line.refresh_from_db()
    payment = Payment.unscoped.get()
    assert order.status == OrderStatus.CLOSED
    assert order.paid == order.total
    if line.voided:
        # The void came first: the cash paid the 350.00 left and 350.00 went back as change.
        assert all(isinstance(r, Order) for r in results), results
        assert (payment.amount, payment.change, order.total) == (D("350.00"), D("350.00"), D("350.00"))
    else:
        # The payment came first: the closed order refused the void.
        assert [str(r.detail) for r in results if isinstance(r, Conflict)] == [
            "The order is closed; only open orders can change."
        ]
        assert (payment.amount, payment.change, order.total) == (D("700.00"), D("0.00"), D("700.00"))


@pytest.mark.django_db(transaction=True)
def test_two_tablets_paying_the_same_check_at_once_one_wins(services, english_threads, run_in_threads):
    _branch, waiter, table, dish = _race_world("1000.00")
    order = order_for(waiter, table, [(dish, 1)])
    order_split_even(tenant=tenant_for(waiter), order_id=order.pk, checks=3)

    results = run_in_threads(
        2,
        lambda i: order_pay(tenant=tenant_for(waiter), order_id=order.pk, tenders=[tender("card", "333.34")], check=1),
    )

    assert [str(r.detail) for r in results if isinstance(r, Conflict)] == ["Check 1 is already paid."]
    order.refresh_from_db()
    assert (order.paid, Payment.unscoped.count()) == (D("333.34"), 1)


@pytest.mark.django_db(transaction=True)
def test_a_close_racing_a_line_void_does_not_deadlock(services, english_threads, run_in_threads):
    _branch, waiter, table, dish = _race_world("350.00")
    order = order_for(waiter, table, [(dish, 1), (dish, 1)])
    line = order.items.last()

    def act(i: int):
        tenant = tenant_for(waiter)
        if i == 0:
            return order_line_void(tenant=tenant, order_id=order.pk, line_id=line.pk, reason="wrong")
        return order_finish(tenant=tenant, order_id=order.pk, status=OrderStatus.CLOSED)

    results = run_in_threads(2, act)

    assert not [r for r in results if not isinstance(r, Order | Conflict)], [str(r) for r in results]
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


@pytest.mark.django_db(transaction=True)
def test_a_split_racing_a_payment_never_takes_money_twice(services, english_threads, run_in_threads):
    """A tablet pays the whole bill by card while another splits a line off to a new
    check: either the payment wins (the split is refused, the order paid) or the
    split does (the card, now above what is due, is refused); never both, never a
    payment on lines that left the order."""
    _branch, waiter, table, dish = _race_world("350.00")
    order = order_for(waiter, table, [(dish, 1), (dish, 1)])
    line = order.items.last()

    def act(i: int):
        tenant = tenant_for(waiter)
        if i == 0:
            return order_split(tenant=tenant, order_id=order.pk, lines=[{"line": line.pk, "quantity": 1}])
        return order_pay(tenant=tenant, order_id=order.pk, tenders=[tender("card", "700.00")])

    results = run_in_threads(2, act)

    refused = [r for r in results if isinstance(r, Conflict | ValidationError)]
    assert len(refused) == 1, [str(r) for r in results]
    order.refresh_from_db()
    payments = list(Payment.unscoped.values_list("order", "amount"))
    if Order.unscoped.filter(split_from=order).exists():
        # The split came first: the order owes 350.00, and the card for 700.00 is above it.
        assert isinstance(refused[0], ValidationError)
        assert (order.status, order.total, order.paid, payments) == (OrderStatus.OPEN, D("350.00"), D("0.00"), [])
    else:
        # The payment came first: the closed order cannot be split.
        assert str(refused[0].detail) == "The order is closed; only open orders can change."
        assert (order.status, order.paid, payments) == (OrderStatus.CLOSED, D("700.00"), [(order.pk, D("700.00"))])


@pytest.mark.django_db(transaction=True)
def test_lines_added_to_one_order_while_another_is_taken_at_its_table_never_deadlock(
    services, english_threads, run_in_threads
):
    """Adding lines updates the order twice, so PostgreSQL checks its foreign keys again
    at commit (a key-share lock on the table) after the event counter is taken; a new
    order at the table holds the table and waits for that counter. With the table
    locked FOR UPDATE the two deadlocked (a 500 in the chaos test); every domain row
    lock is FOR NO KEY UPDATE, which key-share locks pass."""
    _branch, waiter, table, dish = _race_world("100.00")
    first = order_for(waiter, table, [(dish, 1)])
    line = [{"menu_item": dish.pk, "quantity": 1}]

    def act(i: int):
        tenant = tenant_for(waiter)
        if i % 2:
            return order_add_items(tenant=tenant, order_id=first.pk, items=line)
        return order_create(tenant=tenant, table=table.pk, guests=1, items=line)

    for _ in range(15):
        results = run_in_threads(4, act)
        assert all(isinstance(r, Order) for r in results), [repr(r) for r in results]
    assert Order.unscoped.filter(table=table).count() == 1 + 15 * 2


@pytest.mark.django_db(transaction=True)
def test_a_payment_whose_order_moved_before_its_locks_frees_the_new_table(
    services, english_threads, monkeypatch, run_in_threads
):
    """The payment locks the order, then the table it is at (cafe.orders.locking); an
    order moved just before (here: exactly then, in another connection) is paid at
    its new table, and that is the table freed — not the one it left, which would
    leave a closed order's table busy."""
    branch, waiter, table, dish = _race_world("350.00")
    there = TableFactory(branch=branch)
    order = order_for(waiter, table, [(dish, 1)])
    locking = billing.order_locked
    moves = []

    def move_first(*args, **kwargs):
        if not moves:
            moves.append(
                run_in_threads(1, lambda i: order_move(tenant=tenant_for(waiter), order_id=order.pk, table=there.pk))
            )
        return locking(*args, **kwargs)

    monkeypatch.setattr(billing, "order_locked", move_first)
    order_pay(tenant=tenant_for(waiter), order_id=order.pk, tenders=[tender("card", "350.00")])

    assert [type(result) for result in moves[0]] == [Order]
    order.refresh_from_db()
    table.refresh_from_db()
    there.refresh_from_db()
    assert (order.status, order.table_id) == (OrderStatus.CLOSED, there.pk)
    assert (table.status, there.status) == (TableStatus.FREE, TableStatus.FREE)
