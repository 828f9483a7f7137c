"""Limits that keep every event small: lines per order (ORDER_MAX_LINES) and the
size of any event (EVENT_MAX_BYTES). Both answer 409 with the limit named; the
change rolls back and nothing is logged or sent."""

import json
import threading
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection

from cafe.orders.models import OrderItem
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=7)


@pytest.fixture
def dish(branch):
    return MenuItemFactory(category__company=branch.company, title="Плов", price=Decimal("350.00"))


def lines(dish, count: int) -> list[dict]:
    return [{"menu_item": str(dish.pk), "quantity": 1} for _ in range(count)]


def test_the_defaults_are_consistent():
    assert django_settings.ORDER_MAX_LINES == 200
    assert django_settings.EVENT_MAX_BYTES == 512 * 1024 < 1024 * 1024  # under clients' 1 MiB frame limit
    assert django_settings.WEBSOCKET_OUTBOX_BYTES >= 2 * django_settings.EVENT_MAX_BYTES


def test_a_full_order_of_the_largest_lines_still_makes_an_event_under_the_cap(
    client_for, waiter, table, branch, settings
):
    """Max lines x the largest line (a 200-character title of characters JSON escapes
    to six bytes each, a large price, the largest quantity the input takes) < EVENT_MAX_BYTES."""
    settings.ORDER_LINE_MAX_QUANTITY = 1000
    worst = MenuItemFactory(category__company=branch.company, title="\x01" * 200, price=Decimal("9999999.99"))
    client = client_for(waiter)
    body = {"table": str(table.pk), "guests": 1000, "items": []}
    order = client.post("/api/cafe/orders/", body, format="json").json()
    items = [{"menu_item": str(worst.pk), "quantity": 1000} for _ in range(django_settings.ORDER_MAX_LINES)]
    response = client.post(f"/api/cafe/orders/{order['id']}/items/", {"items": items}, format="json")

    assert response.status_code == 201, response.json()
    message = Event.objects.filter(type="order_updated").get().message
    size = len(message.encode())
    assert 250_000 < size < django_settings.EVENT_MAX_BYTES, size
    assert len(json.loads(message)["data"]["order"]["items"]) == 200


def test_adding_lines_past_the_limit_answers_409_naming_it(client_for, waiter, table, dish, settings):
    settings.ORDER_MAX_LINES = 5
    client = client_for(waiter)
    order = client.post(
        "/api/cafe/orders/", {"table": str(table.pk), "guests": 2, "items": lines(dish, 3)}, format="json"
    ).json()
    events = Event.objects.count()

    response = client.post(
        f"/api/cafe/orders/{order['id']}/items/", {"items": lines(dish, 3)}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "An order holds at most 5 lines (ORDER_MAX_LINES); this one has 3, so at most 2 more can be added."
    }
    assert OrderItem.unscoped.filter(order_id=order["id"]).count() == 3
    assert Event.objects.count() == events
    response = client.post(f"/api/cafe/orders/{order['id']}/items/", {"items": lines(dish, 2)}, format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["items"]) == 5
    response = client.post(
        f"/api/cafe/orders/{order['id']}/items/", {"items": lines(dish, 1)}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response.json()["detail"].endswith("this one has 5, so at most 0 more can be added.")


def test_creating_an_order_past_the_limit_answers_409(client_for, waiter, table, dish, settings):
    settings.ORDER_MAX_LINES = 2
    response = client_for(waiter).post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 2, "items": lines(dish, 3)},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "An order holds at most 2 lines (ORDER_MAX_LINES); this one has 0, so at most 2 more can be added."
    }
    assert not Event.objects.exists()
    assert not OrderItem.unscoped.exists()


def test_an_oversized_event_is_refused_with_409_and_the_change_rolls_back(client_for, waiter, table, dish, settings):
    client = client_for(waiter)
    order = client.post("/api/cafe/orders/", {"table": str(table.pk), "guests": 2}, format="json").json()
    events = list(Event.objects.values_list("seq", flat=True))
    settings.EVENT_MAX_BYTES = 2000

    response = client.post(
        f"/api/cafe/orders/{order['id']}/items/", {"items": lines(dish, 10)}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("This change would make a order_updated event of ")
    assert detail.endswith(" bytes; events are limited to 2000 bytes (EVENT_MAX_BYTES).")
    assert not OrderItem.unscoped.exists()
    assert list(Event.objects.values_list("seq", flat=True)) == events
    assert client.get(f"/api/cafe/orders/{order['id']}/").json()["items"] == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_cannot_pass_the_limit(client_for, settings):
    """The count is taken with the order locked: of two adds that would each fit
    alone, one gets 409."""
    settings.ORDER_MAX_LINES = 4
    branch = BranchFactory()
    dish = MenuItemFactory(category__company=branch.company)
    waiter = staff_of(branch)
    order = order_for(waiter, TableFactory(branch=branch), items=[(dish, 1)])
    clients = [client_for(staff_of(branch)) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def add(client) -> None:
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/cafe/orders/{order.pk}/items/", {"items": lines(dish, 2)}, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201, 409, 409, 409], statuses
    assert OrderItem.unscoped.filter(order=order).count() == 3
