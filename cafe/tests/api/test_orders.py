import json
import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Role
from cafe.floor.models import TableStatus
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, owner_of, staff_of
from core.models import IdempotencyKey
from realtime.models import Event

pytestmark = pytest.mark.django_db

ORDER_FIELDS = [
    "id", "branch", "service", "table", "table_number", "joined_tables", "guest", "booking_override",
    "guests", "status", "status_display",
    "waiter", "customer_name", "customer_phone", "pickup_number", "items", "discount", "total", "money",
    "payments", "refunds", "split_checks", "split_from", "merged_into", "ready_at", "paid_at", "closed_at",
    "created_at", "taken_at", "updated_at",
]  # fmt: skip


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=12)


@pytest.fixture
def dish(branch):
    return MenuItemFactory(category__company=branch.company, title="Плов", price=Decimal("350.00"))


def seed_body(table, dish, guests=2, quantity=2) -> dict:
    return {"table": str(table.pk), "guests": guests, "items": [{"menu_item": str(dish.pk), "quantity": quantity}]}


def test_create_with_seed_body_answers_201_with_the_order(client_for, waiter, table, dish):
    response = client_for(waiter).post("/api/cafe/orders/", seed_body(table, dish), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert list(body) == ORDER_FIELDS
    order = Order.unscoped.get()
    line = order.items.get()
    assert body["id"] == str(order.pk)
    assert body["branch"] == str(table.branch_id)
    assert body["table"] == str(table.pk)
    assert body["table_number"] == 12
    assert body["guests"] == 2
    assert (body["status"], body["status_display"]) == ("open", "Открыт")
    assert body["waiter"] == str(waiter.pk)
    assert body["items"] == [
        {
            "id": str(line.pk),
            "menu_item": str(dish.pk),
            "title": "Плов",
            "price": "350.00",
            "quantity": 2,
            "weight": None,
            "price_per_kg": None,
            "discount": None,
            "total": "700.00",
            "note": "",
            "modifiers": [],
            "course": 1,
            "voided": False,
            "void_reason": "",
            "refunded_quantity": 0,
        }
    ]
    assert body["total"] == "700.00"
    assert body["service"] == "dine_in"
    assert body["money"] == {
        "subtotal": "700.00",
        "discounts": "0.00",
        "service_charge_percent": "0.00",
        "service_charge": "0.00",
        "total": "700.00",
        "paid": "0.00",
        "due": "700.00",
        "tips": "0.00",
        "change": "0.00",
        "refunded": "0.00",
    }
    assert (body["discount"], body["payments"], body["refunds"]) == (None, [], [])
    assert body["created_at"].endswith(("Z", "+00:00"))
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY


def test_create_with_empty_items(client_for, waiter, table):
    response = client_for(waiter).post(
        "/api/cafe/orders/", {"table": str(table.pk), "guests": 1, "items": []}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["items"] == []
    assert response.json()["total"] == "0.00"


def test_create_without_items_key(client_for, waiter, table):
    response = client_for(waiter).post("/api/cafe/orders/", {"table": str(table.pk), "guests": 1}, format="json")
    assert response.status_code == 201


def test_owner_creates_order_on_any_branch_table(client_for, branch, dish):
    owner = owner_of(branch.company)
    other = TableFactory(branch=BranchFactory(company=branch.company))
    response = client_for(owner).post("/api/cafe/orders/", seed_body(other, dish), format="json")
    assert response.status_code == 201
    assert response.json()["branch"] == str(other.branch_id)


def test_cook_cannot_take_orders(client_for, branch, table, dish):
    cook = staff_of(branch, role=Role.COOK)
    response = client_for(cook).post("/api/cafe/orders/", seed_body(table, dish), format="json")
    assert response.status_code == 403
    assert Order.unscoped.count() == 0
    assert client_for(cook).get("/api/cafe/orders/").status_code == 200


def test_unauthenticated_401(api_client, table, dish):
    assert api_client.post("/api/cafe/orders/", seed_body(table, dish), format="json").status_code == 401
    assert api_client.get("/api/cafe/orders/").status_code == 401


def test_price_is_copied_at_order_time(client_for, waiter, table, dish):
    order = order_for(waiter, table, [(dish, 1)])
    dish.price = Decimal("500.00")
    dish.save()
    body = client_for(waiter).get(f"/api/cafe/orders/{order.pk}/").json()
    assert body["items"][0]["price"] == "350.00"
    assert body["total"] == "350.00"


def test_retrieve(client_for, waiter, table, dish):
    order = order_for(waiter, table, [(dish, 3)])
    response = client_for(waiter).get(f"/api/cafe/orders/{order.pk}/")
    assert response.status_code == 200
    assert list(response.json()) == ORDER_FIELDS
    assert response.json()["total"] == "1050.00"


def test_list_filters_and_paging(client_for, branch, waiter, table, dish):
    other_table = TableFactory(branch=branch, number=13)
    first = order_for(waiter, table, [(dish, 1)])
    second = order_for(waiter, other_table)
    third = order_for(waiter, table)
    client = client_for(waiter)
    client.post(f"/api/cafe/orders/{third.pk}/close/")

    everything = client.get("/api/cafe/orders/").json()
    assert set(everything) == {"count", "next", "previous", "results"}
    assert everything["count"] == 3
    assert [o["id"] for o in everything["results"]] == [str(third.pk), str(second.pk), str(first.pk)]

    open_ids = {o["id"] for o in client.get("/api/cafe/orders/?status=open").json()["results"]}
    assert open_ids == {str(first.pk), str(second.pk)}
    closed = client.get("/api/cafe/orders/?status=closed").json()["results"]
    assert [o["id"] for o in closed] == [str(third.pk)]
    at_table = {o["id"] for o in client.get(f"/api/cafe/orders/?table={table.pk}").json()["results"]}
    assert at_table == {str(first.pk), str(third.pk)}

    page = client.get("/api/cafe/orders/?limit=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    rest = client.get("/api/cafe/orders/?limit=2&offset=2").json()
    assert [o["id"] for o in rest["results"]] == [str(first.pk)]


def test_list_branch_filter_for_owner(client_for, branch, waiter, table):
    other_branch = BranchFactory(company=branch.company)
    mine = order_for(waiter, table)
    theirs = order_for(staff_of(other_branch), TableFactory(branch=other_branch))
    client = client_for(owner_of(branch.company))
    assert client.get("/api/cafe/orders/").json()["count"] == 2
    filtered = client.get(f"/api/cafe/orders/?branch={other_branch.pk}").json()["results"]
    assert [o["id"] for o in filtered] == [str(theirs.pk)]
    assert mine.pk != theirs.pk


@pytest.mark.parametrize(
    ("query", "field"), [("status=nope", "status"), ("table=123", "table"), ("branch=x", "branch")]
)
def test_list_bad_filters_400(client_for, waiter, query, field):
    response = client_for(waiter).get(f"/api/cafe/orders/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_add_items(client_for, waiter, table, dish):
    order = order_for(waiter, table, [(dish, 1)])
    tea = MenuItemFactory(category__company=waiter.company, title="Чай", price=Decimal("80.50"))
    response = client_for(waiter).post(
        f"/api/cafe/orders/{order.pk}/items/", {"items": [{"menu_item": str(tea.pk), "quantity": 2}]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(i["title"], i["price"], i["quantity"], i["total"]) for i in body["items"]] == [
        ("Плов", "350.00", 1, "350.00"),
        ("Чай", "80.50", 2, "161.00"),
    ]
    assert body["total"] == "511.00"


def test_patch_guests(client_for, waiter, table):
    order = order_for(waiter, table)
    response = client_for(waiter).patch(f"/api/cafe/orders/{order.pk}/", {"guests": 5}, format="json")
    assert response.status_code == 200
    assert response.json()["guests"] == 5
    assert Event.objects.order_by("-seq").first().type == "order_updated"


@pytest.mark.parametrize(
    ("action", "status", "display"), [("close", "closed", "Закрыт"), ("cancel", "cancelled", "Отменён")]
)
def test_close_and_cancel(client_for, waiter, table, dish, action, status, display):
    order = order_for(waiter, table, [(dish, 1)])
    client = client_for(waiter)

    response = client.post(f"/api/cafe/orders/{order.pk}/{action}/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_display"]) == (status, display)
    table.refresh_from_db()
    assert table.status == TableStatus.FREE
    table_json = client.get(f"/api/cafe/tables/{table.pk}/").json()
    assert (table_json["status"], table_json["status_display"]) == ("free", "Свободен")

    events_before = Event.objects.count()
    for again in ("close", "cancel"):
        conflict = client.post(f"/api/cafe/orders/{order.pk}/{again}/")
        assert conflict.status_code == 409
        assert "detail" in conflict.json()
    adding = client.post(
        f"/api/cafe/orders/{order.pk}/items/", {"items": [{"menu_item": str(dish.pk), "quantity": 1}]}, format="json"
    )
    assert adding.status_code == 409
    assert client.patch(f"/api/cafe/orders/{order.pk}/", {"guests": 3}, format="json").status_code == 409
    assert Event.objects.count() == events_before
    assert OrderItem.unscoped.count() == 1


def test_table_status_follows_open_orders(client_for, waiter, table):
    client = client_for(waiter)
    body = {"table": str(table.pk), "guests": 2, "items": []}
    first = client.post("/api/cafe/orders/", body, format="json").json()
    second = client.post("/api/cafe/orders/", body, format="json").json()
    status = lambda: client.get(f"/api/cafe/tables/{table.pk}/").json()  # noqa: E731
    assert (status()["status"], status()["status_display"]) == ("busy", "Занят")
    client.post(f"/api/cafe/orders/{first['id']}/close/")
    assert status()["status"] == "busy"
    client.post(f"/api/cafe/orders/{second['id']}/cancel/")
    assert status()["status"] == "free"


def test_api_writes_events_for_order_lifecycle(client_for, waiter, table, dish):
    client = client_for(waiter)
    order = client.post("/api/cafe/orders/", seed_body(table, dish), format="json").json()
    client.post(
        f"/api/cafe/orders/{order['id']}/items/", {"items": [{"menu_item": str(dish.pk), "quantity": 1}]}, format="json"
    )
    closed = client.post(f"/api/cafe/orders/{order['id']}/close/").json()

    rows = list(Event.objects.filter(company=waiter.company).order_by("seq"))
    assert [(r.seq, r.type) for r in rows] == [
        (1, "order_created"), (2, "table_status_changed"), (3, "order_updated"), (4, "order_closed"),
        (5, "table_status_changed"),
    ]  # fmt: skip
    messages = [json.loads(r.message) for r in rows]
    assert messages[0]["data"]["order"] == order
    assert messages[3]["data"]["order"] == closed
    assert messages[3]["data"]["company_id"] == str(waiter.company_id)


# Idempotency-Key


def test_idempotent_retry_answers_the_same_and_writes_nothing(client_for, waiter, table, dish):
    client = client_for(waiter)
    first = client.post("/api/cafe/orders/", seed_body(table, dish), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    events = Event.objects.count()
    again = client.post("/api/cafe/orders/", seed_body(table, dish), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (Order.unscoped.count(), Event.objects.count()) == (1, events)

    different = client.post(
        "/api/cafe/orders/", seed_body(table, dish, guests=3), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert different.status_code == 422
    assert "detail" in different.json()
    assert Order.unscoped.count() == 1


def test_idempotent_close_retry(client_for, waiter, table):
    order = order_for(waiter, table)
    client = client_for(waiter)
    first = client.post(f"/api/cafe/orders/{order.pk}/close/", HTTP_IDEMPOTENCY_KEY="close-1")
    again = client.post(f"/api/cafe/orders/{order.pk}/close/", HTTP_IDEMPOTENCY_KEY="close-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert client.post(f"/api/cafe/orders/{order.pk}/close/").status_code == 409


def test_failed_request_stores_no_key(client_for, waiter, table):
    client = client_for(waiter)
    bad = client.post(
        "/api/cafe/orders/", {"table": str(table.pk), "guests": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400
    assert IdempotencyKey.objects.count() == 0
    good = client.post(
        "/api/cafe/orders/", {"table": str(table.pk), "guests": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert good.status_code == 201


# Concurrency through the API


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_api_creates_on_one_free_table(client_for):
    branch = BranchFactory()
    table = TableFactory(branch=branch)
    dish = MenuItemFactory(category__company=branch.company)
    clients = [client_for(staff_of(branch)) for _ in range(6)]
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def create(client) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post("/api/cafe/orders/", seed_body(table, dish), format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [201] * 6
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY
    assert Order.unscoped.filter(table=table, status=OrderStatus.OPEN).count() == 6
    assert OrderItem.unscoped.count() == 6
    seqs = list(Event.objects.filter(company=branch.company).order_by("seq").values_list("seq", "type"))
    assert [s for s, _ in seqs] == list(range(1, 8))
    assert [t for _, t in seqs].count("table_status_changed") == 1
