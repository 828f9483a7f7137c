"""The kitchen socket: the seed's greeting, ping and close codes, tasks as they are
created and moved, `&station=` narrowing (4005 for another branch's or company's
station) that holds in catch-up as in live delivery, and `kitchen_task_ready` on
the orders socket."""

import pytest

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.menu.services import menu_item_update
from cafe.orders.kitchen import task_act
from cafe.tests.factories import (
    BranchFactory,
    StationFactory,
    TableFactory,
    UserFactory,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from realtime.tests.consumers.conftest import ORDERS, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)

KITCHEN = "/ws/cafe/kitchen/"


def make_world():
    branch = BranchFactory()
    hot, bar = StationFactory(branch=branch, name="Hot"), StationFactory(branch=branch, name="Bar")
    other_branch = BranchFactory(company=branch.company)
    return {
        "branch": branch,
        "company": branch.company,
        "hot": hot,
        "bar": bar,
        "soup": station_dish(hot, title="Борщ"),
        "mojito": station_dish(bar, title="Мохито"),
        "waiter": staff_of(branch),
        "cook": staff_of(branch, Role.COOK),
        "owner": owner_of(branch.company),
        "table": TableFactory(branch=branch, number=9),
        "other_station": StationFactory(branch=other_branch),
        "foreign_station": StationFactory(),
    }


async def listen(ws, path, user, **params):
    socket = await ws(path, access_token(user), **params)
    greeting = await socket.receive()
    assert greeting["type"] == "connection_established"
    return socket, greeting


async def test_greeting_ping_and_tasks_as_they_move(ws, transport):
    w = await db(make_world)()
    kitchen, greeting = await listen(ws, KITCHEN, w["cook"])
    assert greeting == {
        "type": "connection_established",
        "company_id": str(w["company"].pk),
        "branch_id": str(w["branch"].pk),
        "group": f"cafe_kitchen_{w['company'].pk}_{w['branch'].pk}",
        "seq": greeting["seq"],
    }
    await kitchen.ping()
    orders, _ = await listen(ws, ORDERS, w["waiter"])
    await transport()

    order = await db(order_for)(w["waiter"], w["table"], [(w["soup"], 2)])
    created = await kitchen.receive_many(2)
    assert [e["type"] for e in created] == ["kitchen_task_created"] * 2
    assert [e["data"]["task"]["portion"] for e in created] == [1, 2]
    task = created[0]["data"]["task"]
    assert (task["title"], task["table_number"], task["station"], task["order"]) == (
        "Борщ",
        9,
        str(w["hot"].pk),
        str(order.pk),
    )
    assert created[0]["data"]["branch_id"] == str(w["branch"].pk)
    assert [e["type"] for e in await orders.receive_many(2)] == ["order_created", "table_status_changed"]

    cook = tenant_for(w["cook"])
    await db(task_act)(tenant=cook, task_ids=[task["id"]], action="claim")
    await db(task_act)(tenant=cook, task_ids=[task["id"]], action="ready")
    claimed, ready = await kitchen.receive_many(2)
    assert (claimed["data"]["task"]["status"], ready["data"]["task"]["status"]) == ("in_progress", "ready")
    pick_up = await orders.receive()
    assert pick_up["type"] == "kitchen_task_ready"
    assert pick_up["data"] == ready["data"]
    assert pick_up["seq"] == ready["seq"] + 1
    assert await kitchen.nothing()
    assert await orders.nothing(0.1)


async def test_station_narrows_the_socket_live_and_on_resume(ws, transport):
    w = await db(make_world)()
    bar, greeting = await listen(ws, KITCHEN, w["cook"], station=w["bar"].pk)
    everything, _ = await listen(ws, KITCHEN, w["cook"])
    await transport()
    await db(order_for)(w["waiter"], w["table"], [(w["soup"], 1), (w["mojito"], 1)])
    menu = await db(menu_item_update)(tenant=tenant_for(w["owner"]), menu_item_id=w["mojito"].pk, remaining=3)

    mojito = await bar.receive()
    assert (mojito["type"], mojito["data"]["task"]["title"]) == ("kitchen_task_created", "Мохито")
    stop = await bar.receive()
    assert (stop["type"], stop["data"]["menu_item"]["remaining"]) == ("menu_item_updated", 3)
    assert stop["data"]["menu_item"]["id"] == str(menu.pk)
    assert await bar.nothing()
    assert [e["type"] for e in await everything.receive_many(3)] == [
        "kitchen_task_created",
        "kitchen_task_created",
        "menu_item_updated",
    ]

    # A station-narrowed socket resuming from before gets exactly the same events again.
    again, _ = await listen(ws, KITCHEN, w["cook"], station=w["bar"].pk, since=greeting["seq"])
    assert await again.receive_many(2) == [mojito, stop]
    assert await again.nothing()
    await again.send_json({"action": "resume", "since": greeting["seq"]})
    assert await again.receive_many(2) == [mojito, stop]


async def test_station_of_another_branch_or_company_or_garbage_is_4005(ws):
    w = await db(make_world)()
    token = access_token(w["cook"])
    for station in (w["other_station"].pk, w["foreign_station"].pk, "not-a-uuid"):
        socket = await ws(KITCHEN, token, station=station)
        assert await socket.closed_with() == 4005
    owner = access_token(w["owner"])
    socket = await ws(KITCHEN, owner, station=w["foreign_station"].pk)
    assert await socket.closed_with() == 4005
    # A company-wide owner may watch any station of the company; branch_id must agree with it.
    wide = await ws(KITCHEN, owner, station=w["other_station"].pk)
    assert (await wide.receive())["branch_id"] is None
    mismatch = await ws(KITCHEN, owner, station=w["other_station"].pk, branch_id=w["branch"].pk)
    assert await mismatch.closed_with() == 4005


async def test_seed_close_codes_on_the_kitchen_socket(ws):
    w = await db(make_world)()
    assert await (await ws(KITCHEN, "garbage")).closed_with() == 4003
    loner = await db(UserFactory)(role="", branch=None, company=None)
    assert await (await ws(KITCHEN, access_token(loner))).closed_with() == 4004
    elsewhere = w["other_station"].branch_id
    assert await (await ws(KITCHEN, access_token(w["cook"]), branch_id=elsewhere)).closed_with() == 4005


async def test_other_branches_and_companies_see_nothing(ws, transport):
    w = await db(make_world)()
    neighbour = await db(staff_of)(w["other_station"].branch, Role.COOK)
    stranger = await db(staff_of)(w["foreign_station"].branch, Role.COOK)
    theirs, _ = await listen(ws, KITCHEN, neighbour)
    foreign, _ = await listen(ws, KITCHEN, stranger)
    owner, _ = await listen(ws, KITCHEN, w["owner"])
    await transport()
    await db(order_for)(w["waiter"], w["table"], [(w["soup"], 1)])
    assert (await owner.receive())["type"] == "kitchen_task_created"
    assert await theirs.nothing()
    assert await foreign.nothing(0.1)
