"""Takeaway orders in the services: pickup numbers per branch and per branch-local
day (and the race for them), the kitchen, and ready for pickup (``order_ready``)
for any order, even one already paid and closed."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.services import order_pay
from cafe.orders.kitchen import task_act
from cafe.orders.models import KitchenTask, Order, OrderStatus, PickupCounter, Service, TaskStatus
from cafe.orders.services import order_add_items, order_create, order_finish, order_line_void
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def hot(branch):
    return StationFactory(branch=branch, name="Hot kitchen")


@pytest.fixture
def soup(hot):
    return station_dish(hot, title="Soup", price=Decimal("350.00"))


@pytest.fixture
def cook(branch):
    return staff_of(branch, Role.COOK)


def takeaway(user, items=(), **fields) -> Order:
    lines = [{"menu_item": item.pk, "quantity": quantity} for item, quantity in items]
    return order_create(tenant=tenant_for(user), service=Service.TAKEAWAY, items=lines, **fields)


def act(user, tasks, action):
    return task_act(tenant=tenant_for(user), task_ids=[task.pk for task in tasks], action=action)


def at(monkeypatch, moment: str) -> None:
    instant = datetime.datetime.fromisoformat(moment).replace(tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: instant)


def test_numbers_count_up_per_branch(waiter, branch):
    other = BranchFactory(company=branch.company)
    owner = owner_of(branch.company)
    numbers = [takeaway(waiter).pickup_number for _ in range(3)]
    elsewhere = takeaway(owner, branch=other.pk)
    assert numbers == [1, 2, 3]
    assert elsewhere.pickup_number == 1
    assert sorted(PickupCounter.unscoped.values_list("branch_id", "last")) == sorted([(branch.pk, 3), (other.pk, 1)])


def test_numbers_restart_at_the_branchs_local_midnight(monkeypatch):
    moscow = BranchFactory(timezone="Europe/Moscow")
    waiter = staff_of(moscow)
    at(monkeypatch, "2026-01-15T20:59:59")  # 23:59:59 in Moscow
    late = [takeaway(waiter), takeaway(waiter)]
    at(monkeypatch, "2026-01-15T21:00:00")  # 00:00 on the 16th
    early = takeaway(waiter)
    assert [(o.pickup_day, o.pickup_number) for o in (*late, early)] == [
        (datetime.date(2026, 1, 15), 1),
        (datetime.date(2026, 1, 15), 2),
        (datetime.date(2026, 1, 16), 1),
    ]


def test_a_day_already_counted_goes_on_from_its_counter(monkeypatch, waiter, branch):
    at(monkeypatch, "2026-03-14T12:00:00")
    PickupCounter.unscoped.create(company=branch.company, branch=branch, day=datetime.date(2026, 3, 14), last=41)
    assert takeaway(waiter).pickup_number == 42


def test_an_order_refused_gives_its_number_back(waiter, branch):
    gone = MenuItemFactory(category__company=branch.company, is_available=False)
    with pytest.raises(Exception, match="not available"):
        takeaway(waiter, [(gone, 1)])
    assert takeaway(waiter).pickup_number == 1


def test_takeaway_goes_through_the_kitchen_with_its_pickup_number(waiter, soup, branch):
    order = takeaway(waiter, [(soup, 2)], customer_name="Anna", customer_phone="+7 (900) 123-45-67")
    assert (order.table_id, order.branch_id, order.guests, order.service_charge_percent) == (
        None,
        branch.pk,
        1,
        Decimal("0"),
    )
    messages = logged_messages(branch.company)
    assert [m["type"] for m in messages] == ["order_created", "kitchen_task_created", "kitchen_task_created"]
    created = messages[0]["data"]["order"]
    assert (created["service"], created["table"], created["table_number"], created["pickup_number"]) == (
        "takeaway",
        None,
        None,
        1,
    )
    # Events go to every role: the phone is masked; the full one is the guest book's.
    assert (created["customer_name"], created["customer_phone"]) == ("Anna", "+7 *** ***-**-67")
    assert created["guest"] == str(order.guest_id)
    assert order.guest.phone == "+79001234567"
    assert {(m["data"]["task"]["service"], m["data"]["task"]["pickup_number"]) for m in messages[1:]} == {
        ("takeaway", 1)
    }
    assert {m["data"]["branch_id"] for m in messages} == {str(branch.pk)}


def test_closing_and_cancelling_takeaway_touch_no_table(waiter, soup, branch):
    first, second = takeaway(waiter, [(soup, 1)]), takeaway(waiter, [(soup, 1)])
    before = len(logged_messages(branch.company))
    order_finish(tenant=tenant_for(waiter), order_id=first.pk, status=OrderStatus.CLOSED)
    order_finish(tenant=tenant_for(waiter), order_id=second.pk, status=OrderStatus.CANCELLED)
    types = [m["type"] for m in logged_messages(branch.company)[before:]]
    assert types == ["order_closed", "order_cancelled", "kitchen_task_updated"]


def _types_since(branch, before):
    return [m["type"] for m in logged_messages(branch.company)[before:]]


def test_the_order_is_ready_when_its_last_portion_is(waiter, cook, soup, branch):
    order = takeaway(waiter, [(soup, 2)])
    first, second = KitchenTask.unscoped.filter(order=order).order_by("portion")
    act(cook, [first, second], "claim")
    act(cook, [first], "ready")
    order.refresh_from_db()
    assert order.ready_at is None
    before = len(logged_messages(branch.company))
    act(cook, [second], "ready")
    order.refresh_from_db()
    second.refresh_from_db()
    assert order.ready_at == second.ready_at
    messages = logged_messages(branch.company)[before:]
    assert [m["type"] for m in messages] == ["kitchen_task_updated", "kitchen_task_ready", "order_ready"]
    assert messages[2]["data"]["order"]["ready_at"] is not None
    assert messages[2]["data"]["order"]["pickup_number"] == 1
    # Serving it does not announce it again.
    before = len(logged_messages(branch.company))
    act(waiter, [first, second], "served")
    assert _types_since(branch, before) == ["kitchen_task_updated", "kitchen_task_updated"]


def test_a_portion_back_on_the_stove_or_new_portions_clear_ready(waiter, cook, soup, branch):
    order = takeaway(waiter, [(soup, 1)])
    task = KitchenTask.unscoped.get(order=order)
    act(cook, [task], "claim")
    act(cook, [task], "ready")
    before = len(logged_messages(branch.company))
    act(cook, [task], "unready")
    messages = logged_messages(branch.company)[before:]
    assert [m["type"] for m in messages] == ["kitchen_task_updated", "order_updated"]
    assert messages[1]["data"]["order"]["ready_at"] is None
    act(cook, [task], "ready")
    assert _types_since(branch, before)[-1] == "order_ready"
    before = len(logged_messages(branch.company))
    order_add_items(tenant=tenant_for(waiter), order_id=order.pk, items=[{"menu_item": soup.pk, "quantity": 1}])
    messages = logged_messages(branch.company)[before:]
    assert [m["type"] for m in messages] == ["order_updated", "kitchen_task_created"]
    assert messages[0]["data"]["order"]["ready_at"] is None
    order.refresh_from_db()
    assert order.ready_at is None


def test_voiding_the_last_waiting_line_makes_the_order_ready(waiter, cook, soup, hot, branch):
    salad = station_dish(hot, title="Salad")
    table = TableFactory(branch=branch)
    order = order_for(waiter, table, [(soup, 1), (salad, 1)])
    soup_task = KitchenTask.unscoped.get(order=order, line__menu_item=soup)
    act(cook, [soup_task], "claim")
    act(cook, [soup_task], "ready")
    before = len(logged_messages(branch.company))
    salad_line = order.items.get(menu_item=salad)
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=salad_line.pk, reason="no")
    assert _types_since(branch, before) == ["order_updated", "order_ready", "kitchen_task_updated"]


def test_an_order_with_nothing_for_the_kitchen_is_never_ready(waiter, branch):
    drink = MenuItemFactory(category__company=branch.company)
    order = takeaway(waiter, [(drink, 1)])
    assert order.ready_at is None
    assert "order_ready" not in _types_since(branch, 0)


def test_a_paid_and_closed_takeaway_order_is_still_cooked_and_called(waiter, cook, soup, branch):
    order = takeaway(waiter, [(soup, 1)])
    order_pay(tenant=tenant_for(waiter), order_id=order.pk, tenders=[{"method": "card", "amount": Decimal("350.00")}])
    order.refresh_from_db()
    assert (order.status, order.paid, order.ready_at) == (OrderStatus.CLOSED, Decimal("350.00"), None)
    task = KitchenTask.unscoped.get(order=order)
    act(cook, [task], "claim")
    before = len(logged_messages(branch.company))
    act(cook, [task], "ready")
    messages = logged_messages(branch.company)[before:]
    assert [m["type"] for m in messages] == ["kitchen_task_updated", "kitchen_task_ready", "order_ready"]
    assert messages[2]["data"]["order"]["status"] == "closed"
    act(waiter, [task], "served")
    task.refresh_from_db()
    assert task.status == TaskStatus.SERVED


def test_a_cancelled_order_is_never_announced_ready(waiter, cook, soup, branch):
    order = takeaway(waiter, [(soup, 2)])
    first, _ = KitchenTask.unscoped.filter(order=order).order_by("portion")
    act(cook, [first], "claim")
    act(cook, [first], "ready")
    act(waiter, [first], "served")
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CANCELLED)
    assert "order_ready" not in _types_since(branch, 0)


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_takeaway_orders_get_one_to_ten(services, english_threads, run_in_threads):
    branch = BranchFactory()
    waiters = [staff_of(branch) for _ in range(10)]
    results = run_in_threads(10, lambda i: takeaway(waiters[i]).pickup_number)
    assert sorted(results) == list(range(1, 11)), results
    assert PickupCounter.unscoped.get(branch=branch).last == 10
    types = [m["type"] for m in logged_messages(branch.company)]
    assert types == ["order_created"] * 10


@pytest.mark.django_db(transaction=True)
def test_two_cooks_readying_an_orders_last_portions_at_once_announce_it_once(services, english_threads, run_in_threads):
    branch = BranchFactory()
    soup = station_dish(StationFactory(branch=branch))
    waiter = staff_of(branch)
    cooks = [staff_of(branch, Role.COOK) for _ in range(2)]
    order = takeaway(waiter, [(soup, 2)])
    tasks = list(KitchenTask.unscoped.filter(order=order).order_by("portion"))
    act(cooks[0], tasks, "claim")
    results = run_in_threads(2, lambda i: act(cooks[i], [tasks[i]], "ready"))
    assert all(isinstance(r, list) for r in results), results
    assert [m["type"] for m in logged_messages(branch.company)].count("order_ready") == 1
