"""Kitchen tasks: one per portion, created with their line, moved only as the
transitions allow, held until fired, cancelled with their line; and the races."""

from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.exceptions import ValidationError

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.orders.kitchen import order_fire, task_act
from cafe.orders.models import KitchenTask, OrderItemEdit, OrderStatus, TaskStatus
from cafe.orders.serializers import OrderSerializer
from cafe.orders.services import order_add_items, order_finish, order_line_update, order_line_void
from cafe.shared.serializers import represent
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    map_to_station,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from core.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted as written in the code (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def hot(branch):
    return StationFactory(branch=branch, name="Hot kitchen")


@pytest.fixture
def soup(hot):
    return station_dish(hot, title="Борщ", price=Decimal("350.00"))


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=5)


@pytest.fixture
def cook(branch):
    return staff_of(branch, Role.COOK)


@pytest.fixture
def manager(branch):
    return staff_of(branch, Role.MANAGER)


def act(user, tasks, action):
    return task_act(tenant=tenant_for(user), task_ids=[task.pk for task in tasks], action=action)


def statuses(line):
    return list(line.tasks.order_by("portion").values_list("status", flat=True))


def test_one_pending_task_per_portion_at_the_items_station(waiter, table, soup, hot):
    order = order_for(waiter, table, [(soup, 3)])
    line = order.items.get()
    tasks = list(line.tasks.order_by("portion"))
    assert [(t.portion, t.status, t.station_id, t.branch_id) for t in tasks] == [
        (n, TaskStatus.PENDING, hot.pk, table.branch_id) for n in (1, 2, 3)
    ]
    assert all(t.fired_at is not None and t.claimed_at is None for t in tasks)


def test_item_without_station_is_served_straight_and_makes_no_task(waiter, table):
    drink = MenuItemFactory(category__company=waiter.company)
    order_for(waiter, table, [(drink, 2)])
    assert KitchenTask.unscoped.count() == 0


def test_company_wide_item_goes_to_each_branchs_own_station(waiter, table):
    item = MenuItemFactory(category__company=waiter.company)  # every branch
    here = StationFactory(branch=table.branch)
    other_branch = BranchFactory(company=waiter.company)
    there = StationFactory(branch=other_branch)
    map_to_station(item, here)
    map_to_station(item, there)
    order_for(waiter, table, [(item, 1)])
    other_table = TableFactory(branch=other_branch)
    order_for(staff_of(other_branch), other_table, [(item, 1)])
    assert sorted(KitchenTask.unscoped.values_list("station_id", "branch_id")) == sorted(
        [(here.pk, table.branch_id), (there.pk, other_branch.pk)]
    )


def test_task_lifecycle_records_cook_and_timings(waiter, cook, table, soup):
    task = order_for(waiter, table, [(soup, 1)]).items.get().tasks.get()
    [claimed] = act(cook, [task], "claim")
    assert (claimed.status, claimed.cook_id) == (TaskStatus.IN_PROGRESS, cook.pk)
    [_ready] = act(cook, [task], "ready")
    [served] = act(waiter, [task], "served")
    task.refresh_from_db()
    assert task.status == TaskStatus.SERVED
    assert task.created_at <= task.fired_at <= task.claimed_at <= task.ready_at <= task.served_at
    assert served.served_at == task.served_at


def test_undo_of_a_mistaken_ready(waiter, cook, table, soup):
    task = order_for(waiter, table, [(soup, 1)]).items.get().tasks.get()
    act(cook, [task], "claim")
    act(cook, [task], "ready")
    [undone] = act(cook, [task], "unready")
    assert (undone.status, undone.ready_at) == (TaskStatus.IN_PROGRESS, None)


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ([], "ready"),  # pending → ready skips the cook
        ([], "served"),
        ([], "unready"),
        (["claim"], "claim"),
        (["claim", "ready", "served"], "claim"),
        (["claim", "ready", "served"], "unready"),
    ],
)
def test_transitions_outside_the_machine_conflict(waiter, cook, table, soup, steps, action):
    task = order_for(waiter, table, [(soup, 1)]).items.get().tasks.get()
    for step in steps:
        act(cook if step != "served" else waiter, [task], step)
    before = task.__class__.unscoped.get(pk=task.pk).status
    with pytest.raises(Conflict):
        act(cook, [task], action)
    assert task.__class__.unscoped.get(pk=task.pk).status == before


def test_bulk_action_is_all_or_nothing(waiter, cook, table, soup):
    tasks = list(order_for(waiter, table, [(soup, 3)]).items.get().tasks.order_by("portion"))
    act(cook, tasks[:1], "claim")
    with pytest.raises(Conflict):
        act(cook, tasks, "claim")
    assert statuses(tasks[0].line) == [TaskStatus.IN_PROGRESS, TaskStatus.PENDING, TaskStatus.PENDING]
    assert len(act(cook, tasks[1:], "claim")) == 2


def test_tasks_of_another_branch_or_company_are_not_found(waiter, table, soup):
    task = order_for(waiter, table, [(soup, 1)]).items.get().tasks.get()
    for stranger in (staff_of(BranchFactory(company=waiter.company), Role.COOK), owner_of(BranchFactory().company)):
        with pytest.raises(KitchenTask.DoesNotExist):
            act(stranger, [task], "claim")
    assert KitchenTask.unscoped.get().status == TaskStatus.PENDING


# Hold and fire


def test_held_lines_wait_until_fired(waiter, cook, table, soup):
    order = order_for(waiter, table)
    tenant = tenant_for(waiter)
    order_add_items(
        tenant=tenant,
        order_id=order.pk,
        items=[
            {"menu_item": soup.pk, "quantity": 1},
            {"menu_item": soup.pk, "quantity": 2, "hold": True},
            {"menu_item": soup.pk, "quantity": 1, "course": 2},
            {"menu_item": soup.pk, "quantity": 1, "course": 3, "hold": False},
        ],
    )
    now, held, course2, course3 = order.items.order_by("created_at", "id")
    assert statuses(now) == [TaskStatus.PENDING]
    assert statuses(held) == [TaskStatus.HELD] * 2
    assert statuses(course2) == [TaskStatus.HELD]
    assert statuses(course3) == [TaskStatus.PENDING]
    with pytest.raises(Conflict):
        act(cook, held.tasks.all(), "claim")
    assert held.tasks.first().fired_at is None

    fired = order_fire(tenant=tenant, order_id=order.pk, course=2)
    assert [task.line_id for task in fired] == [course2.pk]
    assert statuses(held) == [TaskStatus.HELD] * 2
    fired = order_fire(tenant=tenant, order_id=order.pk)
    assert {task.line_id for task in fired} == {held.pk}
    assert statuses(held) == [TaskStatus.PENDING] * 2
    assert all(task.fired_at is not None for task in held.tasks.all())
    assert order_fire(tenant=tenant, order_id=order.pk) == []


def test_fire_of_a_missing_course_or_an_ended_order(waiter, table, soup):
    order = order_for(waiter, table, [(soup, 1)])
    tenant = tenant_for(waiter)
    with pytest.raises(ValidationError) as exc:
        order_fire(tenant=tenant, order_id=order.pk, course=4)
    assert "course" in exc.value.detail
    order_finish(tenant=tenant, order_id=order.pk, status=OrderStatus.CLOSED)
    with pytest.raises(Conflict):
        order_fire(tenant=tenant, order_id=order.pk)


# Line edits and the kitchen


def edit(user, order, line, **changes):
    return order_line_update(tenant=tenant_for(user), order_id=order.pk, line_id=line.pk, **changes)


def void(user, order, line, reason="guest changed their mind"):
    return order_line_void(tenant=tenant_for(user), order_id=order.pk, line_id=line.pk, reason=reason)


def test_more_portions_get_more_tasks_and_fewer_cancel_the_last_unstarted(waiter, cook, manager, table, soup):
    order = order_for(waiter, table, [(soup, 2)])
    line = order.items.get()
    edit(waiter, order, line, quantity=4)
    assert statuses(line) == [TaskStatus.PENDING] * 4
    assert list(line.tasks.order_by("portion").values_list("portion", flat=True)) == [1, 2, 3, 4]
    edit(waiter, order, line, quantity=3)
    assert statuses(line) == [TaskStatus.PENDING] * 3 + [TaskStatus.CANCELLED]
    act(cook, line.tasks.filter(portion=1), "claim")
    # A manager reduces past the cook's portion: unstarted ones go first.
    edit(manager, order, line, quantity=1, reason="table left")
    assert statuses(line) == [TaskStatus.IN_PROGRESS] + [TaskStatus.CANCELLED] * 3
    line.refresh_from_db()
    assert line.quantity == 1
    assert list(OrderItemEdit.unscoped.order_by("created_at").values_list("quantity_before", "quantity_after")) == [
        (2, 4),
        (4, 3),
        (3, 1),
    ]


def test_waiter_may_not_change_or_void_a_started_line_but_a_manager_may(waiter, cook, manager, table, soup):
    order = order_for(waiter, table, [(soup, 2)])
    line = order.items.get()
    act(cook, line.tasks.filter(portion=2), "claim")
    for attempt in (
        lambda: edit(waiter, order, line, quantity=1),
        lambda: edit(waiter, order, line, quantity=3),
        lambda: edit(waiter, order, line, note="no onion"),
        lambda: void(waiter, order, line),
    ):
        with pytest.raises(Conflict):
            attempt()
    edit(manager, order, line, quantity=1)  # cancels the unstarted portion: no reason needed
    line.refresh_from_db()
    assert line.quantity == 1
    assert statuses(line) == [TaskStatus.CANCELLED, TaskStatus.IN_PROGRESS]
    updated = void(manager, order, line, reason="burnt")
    line.refresh_from_db()
    assert (line.voided, line.void_reason, line.voided_by_id) == (True, "burnt", manager.pk)
    assert statuses(line) == [TaskStatus.CANCELLED, TaskStatus.CANCELLED]
    assert updated.items.get().pk == line.pk  # still on the order
    assert OrderItemEdit.unscoped.filter(voided=True, reason="burnt", user=manager).exists()


def test_cancelling_started_portions_needs_a_reason(waiter, cook, manager, table, soup):
    order = order_for(waiter, table, [(soup, 1)])
    line = order.items.get()
    act(cook, line.tasks.all(), "claim")
    with pytest.raises(ValidationError) as exc:
        void(manager, order, line, reason="")
    assert "reason" in exc.value.detail
    assert statuses(line) == [TaskStatus.IN_PROGRESS]


def test_served_portions_stay_and_set_the_floor(waiter, cook, manager, table, soup):
    order = order_for(waiter, table, [(soup, 3)])
    line = order.items.get()
    served = line.tasks.filter(portion__lte=2)
    for user, step in ((cook, "claim"), (cook, "ready"), (waiter, "served")):
        act(user, served, step)
    with pytest.raises(Conflict):
        edit(manager, order, line, quantity=1, reason="mistake")
    void(manager, order, line, reason="complaint")
    assert statuses(line) == [TaskStatus.SERVED, TaskStatus.SERVED, TaskStatus.CANCELLED]


def test_voided_line_is_out_of_the_total_and_cannot_change(waiter, table, soup):
    cheap = MenuItemFactory(category__company=waiter.company, price=Decimal("100.00"))
    order = order_for(waiter, table, [(soup, 2), (cheap, 1)])
    line = order.items.get(menu_item=soup)

    assert represent(OrderSerializer, void(waiter, order, line))["total"] == "100.00"
    with pytest.raises(Conflict):
        edit(waiter, order, line, quantity=3)
    with pytest.raises(Conflict):
        void(waiter, order, line)


def test_note_change_reaches_the_lines_live_tasks(waiter, table, soup):
    order = order_for(waiter, table, [(soup, 2)])
    line = order.items.get()
    before = len(logged_messages(waiter.company))
    edit(waiter, order, line, note="no onion")
    messages = logged_messages(waiter.company)[before:]
    assert [m["type"] for m in messages] == ["order_updated", "kitchen_task_updated", "kitchen_task_updated"]
    assert {m["data"]["task"]["note"] for m in messages[1:]} == {"no onion"}
    assert messages[0]["data"]["order"]["items"][0]["note"] == "no onion"


def test_cancelling_an_order_cancels_its_unserved_tasks(waiter, cook, table, soup):
    order = order_for(waiter, table, [(soup, 3)])
    line = order.items.get()
    act(cook, line.tasks.filter(portion=1), "claim")
    before = len(logged_messages(waiter.company))
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CANCELLED)
    assert statuses(line) == [TaskStatus.CANCELLED] * 3
    types = [m["type"] for m in logged_messages(waiter.company)[before:]]
    assert types == ["order_cancelled", "table_status_changed"] + ["kitchen_task_updated"] * 3


def test_closing_an_order_leaves_its_tasks_to_the_kitchen(waiter, table, soup):
    order = order_for(waiter, table, [(soup, 1)])
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CLOSED)
    assert KitchenTask.unscoped.get().status == TaskStatus.PENDING


# Events


def test_task_events_carry_the_kitchen_ticket(waiter, cook, table, soup, hot):
    order = order_for(waiter, table, [(soup, 2)])
    messages = logged_messages(waiter.company)
    assert [m["type"] for m in messages] == [
        "order_created",
        "table_status_changed",
        "kitchen_task_created",
        "kitchen_task_created",
    ]
    line = order.items.get()
    task = messages[2]["data"]["task"]
    assert messages[2]["data"]["company_id"] == str(waiter.company_id)
    assert messages[2]["data"]["branch_id"] == str(table.branch_id)
    assert {key: task[key] for key in ("order", "line", "station", "station_name", "portion", "quantity")} == {
        "order": str(order.pk),
        "line": str(line.pk),
        "station": str(hot.pk),
        "station_name": "Hot kitchen",
        "portion": 1,
        "quantity": 2,
    }
    assert (task["title"], task["table_number"], task["status"], task["status_display"]) == (
        "Борщ",
        5,
        "pending",
        "В очереди",
    )
    assert (task["note"], task["modifiers"], task["course"], task["cook"]) == ("", [], 1, None)

    act(cook, line.tasks.filter(portion=1), "claim")
    act(cook, line.tasks.filter(portion=1), "ready")
    ready = logged_messages(waiter.company)[-2:]
    assert [m["type"] for m in ready] == ["kitchen_task_updated", "kitchen_task_ready"]
    assert ready[0]["data"] == ready[1]["data"]
    assert ready[1]["data"]["task"]["cook"] == str(cook.pk)
    assert ready[1]["data"]["task"]["ready_at"] is not None


# Races (PostgreSQL: each thread its own connection)


def _race_world():
    branch = BranchFactory()
    station = StationFactory(branch=branch)
    waiter = staff_of(branch)
    order = order_for(waiter, TableFactory(branch=branch), [(station_dish(station), 1)])
    return branch, waiter, order, order.items.get()


@pytest.mark.django_db(transaction=True)
def test_two_cooks_claiming_one_task_one_wins(services, english_threads, run_in_threads):
    branch, _, _, line = _race_world()
    cooks = [staff_of(branch, Role.COOK) for _ in range(2)]
    task = line.tasks.get()

    results = run_in_threads(2, lambda i: act(cooks[i], [task], "claim"))

    assert sum(isinstance(r, list) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    winner = next(r for r in results if isinstance(r, list))[0]
    assert task.cook_id == winner.cook_id
    assert [m["type"] for m in logged_messages(branch.company)].count("kitchen_task_updated") == 1


@pytest.mark.django_db(transaction=True)
def test_void_racing_a_claim_leaves_one_consistent_outcome(services, english_threads, run_in_threads):
    branch, waiter, order, line = _race_world()
    cook = staff_of(branch, Role.COOK)
    task = line.tasks.get()
    results = run_in_threads(2, lambda i: void(waiter, order, line) if i == 0 else act(cook, [task], "claim"))

    task.refresh_from_db()
    line.refresh_from_db()
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert (line.voided, task.status) in {(True, TaskStatus.CANCELLED), (False, TaskStatus.IN_PROGRESS)}
    if line.voided:
        assert any(isinstance(r, Conflict) and "is cancelled" in str(r.detail) for r in results)
    else:
        assert any(isinstance(r, Conflict) and "started" in str(r.detail) for r in results)
