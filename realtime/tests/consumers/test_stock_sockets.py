"""The stop-list following stock on real sockets: a sale that takes the last of an
ingredient sends ``menu_item_updated`` (remaining 0) and ``stock_low`` to the
orders and kitchen sockets of the branch at once, and nothing to another branch's."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.store.models import Ingredient, MovementKind, StockLevel
from cafe.store.posting import Move, stock_post
from cafe.store.services import recipe_create
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
    staff_of,
)
from realtime.tests.consumers.conftest import ORDERS, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)

KITCHEN = "/ws/cafe/kitchen/"


def make_world():
    branch = BranchFactory()
    owner = owner_of(branch.company)
    cheese = Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")
    pizza = MenuItemFactory(category=CategoryFactory(company=branch.company), branch=branch, title="Pizza")
    recipe_create(
        tenant=tenant_for(owner),
        menu_item=pizza.pk,
        lines=[{"ingredient": cheese.pk, "quantity": Decimal(100), "unit": "g"}],
    )
    with transaction.atomic():
        stock_post(
            tenant=tenant_for(owner),
            branch_id=branch.pk,
            moves=[Move(cheese.pk, MovementKind.PURCHASE, Decimal(150), unit_cost=Decimal(1))],
        )
    StockLevel.unscoped.filter(ingredient=cheese).update(low_threshold=Decimal(60))
    other = BranchFactory(company=branch.company)
    return {
        "branch": branch,
        "pizza": pizza,
        "waiter": staff_of(branch),
        "cook": staff_of(branch, Role.COOK),
        "other_waiter": staff_of(other),
        "table": TableFactory(branch=branch, number=3),
    }


async def listen(ws, path, user):
    socket = await ws(path, access_token(user))
    assert (await socket.receive())["type"] == "connection_established"
    return socket


async def test_the_last_portion_sold_stops_the_dish_on_every_tablet(ws, transport):
    w = await db(make_world)()
    orders = await listen(ws, ORDERS, w["waiter"])
    kitchen = await listen(ws, KITCHEN, w["cook"])
    elsewhere = await listen(ws, ORDERS, w["other_waiter"])
    await transport()

    await db(order_for)(w["waiter"], w["table"], [(w["pizza"], 1)])

    got = await orders.receive_many(4)
    by_type = {event["type"]: event for event in got}
    assert set(by_type) == {"order_created", "table_status_changed", "menu_item_updated", "stock_low"}
    stop = by_type["menu_item_updated"]["data"]["menu_item"]
    assert (stop["id"], stop["remaining"]) == (str(w["pizza"].pk), 0)
    low = by_type["stock_low"]["data"]
    assert (low["ingredient"]["name"], low["on_hand"], low["low_threshold"], low["negative"]) == (
        "Cheese",
        "50.000",
        "60.000",
        False,
    )
    cooks = await kitchen.receive_many(2)
    assert {event["type"] for event in cooks} == {"menu_item_updated", "stock_low"}
    assert await kitchen.nothing()
    assert await orders.nothing(0.1)
    assert await elsewhere.nothing(0.1)
