"""`Idempotency-Key` on create order, add items, close and cancel: a retry answers
as the first time and changes nothing; another body with the same key is a 422."""

import json
import threading
import uuid

import pytest

from cafe.orders.models import Order, OrderItem
from cafe.tests.factories import MenuItemFactory, TableFactory, UserFactory, staff_of
from core.models import IdempotencyKey
from realtime.models import Event
from realtime.tests.delivery.conftest import http

ORDERS = "/api/cafe/orders/"


@pytest.fixture
def waiter():
    return UserFactory()


@pytest.fixture
def setup(waiter):
    table = TableFactory(branch=waiter.branch)
    item = MenuItemFactory(category__company=waiter.company)
    body = {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(item.pk), "quantity": 1}]}
    return table, item, body


def events(company, type: str) -> int:
    return Event.objects.filter(company=company, type=type).count()


@pytest.mark.django_db
def test_create_retry_answers_the_same_and_changes_nothing(client_for, waiter, setup):
    _table, _item, body = setup
    client = client_for(waiter)
    first = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Order.unscoped.count() == 1
    assert events(waiter.company, "order_created") == 1
    assert events(waiter.company, "table_status_changed") == 1


@pytest.mark.django_db
def test_same_key_with_another_request_is_422_and_changes_nothing(client_for, waiter, setup):
    _table, _item, body = setup
    client = client_for(waiter)
    order = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k").json()
    other = client.post(ORDERS, {**body, "guests": 3}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    elsewhere = client.post(f"{ORDERS}{order['id']}/close/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert elsewhere.status_code == 422
    assert Order.unscoped.get().status == "open"
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_keys_belong_to_their_user(client_for, waiter, setup):
    _table, _item, body = setup
    colleague = staff_of(waiter.branch)
    first = client_for(waiter).post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = client_for(colleague).post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert Order.unscoped.count() == 2
    assert events(waiter.company, "order_created") == 2


@pytest.mark.django_db
def test_a_failed_request_stores_nothing(client_for, waiter, setup):
    _table, _item, body = setup
    client = client_for(waiter)
    bad = client.post(ORDERS, {**body, "guests": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert IdempotencyKey.objects.count() == 0
    good = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")  # the same key, fixed body
    assert good.status_code == 201
    order = good.json()["id"]

    assert client.post(f"{ORDERS}{order}/close/", {}, format="json", HTTP_IDEMPOTENCY_KEY="c").status_code == 200
    late = client.post(f"{ORDERS}{order}/cancel/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert late.status_code == 409
    assert not IdempotencyKey.objects.filter(key="x").exists()
    assert client.post(f"{ORDERS}{order}/cancel/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x").status_code == 409


@pytest.mark.django_db
def test_add_items_close_and_cancel_retries(client_for, waiter, setup):
    _table, item, body = setup
    client = client_for(waiter)
    order = client.post(ORDERS, body, format="json").json()["id"]
    lines = {"items": [{"menu_item": str(item.pk), "quantity": 4}]}
    added = [client.post(f"{ORDERS}{order}/items/", lines, format="json", HTTP_IDEMPOTENCY_KEY="add") for _ in "12"]
    assert [a.status_code for a in added] == [201, 201]
    assert added[0].json() == added[1].json()
    assert OrderItem.unscoped.filter(order=order).count() == 2
    assert events(waiter.company, "order_updated") == 1

    closed = [client.post(f"{ORDERS}{order}/close/", {}, format="json", HTTP_IDEMPOTENCY_KEY="end") for _ in "12"]
    assert [c.status_code for c in closed] == [200, 200]  # the retry is not a 409
    assert closed[1].json() == closed[0].json()
    assert closed[1].json()["status"] == "closed"
    assert events(waiter.company, "order_closed") == 1

    second = client.post(ORDERS, body, format="json").json()["id"]
    cancelled = [client.post(f"{ORDERS}{second}/cancel/", {}, format="json", HTTP_IDEMPOTENCY_KEY="c") for _ in "12"]
    assert [c.status_code for c in cancelled] == [200, 200]
    assert events(waiter.company, "order_cancelled") == 1


@pytest.mark.django_db
def test_key_length_is_checked(client_for, waiter, setup):
    _table, _item, body = setup
    answer = client_for(waiter).post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()
    assert Order.unscoped.count() == 0


# Concurrency: real server processes, real HTTP clients, PostgreSQL.


def at_once(count: int, request) -> list:
    """Runs ``request(n)`` in ``count`` threads released together."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(n):
        barrier.wait(10)
        answers[n] = request(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_one_order_and_one_close(start_server, make_world):
    servers = [start_server("a"), start_server("b")]
    world = make_world(branches=1)
    branch = str(world.branches[0].pk)
    token = world.waiters[branch][0][1]
    line = {"menu_item": str(world.menu[0].pk), "quantity": 1}
    body = {"table": str(world.tables[branch][0].pk), "guests": 2, "items": [line]}
    key = str(uuid.uuid4())

    answers = at_once(8, lambda n: http(servers[n % 2].http, "POST", ORDERS, token, body, key=key))
    assert [a.status for a in answers] == [201] * 8, [a.body for a in answers]
    assert all(a.body == answers[0].body for a in answers)
    assert Order.unscoped.filter(company=world.company).count() == 1
    assert events(world.company, "order_created") == 1
    order = answers[0].body["id"]

    close = f"{ORDERS}{order}/close/"
    answers = at_once(6, lambda n: http(servers[n % 2].http, "POST", close, token, {}, key="close-1"))
    assert [a.status for a in answers] == [200] * 6, [a.body for a in answers]
    assert all(a.body == answers[0].body for a in answers)
    assert events(world.company, "order_closed") == 1

    # Different keys racing to end the same order: one wins, the rest are 409.
    order = http(servers[0].http, "POST", ORDERS, token, body).body["id"]
    answers = at_once(
        4, lambda n: http(servers[n % 2].http, "POST", f"{ORDERS}{order}/cancel/", token, {}, key=f"c{n}")
    )
    assert sorted(a.status for a in answers) == [200, 409, 409, 409]
    assert events(world.company, "order_cancelled") == 1


@pytest.mark.django_db(transaction=True)
def test_two_waiters_adding_lines_at_once_both_land(start_server, make_world):
    servers = [start_server("a"), start_server("b")]
    world = make_world(branches=1)
    branch = str(world.branches[0].pk)
    (_, first), (_, second) = world.waiters[branch]
    table = str(world.tables[branch][0].pk)
    dishes = [str(item.pk) for item in world.menu]
    for _ in range(3):  # a few rounds: the two requests do not always overlap
        order = http(servers[0].http, "POST", ORDERS, first, {"table": table, "guests": 2}).body["id"]
        before = set(Event.objects.filter(company=world.company).values_list("seq", flat=True))

        def add(n, order=order):
            lines = {"items": [{"menu_item": dishes[n], "quantity": n + 1}]}
            return http(
                servers[n].http, "POST", f"{ORDERS}{order}/items/", (first, second)[n], lines, key=f"add-{order}-{n}"
            )

        answers = at_once(2, add)
        assert [a.status for a in answers] == [201, 201], [a.body for a in answers]
        lines = sorted(Order.unscoped.get(pk=order).items.values_list("menu_item_id", "quantity"))
        assert lines == sorted([(uuid.UUID(dishes[0]), 1), (uuid.UUID(dishes[1]), 2)])
        updates = list(Event.objects.filter(company=world.company, type="order_updated").exclude(seq__in=before))
        assert len(updates) == 2
        shown = [json.loads(event.message)["data"]["order"]["items"] for event in sorted(updates, key=lambda e: e.seq)]
        assert len(shown[0]) == 1
        assert len(shown[1]) == 2
        http(servers[0].http, "POST", f"{ORDERS}{order}/close/", first, {})
