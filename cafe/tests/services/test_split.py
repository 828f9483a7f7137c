"""Split, move and merge through the services: the races on PostgreSQL (threads,
each its own connection: one outcome, no deadlock, nothing lost), and what the
API tests leave out."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.tenancy import tenant_for
from cafe.floor.models import Table, TableStatus
from cafe.orders.models import KitchenTask, Order, OrderItem, OrderStatus, TaskStatus
from cafe.orders.services import order_create, order_finish, order_line_update
from cafe.orders.split import order_merge, order_move, order_split
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    order_for,
    staff_of,
    station_dish,
)
from core.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _world(branch=None):
    branch = branch or BranchFactory()
    waiter = staff_of(branch)
    soup = station_dish(StationFactory(branch=branch), price=Decimal("350.00"))
    tea = MenuItemFactory(category__company=branch.company, price=Decimal("100.00"))
    return branch, waiter, soup, tea


def split(user, order, lines, **extra):
    entries = [{"line": line.pk, "quantity": quantity} for line, quantity in lines]
    return order_split(tenant=tenant_for(user), order_id=order.pk, lines=entries, **extra)


def _consistent() -> None:
    """What holds whatever the outcome: each task on its line's order, portions unique
    in a line, a table busy exactly while it has an open order."""
    for task in KitchenTask.unscoped.select_related("line"):
        assert task.order_id == task.line.order_id
    pairs = list(KitchenTask.unscoped.values_list("line", "portion"))
    assert len(pairs) == len(set(pairs))
    for table in Table.unscoped.all():
        has_open = Order.unscoped.filter(table=table, status=OrderStatus.OPEN).exists()
        assert (table.status == TableStatus.BUSY) == has_open, table


def test_a_line_grown_after_a_split_gets_its_next_portions(branch):
    _, waiter, soup, tea = _world(branch)
    table = TableFactory(branch=branch)
    order = order_for(waiter, table, [(soup, 3), (tea, 1)])
    line = order.items.get(menu_item=soup)
    split(waiter, order, [(line, 2)])
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=line.pk, quantity=3)
    assert list(line.tasks.order_by("portion").values_list("portion", "status")) == [
        (1, TaskStatus.PENDING),
        (2, TaskStatus.PENDING),
        (3, TaskStatus.PENDING),
    ]
    _consistent()


def test_a_split_off_order_can_be_merged_back(branch):
    _, waiter, soup, tea = _world(branch)
    table = TableFactory(branch=branch)
    order = order_for(waiter, table, [(soup, 2), (tea, 1)], guests=2)
    line = order.items.get(menu_item=soup)
    _, new = split(waiter, order, [(line, 1)])
    merged = order_merge(tenant=tenant_for(waiter), order_id=order.pk, other=new.pk)
    assert (merged.total, merged.guests) == (Decimal("800.00"), 3)
    assert sorted(merged.items.values_list("quantity", flat=True)) == [1, 1, 1]
    assert KitchenTask.unscoped.filter(order=order).count() == 2
    _consistent()


def test_a_takeaway_order_is_not_split_moved_or_merged(branch):
    _, waiter, _, tea = _world(branch)
    table = TableFactory(branch=branch)
    order = order_for(waiter, table, [(tea, 2)])
    Order.unscoped.filter(pk=order.pk).update(service="takeaway", table=None)
    tenant = tenant_for(waiter)
    message = "The order is takeaway; only dine-in orders are split, moved or merged."
    with pytest.raises(Conflict) as exc:
        split(waiter, order, [(order.items.get(), 1)])
    assert str(exc.value.detail) == message
    with pytest.raises(Conflict) as exc:
        order_move(tenant=tenant, order_id=order.pk, table=table.pk)
    assert str(exc.value.detail) == message


# Races (PostgreSQL: each thread its own connection)


@pytest.mark.django_db(transaction=True)
def test_two_merges_each_way_at_once_one_wins(services, english_threads, run_in_threads):

    branch, waiter, soup, tea = _world()
    table = TableFactory(branch=branch)
    a = order_for(waiter, table, [(soup, 1)])
    b = order_for(waiter, table, [(soup, 2), (tea, 1)])
    pairs = [(a, b), (b, a)]

    results = run_in_threads(
        2,
        lambda i: order_merge(tenant=tenant_for(waiter), order_id=pairs[i][0].pk, other=pairs[i][1].pk),
    )

    winners = [r for r in results if isinstance(r, Order)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    winner = winners[0].pk
    loser = b.pk if winner == a.pk else a.pk
    assert str(losers[0].detail) in {
        "The order is merged; only open orders can change.",
        "The other order is merged; only open orders can be merged.",
    }
    assert dict(Order.unscoped.values_list("pk", "status")) == {winner: "open", loser: "merged"}
    assert Order.unscoped.get(pk=loser).merged_into_id == winner
    assert set(OrderItem.unscoped.values_list("order", flat=True)) == {winner}
    assert KitchenTask.unscoped.filter(order=winner).count() == 3
    assert Order.unscoped.get(pk=winner).total == Decimal("1150.00")
    assert [m["type"] for m in logged_messages(branch.company)].count("order_merged") == 1
    _consistent()


@pytest.mark.django_db(transaction=True)
def test_a_split_racing_a_close_of_the_same_order_has_one_outcome(services, english_threads, run_in_threads):

    branch, waiter, soup, tea = _world()
    table = TableFactory(branch=branch)
    order = order_for(waiter, table, [(soup, 2), (tea, 1)])
    line = order.items.get(menu_item=soup)

    def run(i):
        if i == 0:
            return split(waiter, order, [(line, 1)])
        return order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CLOSED)

    results = run_in_threads(2, run)

    closed = [r for r in results if isinstance(r, Order)]
    assert len(closed) == 1, results
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    splits = [r for r in results if isinstance(r, tuple)]
    if splits:
        # Split first, then closed: the new check is still open on the table.
        new = Order.unscoped.get(split_from=order)
        assert new.status == OrderStatus.OPEN
        assert (order.total, new.total) == (Decimal("450.00"), Decimal("350.00"))
    else:
        [refused] = [r for r in results if isinstance(r, Conflict)]
        assert str(refused.detail) == "The order is closed; only open orders can change."
        assert Order.unscoped.count() == 1
        assert order.total == Decimal("800.00")
    # Nothing lost: every portion is on one of the orders.
    assert sum(OrderItem.unscoped.filter(menu_item=soup).values_list("quantity", flat=True)) == 2
    assert KitchenTask.unscoped.count() == 2
    _consistent()


@pytest.mark.django_db(transaction=True)
def test_a_move_racing_an_order_taken_at_the_target_table(services, english_threads, run_in_threads):

    branch, waiter, soup, _tea = _world()
    old, target = TableFactory(branch=branch), TableFactory(branch=branch)
    order = order_for(waiter, old, [(soup, 1)])

    def run(i):
        tenant = tenant_for(waiter)
        if i == 0:
            return order_move(tenant=tenant, order_id=order.pk, table=target.pk)
        return order_create(tenant=tenant, table=target.pk, guests=2, items=[])

    results = run_in_threads(2, run)

    assert all(isinstance(r, Order) for r in results), results
    old.refresh_from_db()
    target.refresh_from_db()
    assert (old.status, target.status) == (TableStatus.FREE, TableStatus.BUSY)
    assert Order.unscoped.filter(table=target, status=OrderStatus.OPEN).count() == 2
    changes = [
        (m["data"]["table_id"], m["data"]["status"])
        for m in logged_messages(branch.company)
        if m["type"] == "table_status_changed"
    ]
    # order_for's own busy, then one free for the old table and one busy for the target.
    assert sorted(changes[1:]) == sorted([(str(old.pk), "free"), (str(target.pk), "busy")])
    _consistent()


@pytest.mark.django_db(transaction=True)
def test_a_split_racing_a_move_of_the_same_order_follows_it(services, english_threads, run_in_threads):

    branch, waiter, soup, tea = _world()
    old, target = TableFactory(branch=branch), TableFactory(branch=branch)
    order = order_for(waiter, old, [(soup, 2), (tea, 1)])
    line = order.items.get(menu_item=soup)

    def run(i):
        if i == 0:
            return split(waiter, order, [(line, 1)])
        return order_move(tenant=tenant_for(waiter), order_id=order.pk, table=target.pk)

    results = run_in_threads(2, run)

    assert not [r for r in results if isinstance(r, Exception)], results
    order.refresh_from_db()
    new = Order.unscoped.get(split_from=order)
    assert order.table_id == target.pk
    # Split first: the new check stays at the old table; moved first: it is taken at the new one.
    assert new.table_id in {old.pk, target.pk}
    assert KitchenTask.unscoped.filter(order=new).count() == 1
    _consistent()
