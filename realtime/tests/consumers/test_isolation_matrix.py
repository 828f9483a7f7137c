"""The socket rows of the isolation matrix (the table is in
``cafe/tests/matrix.py``): each role asks for the target's
branch, and watches live and replayed events of a table in the target's branch.

Whether an event arrived is read without waiting: after the target's change, a
change in the caller's own branch follows; the socket must show the target's
change before it ("yes") or not at all ("no")."""

import pytest

from accounts.tenancy import tenant_for
from cafe.floor.services import table_update, zone_update
from cafe.menu.services import menu_item_update
from cafe.orders.kitchen import task_act
from cafe.tests.factories import owner_of
from cafe.tests.matrix import cells
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)

KITCHEN = "/ws/cafe/kitchen/"
PATHS = {"orders": ORDERS, "tables": TABLES, "kitchen": KITCHEN}


def reserve(owner, table) -> None:
    table_update(tenant=tenant_for(owner), table_id=table.pk, status="reserved")


def changes(world: dict) -> None:
    """The target's table changes, then the caller's own sentinel table."""
    reserve(world["boss"], world["table"])
    reserve(owner_of(world["here"].company), world["sentinel"])


def zone_changes(world: dict) -> None:
    """The target's hall is renamed (``zone_updated``), then the caller's own sentinel table changes."""
    zone_update(tenant=tenant_for(world["boss"]), zone_id=world["zone"].pk, name="Renamed")
    reserve(owner_of(world["here"].company), world["sentinel"])


def kitchen_changes(world: dict) -> None:
    """A portion of the target's branch is claimed, then the caller's own branch's
    sentinel menu item changes (``menu_item_updated`` reaches the kitchen socket)."""
    task_act(tenant=tenant_for(world["boss"]), task_ids=[world["task"].pk], action="claim")
    owner = tenant_for(owner_of(world["here"].company))
    menu_item_update(tenant=owner, menu_item_id=world["sentinel_item"].pk, remaining=5)


async def seen_before_sentinel(socket, world: dict, stream: str, watched: str = "table") -> bool:
    if stream == "kitchen":
        target, sentinel = str(world["task"].pk), str(world["sentinel_item"].pk)
    else:
        target, sentinel = str(world[watched].pk), str(world["sentinel"].pk)
    seen = False
    for _ in range(20):
        text = await socket.receive_text()
        if sentinel in text:
            return seen
        seen = seen or target in text
    raise AssertionError("the sentinel event never came")


@pytest.mark.parametrize(("row", "role", "target", "expected"), cells(sockets=True))
async def test_socket(ws, memory, socket_world, row, role, target, expected):
    _, stream, kind = row.split(" ", 2)
    world = await socket_world(role, target)
    token = access_token(world["user"])
    if kind == "branch_id=T":
        socket = await ws(PATHS[stream], token, branch_id=world["branch"].pk)
        if expected == "accept":
            greeting = await socket.receive()
            assert (greeting["type"], greeting["branch_id"]) == ("connection_established", str(world["branch"].pk))
        else:
            # Accepted, then closed at once with the code (as the seed's clients expect).
            assert await socket.closed_with() == int(expected)
        return
    if kind == "station=T":
        socket = await ws(PATHS[stream], token, station=world["station"].pk)
        if expected == "accept":
            assert (await socket.receive())["type"] == "connection_established"
        else:
            assert await socket.closed_with() == int(expected)
        return
    change = kitchen_changes if stream == "kitchen" else changes
    watched = "table"
    if kind.startswith("zone "):
        change, watched, kind = zone_changes, "zone", kind.removeprefix("zone ")
    if kind == "since=0":
        await db(change)(world)
        socket = await ws(PATHS[stream], token, since=0)
    else:
        socket = await ws(PATHS[stream], token)
        assert (await socket.receive())["type"] == "connection_established"
        await db(change)(world)
    assert await seen_before_sentinel(socket, world, stream, watched) == (expected == "yes")
