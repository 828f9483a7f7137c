"""A takeaway order on the sockets: its branch's orders socket (the branch comes
from the order, not a table), nothing on the tables socket, and ``order_ready``
when the kitchen finishes it."""

import pytest

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.orders.kitchen import task_act
from cafe.orders.models import KitchenTask
from cafe.tests.factories import StationFactory, staff_of, station_dish
from realtime.tests.consumers.conftest import ORDERS, TABLES, checked, db, listen, make_world, order_event

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_takeaway_order_reaches_its_branchs_orders_socket_only(ws, transport, client_for):
    w = await db(make_world)()
    soup = await db(lambda: station_dish(StationFactory(branch=w.other_branch), title="Soup"))()
    cook = await db(staff_of)(w.other_branch, Role.COOK)
    there, _ = await listen(ws, ORDERS, w.other_waiter)
    here, _ = await listen(ws, ORDERS, w.waiter)
    tables, _ = await listen(ws, TABLES, w.owner)
    await transport()

    body = {
        "service": "takeaway",
        "branch": str(w.other_branch.pk),
        "items": [{"menu_item": str(soup.pk), "quantity": 1}],
    }
    response = await db(client_for(w.owner).post)("/api/cafe/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    created = await there.receive()
    assert checked(created) == order_event("order_created", response.json(), w, branch=w.other_branch)
    assert response.json()["pickup_number"] == 1

    def cook_it():
        task = KitchenTask.unscoped.get(order_id=response.json()["id"])
        for action in ("claim", "ready"):
            task_act(tenant=tenant_for(cook), task_ids=[task.pk], action=action)

    await db(cook_it)()
    ready, announced = await there.receive_many(2)
    assert (ready["type"], announced["type"]) == ("kitchen_task_ready", "order_ready")
    assert announced["data"]["order"]["id"] == response.json()["id"]
    assert announced["data"]["order"]["ready_at"] is not None
    for socket in (here, tables, there):
        assert await socket.nothing(0.2)
