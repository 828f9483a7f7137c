from decimal import Decimal

import pytest
from django.db import transaction
from rest_framework.exceptions import ValidationError

from accounts.models import Company, Role
from accounts.tenancy import tenant_for
from cafe.floor.models import Table, TableStatus
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.serializers import OrderSerializer
from cafe.orders.services import order_add_items, order_create, order_finish
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    TableFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
)
from core.errors import Conflict
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=7)


@pytest.fixture
def dish(branch):
    return MenuItemFactory(category__company=branch.company, title="Борщ", price=Decimal("350.00"))


def test_create_saves_order_lines_and_busies_table(waiter, table, dish):
    order = order_for(waiter, table, [(dish, 2)], guests=3)

    assert order.status == OrderStatus.OPEN
    assert order.branch_id == table.branch_id
    assert order.company_id == table.company_id
    assert order.waiter == waiter
    assert order.guests == 3
    line = order.items.get()
    assert (line.menu_item_id, line.title, line.price, line.quantity) == (dish.pk, "Борщ", Decimal("350.00"), 2)
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY


def test_line_price_is_copied_and_survives_menu_change(waiter, table, dish):
    order = order_for(waiter, table, [(dish, 1)])
    dish.price = Decimal("999.99")
    dish.save()
    assert order.items.get().price == Decimal("350.00")


def test_create_with_no_items_is_allowed(waiter, table):
    order = order_for(waiter, table, [])
    assert order.items.count() == 0


def test_create_on_reserved_table_makes_it_busy(waiter, branch):
    table = TableFactory(branch=branch, status=TableStatus.RESERVED)
    order_for(waiter, table)
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY


def test_second_order_on_busy_table_emits_no_status_change(waiter, table, dish):
    order_for(waiter, table, [(dish, 1)])
    before = Event.objects.count()
    order_for(waiter, table, [(dish, 1)])
    types = list(Event.objects.order_by("seq").values_list("type", flat=True)[before:])
    assert types == ["order_created"]


def test_table_of_another_branch_is_refused_for_branch_staff(waiter, dish):
    other = TableFactory(branch=BranchFactory(company=waiter.company))
    with pytest.raises(ValidationError) as exc:
        order_for(waiter, other, [(dish, 1)])
    assert "table" in exc.value.detail
    assert Order.unscoped.count() == 0


def test_table_of_another_company_is_refused_even_for_owner(branch, dish):
    owner = owner_of(branch.company)
    with pytest.raises(ValidationError) as exc:
        order_for(owner, TableFactory())
    assert "table" in exc.value.detail
    assert Order.unscoped.count() == 0


@pytest.mark.parametrize("which", ["other_company", "other_branch", "unavailable"])
def test_bad_menu_item_rolls_back_everything(waiter, table, dish, which):
    if which == "other_company":
        bad = MenuItemFactory()
    elif which == "other_branch":
        bad = MenuItemFactory(category__company=waiter.company, branch=BranchFactory(company=waiter.company))
    else:
        bad = MenuItemFactory(category__company=waiter.company, is_available=False)
    with pytest.raises(ValidationError) as exc:
        order_for(waiter, table, [(dish, 1), (bad, 1)])
    assert list(exc.value.detail["items"]) == ["1"]
    assert "menu_item" in exc.value.detail["items"]["1"]
    assert (Order.unscoped.count(), OrderItem.unscoped.count(), Event.objects.count()) == (0, 0, 0)
    table.refresh_from_db()
    assert table.status == TableStatus.FREE


def test_branch_menu_item_is_accepted_at_its_branch(waiter, table):
    local = MenuItemFactory(category__company=waiter.company, branch=table.branch, price=Decimal("10.50"))
    order = order_for(waiter, table, [(local, 3)])
    assert order.items.get().price == Decimal("10.50")


def test_add_items_to_open_order(waiter, table, dish):
    order = order_for(waiter, table, [(dish, 1)])
    soup = MenuItemFactory(category__company=waiter.company, price=Decimal("120.00"))
    order = order_add_items(tenant=tenant_for(waiter), order_id=order.pk, items=[{"menu_item": soup.pk, "quantity": 2}])
    assert sorted((i.price, i.quantity) for i in order.items.all()) == [
        (Decimal("120.00"), 2),
        (Decimal("350.00"), 1),
    ]


@pytest.mark.parametrize("status", [OrderStatus.CLOSED, OrderStatus.CANCELLED])
def test_finish_frees_table_with_last_open_order(waiter, table, dish, status):
    first = order_for(waiter, table, [(dish, 1)])
    second = order_for(waiter, table, [(dish, 1)])
    tenant = tenant_for(waiter)

    order_finish(tenant=tenant, order_id=first.pk, status=status)
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY

    finished = order_finish(tenant=tenant, order_id=second.pk, status=status)
    assert finished.status == status
    assert finished.closed_at is not None
    table.refresh_from_db()
    assert table.status == TableStatus.FREE


@pytest.mark.parametrize("first", [OrderStatus.CLOSED, OrderStatus.CANCELLED])
@pytest.mark.parametrize("then", [OrderStatus.CLOSED, OrderStatus.CANCELLED])
def test_ending_an_ended_order_conflicts_and_changes_nothing(waiter, table, first, then):
    order = order_for(waiter, table)
    tenant = tenant_for(waiter)
    order_finish(tenant=tenant, order_id=order.pk, status=first)
    events_before = Event.objects.count()
    with pytest.raises(Conflict):
        order_finish(tenant=tenant, order_id=order.pk, status=then)
    order.refresh_from_db()
    assert order.status == first
    assert Event.objects.count() == events_before


def test_adding_items_to_ended_order_conflicts(waiter, table, dish):
    order = order_for(waiter, table)
    tenant = tenant_for(waiter)
    order_finish(tenant=tenant, order_id=order.pk, status=OrderStatus.CLOSED)
    with pytest.raises(Conflict):
        order_add_items(tenant=tenant, order_id=order.pk, items=[{"menu_item": dish.pk, "quantity": 1}])
    assert OrderItem.unscoped.count() == 0


def test_finish_of_another_companys_order_is_not_found(waiter, table):
    order = order_for(waiter, table)
    stranger = owner_of(BranchFactory().company)
    with pytest.raises(Order.DoesNotExist):
        order_finish(tenant=tenant_for(stranger), order_id=order.pk, status=OrderStatus.CLOSED)


# Events


def test_order_lifecycle_writes_events_with_contiguous_seq(waiter, table, dish):
    tenant = tenant_for(waiter)
    order = order_for(waiter, table, [(dish, 2)])
    order_add_items(tenant=tenant, order_id=order.pk, items=[{"menu_item": dish.pk, "quantity": 1}])
    order_finish(tenant=tenant, order_id=order.pk, status=OrderStatus.CLOSED)
    second = order_for(waiter, table)
    order_finish(tenant=tenant, order_id=second.pk, status=OrderStatus.CANCELLED)

    rows = list(Event.objects.filter(company=waiter.company).order_by("seq"))
    assert [row.type for row in rows] == [
        "order_created",
        "table_status_changed",
        "order_updated",
        "order_closed",
        "table_status_changed",
        "order_created",
        "table_status_changed",
        "order_cancelled",
        "table_status_changed",
    ]
    assert [row.seq for row in rows] == list(range(1, 10))
    assert Company.objects.get(pk=waiter.company_id).event_seq == 9
    assert {row.branch_id for row in rows} == {table.branch_id}

    msgs = logged_messages(waiter.company)
    assert [m["seq"] for m in msgs] == list(range(1, 10))
    assert all(set(m) == {"type", "data", "event_id", "seq", "ts"} for m in msgs)
    assert [m["event_id"] for m in msgs] == [str(row.id) for row in rows]

    created = msgs[0]["data"]
    assert set(created) == {"order", "company_id", "branch_id"}
    assert created["company_id"] == str(waiter.company_id)
    assert created["branch_id"] == str(table.branch_id)
    assert created["order"]["id"] == str(order.pk)
    assert created["order"]["total"] == "700.00"
    assert created["order"]["status"] == "open"
    assert created["order"]["items"][0]["price"] == "350.00"
    assert list(created["order"]) == list(OrderSerializer().fields)
    assert created["order"]["money"]["due"] == "700.00"

    assert msgs[1]["data"] == {
        "table_id": str(table.pk),
        "table_number": 7,
        "status": "busy",
        "status_display": "Занят",
        "branch_id": str(table.branch_id),
    }
    assert msgs[2]["data"]["order"]["total"] == "1050.00"
    assert msgs[3]["data"]["order"]["status"] == "closed"
    assert msgs[4]["data"]["status"] == "free"
    assert msgs[4]["data"]["status_display"] == "Свободен"
    assert msgs[7]["data"]["order"]["status"] == "cancelled"


def test_seq_is_per_company(waiter, table):
    other_table = TableFactory()
    other_waiter = staff_of(other_table.branch)
    order_for(waiter, table)
    order_for(other_waiter, other_table)
    order_for(waiter, table)
    assert list(Event.objects.filter(company=waiter.company).values_list("seq", flat=True)) == [1, 2, 3]
    assert list(Event.objects.filter(company=other_waiter.company).values_list("seq", flat=True)) == [1, 2]


def test_rolled_back_service_call_writes_no_event(waiter, table, dish):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():  # noqa: PT012 - the block is one transaction, rolled back as a whole
        order_for(waiter, table, [(dish, 1)])
        assert Event.objects.count() == 2
        raise Boom
    assert (Order.unscoped.count(), OrderItem.unscoped.count(), Event.objects.count()) == (0, 0, 0)
    assert Company.objects.get(pk=waiter.company_id).event_seq == 0
    table.refresh_from_db()
    assert table.status == TableStatus.FREE


def test_failed_service_call_writes_no_event(waiter, table):
    with pytest.raises(ValidationError):
        order_create(
            tenant=tenant_for(waiter), table=table.pk, guests=2, items=[{"menu_item": table.pk, "quantity": 1}]
        )
    assert Event.objects.count() == 0
    assert Company.objects.get(pk=waiter.company_id).event_seq == 0


# Concurrency


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_creates_on_one_free_table(run_in_threads):
    branch = BranchFactory()
    table = TableFactory(branch=branch)
    dish = MenuItemFactory(category__company=branch.company)
    waiters = [staff_of(branch) for _ in range(6)]

    results = run_in_threads(6, lambda i: order_for(waiters[i], table, [(dish, 1)]))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(results) == 6
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY
    assert Order.unscoped.filter(table=table, status=OrderStatus.OPEN).count() == 6
    assert OrderItem.unscoped.count() == 6
    types = list(Event.objects.filter(company=branch.company).order_by("seq").values_list("type", flat=True))
    assert types.count("order_created") == 6
    assert types.count("table_status_changed") == 1
    assert list(Event.objects.filter(company=branch.company).values_list("seq", flat=True)) == list(range(1, 8))


@pytest.mark.django_db(transaction=True)
def test_concurrent_close_of_the_last_orders_frees_the_table(run_in_threads):
    branch = BranchFactory()
    table = TableFactory(branch=branch)
    waiter = staff_of(branch)
    orders = [order_for(waiter, table) for _ in range(4)]
    tenant = tenant_for(waiter)

    results = run_in_threads(4, lambda i: order_finish(tenant=tenant, order_id=orders[i].pk, status=OrderStatus.CLOSED))

    assert [r for r in results if isinstance(r, Exception)] == []
    table.refresh_from_db()
    assert table.status == TableStatus.FREE
    assert Order.unscoped.filter(status=OrderStatus.CLOSED).count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_close_and_cancel_of_one_order_one_wins(run_in_threads):
    branch = BranchFactory()
    table = TableFactory(branch=branch)
    waiter = staff_of(branch, role=Role.CASHIER)
    order = order_for(waiter, table)
    tenant = tenant_for(waiter)
    statuses = [OrderStatus.CLOSED, OrderStatus.CANCELLED] * 2

    results = run_in_threads(4, lambda i: order_finish(tenant=tenant, order_id=order.pk, status=statuses[i]))

    assert sum(isinstance(r, Order) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 3
    assert Table.unscoped.get(pk=table.pk).status == TableStatus.FREE
    types = list(Event.objects.filter(company=branch.company).values_list("type", flat=True))
    assert types.count("table_status_changed") == 2
