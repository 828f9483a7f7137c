"""Events on the sockets: exact payloads, which socket gets what, and only after
commit. Each test runs on both live transports (in-process and Redis)."""

import asyncio
import threading
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from accounts.tenancy import tenant_for
from cafe.floor.models import Table
from cafe.orders.models import Order
from cafe.orders.serializers import OrderSerializer
from cafe.orders.services import order_create
from cafe.tests.factories import (
    order_for,
)
from realtime.models import Event
from realtime.tests.consumers.conftest import ORDERS, TABLES, checked, db, listen, make_world, order_event

pytestmark = pytest.mark.django_db(transaction=True)


def status_event(table, status: str, display: str) -> dict:
    data = {
        "table_id": str(table.pk),
        "table_number": table.number,
        "status": status,
        "status_display": display,
        "branch_id": str(table.branch_id),
    }
    return {"type": "table_status_changed", "data": data}


def table_event(type: str, table: dict, w: SimpleNamespace) -> dict:
    return {"type": type, "data": {"table": table, "company_id": str(w.company.pk), "branch_id": table["branch"]}}


async def test_order_created_is_the_rest_order_and_the_table_turns_busy(ws, transport, client_for):
    w = await db(make_world)()
    orders, seq = await listen(ws, ORDERS, w.waiter)
    tables, _ = await listen(ws, TABLES, w.waiter)
    await transport()
    body = {"table": str(w.table.pk), "guests": 2, "items": [{"menu_item": str(w.dish.pk), "quantity": 2}]}
    response = await db(client_for(w.waiter).post)("/api/cafe/orders/", body, format="json")
    assert response.status_code == 201, response.json()

    created, busy = await orders.receive_many(2)
    assert checked(created) == order_event("order_created", response.json(), w)
    assert response.json()["total"] == "700.00"
    assert checked(busy) == status_event(w.table, "busy", "Занят")
    assert (created["seq"], busy["seq"]) == (seq + 1, seq + 2)
    assert created["ts"] == busy["ts"]

    assert await tables.receive() == busy
    assert await tables.nothing()
    assert await orders.nothing(0.1)


async def test_order_lifecycle_events(ws, transport, client_for):
    w = await db(make_world)()
    orders, seq = await listen(ws, ORDERS, w.waiter)
    tables, _ = await listen(ws, TABLES, w.waiter)
    await transport()
    api = client_for(w.waiter)
    post = db(api.post)

    first = (await post("/api/cafe/orders/", {"table": str(w.table.pk), "guests": 2}, format="json")).json()
    second = (await post("/api/cafe/orders/", {"table": str(w.table.pk), "guests": 1}, format="json")).json()
    assert [e["type"] for e in await orders.receive_many(3)] == [
        "order_created",
        "table_status_changed",
        "order_created",
    ]
    await tables.receive()

    lines = {"items": [{"menu_item": str(w.dish.pk), "quantity": 3}]}
    response = await post(f"/api/cafe/orders/{first['id']}/items/", lines, format="json")
    assert checked(await orders.receive()) == order_event("order_updated", response.json(), w)
    assert response.json()["items"][0]["title"] == "Борщ"

    response = await db(api.patch)(f"/api/cafe/orders/{first['id']}/", {"guests": 4}, format="json")
    assert checked(await orders.receive()) == order_event("order_updated", response.json(), w)

    response = await post(f"/api/cafe/orders/{first['id']}/close/")
    assert response.json()["status"] == "closed"
    assert checked(await orders.receive()) == order_event("order_closed", response.json(), w)
    assert await orders.nothing(), "the table still has an open order: its status does not change"

    response = await post(f"/api/cafe/orders/{second['id']}/cancel/")
    cancelled, free = await orders.receive_many(2)
    assert checked(cancelled) == order_event("order_cancelled", response.json(), w)
    assert checked(free) == status_event(w.table, "free", "Свободен")
    assert cancelled["seq"] == seq + 7
    assert free["seq"] == seq + 8

    assert await tables.receive() == free
    assert await tables.nothing(0.1)


async def test_table_events_reach_the_tables_socket(ws, transport, client_for):
    w = await db(make_world)()
    tables, _ = await listen(ws, TABLES, w.manager)
    orders, _ = await listen(ws, ORDERS, w.manager)
    await transport()
    api = client_for(w.manager)

    created = await db(api.post)("/api/cafe/tables/", {"number": 12, "seats": 6}, format="json")
    assert created.status_code == 201, created.json()
    assert checked(await tables.receive()) == table_event("table_created", created.json(), w)
    assert created.json()["status_display"] == "Свободен"
    url = f"/api/cafe/tables/{created.json()['id']}/"

    updated = await db(api.patch)(url, {"seats": 8}, format="json")
    assert checked(await tables.receive()) == table_event("table_updated", updated.json(), w)

    reserved = await db(api.patch)(url, {"status": "reserved"}, format="json")
    table = await db(Table.unscoped.get)(pk=created.json()["id"])
    status, update = await tables.receive_many(2)
    assert checked(status) == status_event(table, "reserved", "Забронирован")
    assert checked(update) == table_event("table_updated", reserved.json(), w)
    assert update["seq"] == status["seq"] + 1

    deleted = await db(api.delete)(url)
    assert deleted.status_code == 204
    assert checked(await tables.receive()) == table_event("table_deleted", reserved.json(), w)

    assert await orders.receive() == status, "the orders socket gets only the status change"
    assert await orders.nothing()
    assert await tables.nothing(0.1)


async def test_company_wide_socket_gets_every_branch_and_branch_sockets_only_theirs(ws, transport):
    w = await db(make_world)()
    everything, _ = await listen(ws, ORDERS, w.owner)
    here, _ = await listen(ws, ORDERS, w.waiter)
    there, _ = await listen(ws, ORDERS, w.other_waiter)
    chosen, _ = await listen(ws, ORDERS, w.owner, branch_id=w.other_branch.pk)
    all_tables, _ = await listen(ws, TABLES, w.owner)
    stranger, _ = await listen(ws, ORDERS, w.stranger)
    await transport()

    await db(order_for)(w.waiter, w.table)
    await db(order_for)(w.other_waiter, w.other_table)

    received = await everything.receive_many(4)
    assert [(e["type"], e["data"]["branch_id"]) for e in received] == [
        ("order_created", str(w.branch.pk)),
        ("table_status_changed", str(w.branch.pk)),
        ("order_created", str(w.other_branch.pk)),
        ("table_status_changed", str(w.other_branch.pk)),
    ]
    assert [e["seq"] for e in received] == list(range(received[0]["seq"], received[0]["seq"] + 4))
    assert await here.receive_many(2) == received[:2]
    assert await there.receive_many(2) == received[2:]
    assert await chosen.receive_many(2) == received[2:]
    assert await all_tables.receive_many(2) == [received[1], received[3]]
    for socket in (everything, here, there, chosen, all_tables, stranger):
        assert await socket.nothing(0.2)


async def test_events_are_sent_only_after_commit(ws, transport):
    w = await db(make_world)()
    orders, seq = await listen(ws, ORDERS, w.waiter)
    await transport()
    inside, release = threading.Event(), threading.Event()

    def create_and_hold():
        with transaction.atomic():
            order_for(w.waiter, w.table)
            inside.set()
            assert release.wait(10)

    writer = asyncio.ensure_future(database_sync_to_async(create_and_hold, thread_sensitive=False)())
    assert await asyncio.to_thread(inside.wait, 10)
    assert await orders.nothing(0.5), "nothing is sent before the transaction commits"
    release.set()
    await writer
    created, busy = await orders.receive_many(2)
    assert (created["type"], created["seq"], busy["type"]) == ("order_created", seq + 1, "table_status_changed")


async def test_rolled_back_change_sends_nothing(ws, transport, client_for):
    w = await db(make_world)()
    orders, seq = await listen(ws, ORDERS, w.waiter)
    tables, _ = await listen(ws, TABLES, w.waiter)
    await transport()

    def create_then_fail():
        with transaction.atomic():
            order_for(w.waiter, w.table)
            raise RuntimeError("the request failed after the order was written")

    with pytest.raises(RuntimeError):
        await db(create_then_fail)()
    # A service that fails after writing: the order row is inserted, then a line is refused.
    w.dish.is_available = False
    await db(w.dish.save)()
    body = {"table": str(w.table.pk), "guests": 2, "items": [{"menu_item": str(w.dish.pk), "quantity": 1}]}
    response = await db(client_for(w.waiter).post)("/api/cafe/orders/", body, format="json")
    assert response.status_code == 400

    assert await orders.nothing(0.5)
    assert await tables.nothing(0.1)
    assert await db(Order.unscoped.count)() == 0
    assert await db(Event.objects.filter(company=w.company).count)() == 0

    await db(order_for)(w.waiter, w.table)
    created = await orders.receive()
    assert created["seq"] == seq + 1, "a rolled-back change uses up no sequence number"


async def test_each_event_is_serialised_once_for_all_its_sockets(ws, transport, monkeypatch):
    w = await db(make_world)()
    sockets = [
        (await listen(ws, ORDERS, w.waiter))[0],
        (await listen(ws, ORDERS, w.waiter))[0],
        (await listen(ws, ORDERS, w.owner))[0],
        (await listen(ws, ORDERS, w.owner, branch_id=w.branch.pk))[0],
    ]
    await transport()
    serialised = []
    to_representation = OrderSerializer.to_representation

    def counting(self, instance):
        serialised.append(instance.pk)
        return to_representation(self, instance)

    monkeypatch.setattr(OrderSerializer, "to_representation", counting)
    order = await db(order_for)(w.waiter, w.table)

    logged = await db(lambda: list(Event.objects.filter(company=w.company).order_by("seq")))()
    for socket in sockets:
        assert [await socket.receive_text() for _ in logged] == [event.message for event in logged]
    assert serialised == [order.pk], "the order is serialised once, however many sockets listen"


async def test_events_follow_service_calls_without_rest(ws, transport, client_for):
    """Services emit the events, whatever edge calls them; the order is still the REST one."""
    w = await db(make_world)()
    orders, _ = await listen(ws, ORDERS, w.owner)
    await transport()
    tenant = await db(tenant_for)(w.owner)
    order = await db(order_create)(tenant=tenant, table=w.other_table.pk, guests=3)
    created, busy = await orders.receive_many(2)
    rest = await db(client_for(w.owner).get)(f"/api/cafe/orders/{order.pk}/")
    assert checked(created) == order_event("order_created", rest.json(), w, branch=w.other_branch)
    assert checked(busy) == status_event(w.other_table, "busy", "Занят")
