"""Split a bill by lines, move an order to another table, merge two orders of a
table, through the API: the answers, the events (exact types, in order), the
kitchen tasks following their lines, the bills of both orders, and the refusals."""

from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.models import Payment
from cafe.floor.models import Table, TableStatus
from cafe.orders.models import KitchenTask, Order, OrderItem, OrderItemModifier, OrderStatus, TaskStatus
from cafe.orders.services import order_create, order_finish, order_line_update, order_line_void
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    UserFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=5)


@pytest.fixture
def table2(branch):
    return TableFactory(branch=branch, number=6)


@pytest.fixture
def hot(branch):
    return StationFactory(branch=branch, name="Hot kitchen")


@pytest.fixture
def soup(hot):
    return station_dish(hot, title="Борщ", price=Decimal("350.00"))


@pytest.fixture
def tea(branch):
    """Served straight by the waiter: no kitchen tasks."""
    return MenuItemFactory(category__company=branch.company, branch=branch, title="Tea", price=Decimal("100.00"))


@pytest.fixture
def manager(branch):
    return staff_of(branch, Role.MANAGER)


def post(client_for, user, path, body, **headers):
    return client_for(user).post(path, body, format="json", HTTP_ACCEPT_LANGUAGE="en", **headers)


def split(client_for, user, order, lines, **extra):
    body = {"lines": [{"line": str(line.pk), "quantity": quantity} for line, quantity in lines], **extra}
    return post(client_for, user, f"/api/cafe/orders/{order.pk}/split/", body)


def move(client_for, user, order, table, **headers):
    return post(client_for, user, f"/api/cafe/orders/{order.pk}/move/", {"table": str(table.pk)}, **headers)


def merge(client_for, user, order, other, **headers):
    return post(client_for, user, f"/api/cafe/orders/{order.pk}/merge/", {"order": str(other.pk)}, **headers)


def events_since(company, before):
    return logged_messages(company)[before:]


def line_of(order, item):
    return OrderItem.unscoped.get(order=order, menu_item=item)


def tasks_of(line):
    return list(KitchenTask.unscoped.filter(line=line).order_by("portion"))


def set_status(tasks, status):
    KitchenTask.unscoped.filter(pk__in=[task.pk for task in tasks]).update(status=status)


def pay(order, amount):
    """A payment taken on the order, as the till would record it."""
    Payment.unscoped.create(
        company=order.company, order=order, branch=order.branch, method="card", amount=amount, tendered=amount
    )
    Order.unscoped.filter(pk=order.pk).update(paid=amount)


def bill(body):
    money = body["money"]
    return {key: money[key] for key in ("subtotal", "discounts", "service_charge", "total")}


def portions_unique():
    pairs = list(KitchenTask.unscoped.values_list("line", "portion"))
    return len(pairs) == len(set(pairs))


# Split


def test_split_moves_a_whole_line_and_part_of_another(client_for, waiter, manager, table, soup, tea):
    order = order_for(waiter, table, [(soup, 3), (tea, 2)], guests=3)
    soup_line, tea_line = line_of(order, soup), line_of(order, tea)
    first, second, third = tasks_of(soup_line)
    before = len(logged_messages(waiter.company))

    response = split(client_for, manager, order, [(tea_line, 2), (soup_line, 1)])

    assert response.status_code == 201, response.json()
    body = response.json()
    assert list(body) == ["order", "new_order"]
    new = Order.unscoped.exclude(pk=order.pk).get()
    part = OrderItem.unscoped.get(order=new, menu_item=soup)
    assert body["order"]["id"] == str(order.pk)
    assert [(i["id"], i["quantity"], i["total"]) for i in body["order"]["items"]] == [(str(soup_line.pk), 2, "700.00")]
    assert body["order"]["total"] == "700.00"
    assert body["order"]["guests"] == 3
    new_body = body["new_order"]
    assert new_body["id"] == str(new.pk)
    assert (new_body["table"], new_body["table_number"], new_body["branch"]) == (
        str(table.pk),
        5,
        str(table.branch_id),
    )
    assert (new_body["status"], new_body["guests"], new_body["waiter"]) == ("open", 1, str(manager.pk))
    assert (new_body["split_from"], body["order"]["split_from"]) == (str(order.pk), None)
    # The whole line kept its id; the part is a new line split off the soup.
    assert [(i["id"], i["title"], i["quantity"], i["price"], i["total"]) for i in new_body["items"]] == [
        (str(tea_line.pk), "Tea", 2, "100.00", "200.00"),
        (str(part.pk), "Борщ", 1, "350.00", "350.00"),
    ]
    assert new_body["total"] == "550.00"
    assert part.split_from_id == soup_line.pk
    # The last unstarted portion went with the part, renumbered 1 on its new line.
    third.refresh_from_db()
    assert (third.order_id, third.line_id, third.portion) == (new.pk, part.pk, 1)
    assert [(t.pk, t.order_id, t.portion) for t in tasks_of(soup_line)] == [
        (first.pk, order.pk, 1),
        (second.pk, order.pk, 2),
    ]
    assert portions_unique()
    messages = events_since(waiter.company, before)
    assert [m["type"] for m in messages] == ["order_updated", "order_created", "kitchen_task_updated"]
    # The event is the answer (in the server's language).
    assert messages[0]["data"]["order"] == {**body["order"], "status_display": "Открыт"}
    assert messages[1]["data"]["order"]["id"] == str(new.pk)
    assert messages[1]["data"]["order"]["total"] == "550.00"
    task = messages[2]["data"]["task"]
    assert (task["id"], task["order"], task["line"], task["portion"], task["quantity"], task["table_number"]) == (
        str(third.pk),
        str(new.pk),
        str(part.pk),
        1,
        1,
        5,
    )
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY


def test_splitting_off_the_portions_still_cooking_leaves_the_rest_ready(client_for, waiter, table, soup, hot):
    """The readiness of both checks follows their portions: the source, left with
    ready ones only, is announced ready; the new check waits for its cooking one."""
    salad = station_dish(hot, title="Салат", price=Decimal("200.00"))
    order = order_for(waiter, table, [(soup, 1), (salad, 1)])
    set_status(tasks_of(line_of(order, soup)), TaskStatus.READY)
    set_status(tasks_of(line_of(order, salad)), TaskStatus.IN_PROGRESS)
    before = len(logged_messages(waiter.company))

    response = split(client_for, waiter, order, [(line_of(order, salad), 1)])

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order"]["ready_at"] is not None
    assert body["new_order"]["ready_at"] is None
    messages = events_since(waiter.company, before)
    assert [m["type"] for m in messages] == ["order_updated", "order_ready", "order_created", "kitchen_task_updated"]
    assert messages[1]["data"]["order"]["id"] == str(order.pk)


def test_split_takes_guests_and_answers_the_same_to_a_retry(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 1), (tea, 1)])
    body = {"lines": [{"line": str(line_of(order, tea).pk), "quantity": 1}], "guests": 2}
    path = f"/api/cafe/orders/{order.pk}/split/"
    first = post(client_for, waiter, path, body, HTTP_IDEMPOTENCY_KEY="split-1")
    events = Event.objects.count()
    again = post(client_for, waiter, path, body, HTTP_IDEMPOTENCY_KEY="split-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["new_order"]["guests"] == 2
    assert Order.unscoped.count() == 2
    assert Event.objects.count() == events


def test_split_moves_portions_not_started_first_and_served_ones_too(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 4), (tea, 1)])
    line = line_of(order, soup)
    served, cooking, pending3, pending4 = tasks_of(line)
    set_status([served], TaskStatus.SERVED)
    set_status([cooking], TaskStatus.IN_PROGRESS)

    response = split(client_for, waiter, order, [(line, 3)])

    assert response.status_code == 201, response.json()
    part = OrderItem.unscoped.get(split_from=line)
    # pending 4 and 3, then the last started one (the cooking portion 2), in their old order.
    assert [(t.pk, t.portion, t.status) for t in tasks_of(part)] == [
        (cooking.pk, 1, TaskStatus.IN_PROGRESS),
        (pending3.pk, 2, TaskStatus.PENDING),
        (pending4.pk, 3, TaskStatus.PENDING),
    ]
    assert [(t.pk, t.portion) for t in tasks_of(line)] == [(served.pk, 1)]
    line.refresh_from_db()
    assert (line.quantity, part.quantity) == (1, 3)

    # A portion is a portion: the served one moves as well when it is all that is left.
    again = split(client_for, waiter, order, [(line, 1)])
    assert again.status_code == 201, again.json()
    served.refresh_from_db()
    assert served.order_id == Order.unscoped.get(split_from=order, items__menu_item=soup, items__quantity=1).pk
    assert (served.portion, served.status) == (1, TaskStatus.SERVED)
    assert portions_unique()


def test_cancelled_portions_stay_with_the_source_line(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 3), (tea, 1)])
    line = line_of(order, soup)
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=line.pk, quantity=2)
    one, two, cancelled = tasks_of(line)
    assert cancelled.status == TaskStatus.CANCELLED

    response = split(client_for, waiter, order, [(line, 1)])

    assert response.status_code == 201, response.json()
    part = OrderItem.unscoped.get(split_from=line)
    assert [(t.pk, t.portion) for t in tasks_of(part)] == [(two.pk, 1)]
    assert [(t.pk, t.portion, t.status) for t in tasks_of(line)] == [
        (one.pk, 1, TaskStatus.PENDING),
        (cancelled.pk, 3, TaskStatus.CANCELLED),
    ]
    # More of the source line later: its next portion follows the highest (no clash).
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=line.pk, quantity=2)
    assert [t.portion for t in tasks_of(line)] == [1, 3, 4]
    assert portions_unique()


def test_a_whole_line_takes_all_its_tasks_even_cancelled_ones(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 2), (tea, 1)])
    line = line_of(order, soup)
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=line.pk, quantity=1)
    before = len(logged_messages(waiter.company))

    assert split(client_for, waiter, order, [(line, 1)]).status_code == 201

    new = Order.unscoped.get(split_from=order)
    line.refresh_from_db()
    assert line.order_id == new.pk
    assert [(t.order_id, t.portion, t.status) for t in tasks_of(line)] == [
        (new.pk, 1, TaskStatus.PENDING),
        (new.pk, 2, TaskStatus.CANCELLED),
    ]
    types = [m["type"] for m in events_since(waiter.company, before)]
    assert types == ["order_updated", "order_created", "kitchen_task_updated", "kitchen_task_updated"]


def test_split_bills_both_orders_with_discounts_service_charge_and_modifiers(
    client_for, waiter, manager, table, soup, tea
):
    """A manager splits it: these discounts are above the staff limit, and splitting
    them off raises the share left on the source (docs/payments.md)."""
    group = ModifierGroupFactory(menu_item=soup, name="Milk")
    oat = ModifierFactory(group=group, name="Oat", price=Decimal("40.00"))
    tenant = tenant_for(waiter)
    order = order_create(
        tenant=tenant,
        table=table.pk,
        guests=2,
        items=[{"menu_item": soup.pk, "quantity": 2, "modifiers": [oat.pk]}, {"menu_item": tea.pk, "quantity": 3}],
    )
    soup_line, tea_line = line_of(order, soup), line_of(order, tea)
    OrderItem.unscoped.filter(pk=soup_line.pk).update(discount_kind="percent", discount_value=Decimal("10"))
    OrderItem.unscoped.filter(pk=tea_line.pk).update(discount_kind="amount", discount_value=Decimal("30"))
    Order.unscoped.filter(pk=order.pk).update(
        discount_kind="amount", discount_value=Decimal("50"), discount_reason="regular", service_charge_percent=10
    )

    response = split(client_for, manager, order, [(soup_line, 1), (tea_line, 1)])

    assert response.status_code == 201, response.json()
    source, new = response.json()["order"], response.json()["new_order"]
    # Source: soup 390 − 39 (10 %) + tea 200 − 30 (the amount stays) = 521; − 50 = 471; + 10 % = 518.10.
    assert bill(source) == {"subtotal": "521.00", "discounts": "119.00", "service_charge": "47.10", "total": "518.10"}
    assert source["discount"] == {"kind": "amount", "value": "50.00", "reason": "regular", "amount": "50.00"}
    # New: soup 390 − 39 (the percent is copied) + tea 100 = 451; no order discount; + 10 % = 496.10.
    assert bill(new) == {"subtotal": "451.00", "discounts": "39.00", "service_charge": "45.10", "total": "496.10"}
    assert (new["discount"], new["money"]["service_charge_percent"]) == (None, "10.00")
    new_soup, new_tea = new["items"]
    assert new_soup["discount"] == {"kind": "percent", "value": "10.00", "reason": "", "amount": "39.00"}
    assert (new_soup["price"], new_soup["modifiers"]) == (
        "390.00",
        [{"id": str(oat.pk), "group": "Milk", "name": "Oat", "price": "40.00"}],
    )
    assert (new_tea["discount"], new_tea["total"]) == (None, "100.00")
    assert OrderItemModifier.unscoped.filter(modifier=oat).count() == 2
    stored = Order.unscoped.get(pk=new["id"])
    assert (stored.total, stored.subtotal) == (Decimal("496.10"), Decimal("451.00"))


def test_split_leaves_the_stop_list_alone(client_for, waiter, table, soup, tea):
    soup.remaining = 5
    soup.save()
    order = order_for(waiter, table, [(soup, 2), (tea, 1)])
    before = len(logged_messages(waiter.company))
    assert split(client_for, waiter, order, [(line_of(order, soup), 1)]).status_code == 201
    soup.refresh_from_db()
    assert soup.remaining == 3
    assert "menu_item_updated" not in [m["type"] for m in events_since(waiter.company, before)]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("empty", {"lines": {"non_field_errors": ["This list may not be empty."]}}),
        ("twice", {"lines": ["Name each line once."]}),
        ("zero", {"lines": {"0": {"quantity": ["Ensure this value is greater than or equal to 1."]}}}),
        ("too many", {"lines": {"0": {"quantity": ["The line has 2; at most that can move."]}}}),
        ("foreign line", {"lines": {"0": {"line": ["Line not found in this order."]}}}),
        ("everything", {"lines": ["At least one line must stay on the order; move less."]}),
    ],
)
def test_split_refuses_malformed_lines_with_400(client_for, waiter, table, soup, tea, lines, expected):
    order = order_for(waiter, table, [(soup, 2), (tea, 1)])
    soup_line, tea_line = line_of(order, soup), line_of(order, tea)
    other_line = order_for(waiter, TableFactory(branch=table.branch), [(tea, 1)]).items.get()
    entries = {
        "twice": [(soup_line, 1), (soup_line, 1)],
        "zero": [(soup_line, 0)],
        "too many": [(soup_line, 3)],
        "foreign line": [(other_line, 1)],
        "everything": [(soup_line, 2), (tea_line, 1)],
    }.get(lines, [])
    events = Event.objects.count()

    response = split(client_for, waiter, order, entries)

    assert response.status_code == 400
    assert response.json() == expected
    assert (Order.unscoped.count(), Event.objects.count()) == (2, events)


def test_split_of_more_than_200_entries_is_400(client_for, waiter, table, soup):
    order = order_for(waiter, table, [(soup, 1)])
    body = {"lines": [{"line": str(order.items.get().pk), "quantity": 1}] * 201}
    response = post(client_for, waiter, f"/api/cafe/orders/{order.pk}/split/", body)
    assert response.status_code == 400
    assert response.json() == {"lines": {"non_field_errors": ["Ensure this field has no more than 200 elements."]}}


def test_voided_lines_do_not_move_nor_stay(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 1), (tea, 1)])
    soup_line, tea_line = line_of(order, soup), line_of(order, tea)
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=tea_line.pk, reason="no")

    voided = split(client_for, waiter, order, [(tea_line, 1)])
    everything = split(client_for, waiter, order, [(soup_line, 1)])

    assert voided.status_code == 409
    assert voided.json() == {"detail": f"Line {tea_line.pk} is voided; a voided line cannot move."}
    assert everything.status_code == 400
    assert everything.json() == {"lines": ["At least one line must stay on the order; move less."]}
    assert Order.unscoped.count() == 1


@pytest.mark.parametrize("status", [OrderStatus.CLOSED, OrderStatus.CANCELLED])
def test_split_of_an_ended_order_is_409_naming_its_status(client_for, waiter, table, soup, tea, status):
    order = order_for(waiter, table, [(soup, 1), (tea, 1)])
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=status)
    response = split(client_for, waiter, order, [(line_of(order, tea), 1)])
    assert response.status_code == 409
    assert response.json() == {"detail": f"The order is {status.label.lower()}; only open orders can change."}


def test_split_of_an_order_with_a_payment_is_409(client_for, waiter, table, soup, tea):
    order = order_for(waiter, table, [(soup, 1), (tea, 1)])
    pay(order, Decimal("100.00"))
    response = split(client_for, waiter, order, [(line_of(order, tea), 1)])
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Payments were taken on order {order.pk}; its lines cannot move to another order."
    }
    assert line_of(order, tea).order_id == order.pk


# Move


def test_move_frees_the_old_table_and_takes_the_new_one(client_for, waiter, table, table2, soup, tea):
    order = order_for(waiter, table, [(soup, 3), (tea, 1)])
    served, cooking, pending = tasks_of(line_of(order, soup))
    set_status([served], TaskStatus.SERVED)
    set_status([cooking], TaskStatus.IN_PROGRESS)
    before = len(logged_messages(waiter.company))

    response = move(client_for, waiter, order, table2)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["table"], body["table_number"], body["total"]) == (
        str(order.pk),
        str(table2.pk),
        6,
        "1150.00",
    )
    table.refresh_from_db()
    table2.refresh_from_db()
    assert (table.status, table2.status) == (TableStatus.FREE, TableStatus.BUSY)
    messages = events_since(waiter.company, before)
    assert [m["type"] for m in messages] == [
        "order_updated",
        "table_status_changed",
        "table_status_changed",
        "kitchen_task_updated",
        "kitchen_task_updated",
    ]
    assert messages[0]["data"]["order"]["table_number"] == 6
    assert [(m["data"]["table_id"], m["data"]["status"]) for m in messages[1:3]] == [
        (str(table.pk), "free"),
        (str(table2.pk), "busy"),
    ]
    # The portions still to make or serve show the new table; they keep their order and line.
    assert [(m["data"]["task"]["id"], m["data"]["task"]["table_number"]) for m in messages[3:]] == [
        (str(cooking.pk), 6),
        (str(pending.pk), 6),
    ]
    assert set(KitchenTask.unscoped.values_list("order", flat=True)) == {order.pk}


def test_move_keeps_the_old_table_busy_while_it_has_another_order(client_for, waiter, table, table2, tea):
    order = order_for(waiter, table, [(tea, 1)])
    order_for(waiter, table, [(tea, 1)])
    order_for(waiter, table2, [(tea, 1)])
    before = len(logged_messages(waiter.company))

    assert move(client_for, waiter, order, table2).status_code == 200

    assert [m["type"] for m in events_since(waiter.company, before)] == ["order_updated"]
    assert set(Table.unscoped.values_list("status", flat=True)) == {TableStatus.BUSY}


def test_move_to_a_reserved_table_makes_it_busy(client_for, waiter, table, table2, tea):
    Table.unscoped.filter(pk=table2.pk).update(status=TableStatus.RESERVED)
    order = order_for(waiter, table, [(tea, 1)])
    assert move(client_for, waiter, order, table2).status_code == 200
    table2.refresh_from_db()
    assert table2.status == TableStatus.BUSY


def test_move_answers_the_same_to_a_retry(client_for, waiter, table, table2, tea):
    order = order_for(waiter, table, [(tea, 1)])
    first = move(client_for, waiter, order, table2, HTTP_IDEMPOTENCY_KEY="move-1")
    events = Event.objects.count()
    again = move(client_for, waiter, order, table2, HTTP_IDEMPOTENCY_KEY="move-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert again.json() == first.json()
    assert Event.objects.count() == events


@pytest.mark.parametrize("where", ["same", "other branch", "other company", "missing"])
def test_move_to_a_table_not_of_the_branch_is_400(client_for, waiter, table, tea, where):
    owner = owner_of(table.company)
    order = order_for(waiter, table, [(tea, 1)])
    target = {
        "same": table,
        "other branch": TableFactory(branch=BranchFactory(company=table.company)),
        "other company": TableFactory(),
        "missing": Table(pk="00000000-0000-4000-8000-000000000000"),
    }[where]
    events = Event.objects.count()

    response = move(client_for, owner, order, target)

    assert response.status_code == 400
    expected = "The order is already at this table." if where == "same" else "Table not found."
    assert response.json() == {"table": [expected]}
    assert Order.unscoped.get().table_id == table.pk
    assert Event.objects.count() == events


def test_move_of_an_ended_order_is_409(client_for, waiter, table, table2, tea):
    order = order_for(waiter, table, [(tea, 1)])
    order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CLOSED)
    response = move(client_for, waiter, order, table2)
    assert response.status_code == 409
    assert response.json() == {"detail": "The order is closed; only open orders can change."}


# Merge


def test_merge_moves_the_other_orders_lines_and_tasks_here(client_for, waiter, manager, table, soup, tea):
    target = order_for(waiter, table, [(tea, 1)], guests=2)
    own_tea = target.items.get()
    other = order_for(waiter, table, [(soup, 2), (tea, 1)], guests=3)
    soup_line, tea_line = line_of(other, soup), line_of(other, tea)
    order_line_void(tenant=tenant_for(waiter), order_id=other.pk, line_id=tea_line.pk, reason="no")
    first, second = tasks_of(soup_line)
    before = len(logged_messages(waiter.company))

    response = merge(client_for, manager, target, other)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["guests"], body["status"], body["total"]) == (str(target.pk), 5, "open", "800.00")
    assert [(i["id"], i["quantity"], i["voided"]) for i in body["items"]] == [
        (str(own_tea.pk), 1, False),
        (str(soup_line.pk), 2, False),
        (str(tea_line.pk), 1, True),
    ]
    assert set(OrderItem.unscoped.values_list("order", flat=True)) == {target.pk}
    assert [(t.pk, t.order_id, t.line_id, t.portion) for t in tasks_of(soup_line)] == [
        (first.pk, target.pk, soup_line.pk, 1),
        (second.pk, target.pk, soup_line.pk, 2),
    ]
    other.refresh_from_db()
    assert (other.status, other.merged_into_id, other.total, other.subtotal) == (
        OrderStatus.MERGED,
        target.pk,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert other.closed_at is not None
    messages = events_since(waiter.company, before)
    assert [m["type"] for m in messages] == [
        "order_updated",
        "order_merged",
        "kitchen_task_updated",
        "kitchen_task_updated",
    ]
    merged = messages[1]["data"]["order"]
    assert (merged["id"], merged["status"], merged["status_display"], merged["merged_into"], merged["items"]) == (
        str(other.pk),
        "merged",
        "Объединён",
        str(target.pk),
        [],
    )
    assert [m["data"]["task"]["order"] for m in messages[2:]] == [str(target.pk)] * 2
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY


def test_merge_bills_the_joined_order(client_for, waiter, table, soup, tea):
    target = order_for(waiter, table, [(tea, 1)])
    other = order_for(waiter, table, [(soup, 1)])
    Order.unscoped.filter(pk=target.pk).update(service_charge_percent=10)
    Order.unscoped.filter(pk=other.pk).update(discount_kind="amount", discount_value=Decimal("50"))
    OrderItem.unscoped.filter(order=other).update(discount_kind="percent", discount_value=Decimal("10"))

    response = merge(client_for, waiter, target, other)

    # tea 100 + soup 350 − 35 (its line discount moves with it) = 415; the other's order discount does not; + 10 %.
    assert bill(response.json()) == {
        "subtotal": "415.00",
        "discounts": "35.00",
        "service_charge": "41.50",
        "total": "456.50",
    }


def test_merge_answers_the_same_to_a_retry(client_for, waiter, table, tea):
    target, other = order_for(waiter, table, [(tea, 1)]), order_for(waiter, table, [(tea, 2)])
    first = merge(client_for, waiter, target, other, HTTP_IDEMPOTENCY_KEY="merge-1")
    events = Event.objects.count()
    again = merge(client_for, waiter, target, other, HTTP_IDEMPOTENCY_KEY="merge-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert again.json() == first.json()
    assert Event.objects.count() == events


@pytest.mark.parametrize("case", ["itself", "another table", "another branch", "another company", "missing"])
def test_merge_of_an_order_not_of_this_table_is_400(client_for, waiter, table, table2, tea, case):
    target = order_for(waiter, table, [(tea, 1)])
    other_branch = BranchFactory(company=table.company)
    elsewhere = TableFactory()
    other = {
        "itself": lambda: target,
        "another table": lambda: order_for(waiter, table2, [(tea, 1)]),
        "another branch": lambda: order_for(staff_of(other_branch), TableFactory(branch=other_branch)),
        "another company": lambda: order_for(staff_of(elsewhere.branch), elsewhere),
        "missing": lambda: Order(pk="00000000-0000-4000-8000-000000000000"),
    }[case]()
    events = Event.objects.count()

    response = merge(client_for, waiter, target, other)

    assert response.status_code == 400
    expected = {
        "itself": "An order cannot be merged into itself.",
        "another table": "The other order is at another table.",
    }.get(case, "Order not found.")
    assert response.json() == {"order": [expected]}
    assert not Order.unscoped.filter(status=OrderStatus.MERGED).exists()
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("ended", "expected"),
    [
        ("target", "The order is closed; only open orders can change."),
        ("other", "The other order is closed; only open orders can be merged."),
    ],
)
def test_merge_with_an_ended_order_is_409(client_for, waiter, table, tea, ended, expected):
    target, other = order_for(waiter, table, [(tea, 1)]), order_for(waiter, table, [(tea, 1)])
    closed = target if ended == "target" else other
    order_finish(tenant=tenant_for(waiter), order_id=closed.pk, status=OrderStatus.CLOSED)
    response = merge(client_for, waiter, target, other)
    assert response.status_code == 409
    assert response.json() == {"detail": expected}


def test_merge_of_an_order_with_payments_is_409_but_into_one_is_fine(client_for, waiter, table, tea):
    target, other = order_for(waiter, table, [(tea, 1)]), order_for(waiter, table, [(tea, 1)])
    pay(other, Decimal("50.00"))
    refused = merge(client_for, waiter, target, other)
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"Payments were taken on order {other.pk}; its lines cannot move to another order."
    }
    # The order paying goes on: the unpaid one may join it (its bill grows).
    taken = merge(client_for, waiter, other, target)
    assert taken.status_code == 200, taken.json()
    assert (taken.json()["money"]["total"], taken.json()["money"]["paid"], taken.json()["money"]["due"]) == (
        "200.00",
        "50.00",
        "150.00",
    )


def test_merge_keeps_to_the_order_limits(client_for, waiter, table, soup, tea, settings):
    target = order_for(waiter, table, [(tea, 1), (soup, 2)])
    other = order_for(waiter, table, [(tea, 1), (soup, 2)])
    settings.ORDER_MAX_LINES = 3
    lines = merge(client_for, waiter, target, other)
    settings.ORDER_MAX_LINES = 200
    settings.ORDER_MAX_PORTIONS = 3
    portions = merge(client_for, waiter, target, other)

    assert (lines.status_code, portions.status_code) == (409, 409)
    assert lines.json() == {
        "detail": "An order holds at most 3 lines (ORDER_MAX_LINES); this one has 2, so at most 1 more can be added."
    }
    assert portions.json() == {
        "detail": "An order has at most 3 portions in the kitchen (ORDER_MAX_PORTIONS); this one has 2, "
        "so at most 1 more can be sent."
    }
    assert Order.unscoped.filter(status=OrderStatus.OPEN).count() == 2


# Roles and tenants


@pytest.mark.parametrize("action", ["split", "move", "merge"])
@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.MANAGER, Role.ADMIN, Role.OWNER, Role.COOK])
def test_roles(client_for, branch, table, table2, soup, tea, action, role):
    company_wide = role in (Role.ADMIN, Role.OWNER)
    user = UserFactory(role=role, branch=None, company=branch.company) if company_wide else staff_of(branch, role)
    waiter = staff_of(branch)
    order = order_for(waiter, table, [(soup, 1), (tea, 1)])
    other = order_for(waiter, table, [(tea, 1)])
    response = {
        "split": lambda: split(client_for, user, order, [(line_of(order, tea), 1)]),
        "move": lambda: move(client_for, user, order, table2),
        "merge": lambda: merge(client_for, user, order, other),
    }[action]()
    expected = 403 if role == Role.COOK else (201 if action == "split" else 200)
    assert response.status_code == expected, response.json()


@pytest.mark.parametrize("action", ["split", "move", "merge"])
@pytest.mark.parametrize("whose", ["other branch", "other company"])
def test_another_tenants_order_is_404(client_for, waiter, table, action, whose):
    branch = BranchFactory(company=waiter.company) if whose == "other branch" else BranchFactory()
    there = TableFactory(branch=branch)
    dish = MenuItemFactory(category__company=branch.company)
    staff = staff_of(branch)
    order = order_for(staff, there, [(dish, 1), (dish, 1)])
    other = order_for(staff, there, [(dish, 1)])
    events = Event.objects.count()
    response = {
        "split": lambda: split(client_for, waiter, order, [(order.items.first(), 1)]),
        "move": lambda: move(client_for, waiter, order, TableFactory(branch=branch)),
        "merge": lambda: merge(client_for, waiter, order, other),
    }[action]()
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert Event.objects.count() == events
    assert Order.unscoped.filter(status=OrderStatus.OPEN).count() == 2
