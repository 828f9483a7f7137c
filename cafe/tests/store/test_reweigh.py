"""Re-weighing a weighed line (docs/weighed.md, "Stock"): a line that took
ingredients takes the difference for every portion on it (heavier) or gives it back
(lighter), in the edit's transaction, so that a later void gives back exactly what
the line holds."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.tenancy import tenant_for
from cafe.menu.models import MenuItem, MenuItemBranch
from cafe.orders.models import KitchenTask, OrderItemEdit, TaskStatus
from cafe.orders.services import order_create, order_line_update, order_line_void
from cafe.orders.split import order_split
from cafe.store.models import MovementKind, RecipeLine, StockLevel, StockMovement, StockSettings
from cafe.tests.factories import MenuItemFactory, StationFactory, logged_messages
from cafe.tests.store.conftest import buy, recipe

pytestmark = pytest.mark.django_db


@pytest.fixture
def salad(owner, branch, cheese, tomato):
    """Sold by weight at 1000.00 a kilogram; its recipe is a kilogram's: 500 g of
    cheese, 0.5 kg of tomatoes."""
    item = MenuItemFactory(category__company=branch.company, title="Salad", price=Decimal("1000.00"), sold_by="weight")
    recipe(owner, (cheese, "500", "g", "0"), (tomato, "0.5", "kg", "0"), item=item)
    return item


@pytest.fixture
def stocked(owner, branch, salad, cheese, tomato):
    buy(owner, branch, cheese, 1500, cost="2.00")
    buy(owner, branch, tomato, 10, cost="100.00")


def weighed(user, table, item, quantity, weight):
    order = order_create(
        tenant=tenant_for(user),
        table=table.pk,
        guests=1,
        items=[{"menu_item": item.pk, "quantity": quantity, "weight": Decimal(weight)}],
    )
    return order, order.items.get()


def reweigh(user, order, row, weight, **fields):
    return order_line_update(
        tenant=tenant_for(user), order_id=order.pk, line_id=row.pk, weight=Decimal(weight), **fields
    )


def on_hand(branch, ingredient):
    return StockLevel.unscoped.get(branch=branch, ingredient=ingredient).on_hand


def remaining(branch, item):
    return MenuItemBranch.unscoped.get(branch=branch, menu_item=item).remaining


def held(row, ingredient):
    """What the line's movements took of the ingredient, less what they gave back (positive: taken)."""
    moved = StockMovement.unscoped.filter(order_line_id=row.pk, ingredient=ingredient).aggregate(s=Sum("quantity"))
    return -Decimal(moved["s"] or 0).quantize(Decimal("0.001"))  # SQLite sums decimals as floats


def test_heavier_takes_the_difference_for_every_portion_on_the_line(
    waiter, branch, table, salad, stocked, cheese, tomato
):
    order, row = weighed(waiter, table, salad, 2, "0.300")
    assert (on_hand(branch, cheese), on_hand(branch, tomato)) == (Decimal(1200), Decimal("9.700"))
    assert remaining(branch, salad) == 2
    reweigh(waiter, order, row, "0.600")
    assert (on_hand(branch, cheese), on_hand(branch, tomato)) == (Decimal(900), Decimal("9.400"))
    moves = StockMovement.unscoped.filter(order_line_id=row.pk)
    assert [
        (m.kind, m.quantity, m.portions, m.unit_cost, m.note)
        for m in sorted(moves, key=lambda m: (m.portions is None, m.unit_cost))
    ] == [
        (MovementKind.SALE, Decimal(-300), 2, Decimal(2), ""),
        (MovementKind.SALE, Decimal("-0.300"), 2, Decimal(100), ""),
        (MovementKind.SALE, Decimal(-300), None, Decimal(2), "0.300 → 0.600 kg"),
        (MovementKind.SALE, Decimal("-0.300"), None, Decimal(100), "0.300 → 0.600 kg"),
    ]
    row.refresh_from_db()
    assert (row.weight, row.price) == (Decimal("0.600"), Decimal("600.00"))
    # The stop-list follows, as for a sale: 900 g of cheese is one kilogram's recipe.
    assert remaining(branch, salad) == 1
    updated = [m for m in logged_messages(branch.company) if m["type"] == "menu_item_updated"]
    assert updated[-1]["data"]["menu_item"]["remaining"] == 1
    assert (
        StockLevel.unscoped.get(branch=branch, ingredient=cheese).on_hand
        == StockMovement.unscoped.filter(branch=branch, ingredient=cheese).aggregate(s=Sum("quantity"))["s"]
    )


def test_lighter_gives_the_difference_back_at_the_cost_it_left(
    owner, waiter, branch, table, salad, stocked, cheese, tomato
):
    order, row = weighed(waiter, table, salad, 2, "0.300")
    buy(owner, branch, cheese, 300, cost="5.00")  # the average moves: 1200 g at 2.00 and 300 g at 5.00
    assert StockLevel.unscoped.get(branch=branch, ingredient=cheese).avg_cost == Decimal("2.6000")
    reweigh(waiter, order, row, "0.250")
    assert (on_hand(branch, cheese), on_hand(branch, tomato)) == (Decimal(1550), Decimal("9.750"))
    back = StockMovement.unscoped.get(order_line_id=row.pk, ingredient=cheese, kind=MovementKind.VOID)
    # What left at 2.00 comes back at 2.00.
    assert (back.quantity, back.portions, back.unit_cost, back.note) == (
        Decimal(50),
        None,
        Decimal(2),
        "0.300 → 0.250 kg",
    )
    assert held(row, cheese) == Decimal(250)
    assert held(row, tomato) == Decimal("0.250")


def test_after_reweighing_voids_give_back_exactly_what_the_line_holds(
    waiter, branch, table, salad, stocked, cheese, tomato
):
    order, row = weighed(waiter, table, salad, 3, "0.300")
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, quantity=2)
    assert held(row, cheese) == Decimal(300)
    reweigh(waiter, order, row, "0.450")
    assert held(row, cheese) == Decimal(450)  # two portions of 0.450 kg at 500 g a kilogram
    # One portion less gives back a portion at its new weight, not the sale's average.
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, quantity=1)
    assert held(row, cheese) == Decimal(225)
    reweigh(waiter, order, row, "0.200")
    assert held(row, cheese) == Decimal(100)
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, reason="mistake")
    assert (held(row, cheese), held(row, tomato)) == (0, 0)
    assert (on_hand(branch, cheese), on_hand(branch, tomato)) == (Decimal(1500), Decimal(10))
    assert remaining(branch, salad) == 3


def test_a_started_portion_is_reweighed_too_and_stays_taken_at_its_new_weight(
    owner, waiter, branch, table, salad, stocked, cheese
):
    MenuItemBranch.unscoped.filter(branch=branch, menu_item=salad).update(station=StationFactory(branch=branch))
    order, row = weighed(waiter, table, salad, 2, "0.300")
    first = KitchenTask.unscoped.filter(line=row).order_by("portion").first()
    KitchenTask.unscoped.filter(pk=first.pk).update(status=TaskStatus.IN_PROGRESS)
    reweigh(owner, order, row, "0.400")  # only a manager changes a line the kitchen started
    assert held(row, cheese) == Decimal(400)
    order_line_void(tenant=tenant_for(owner), order_id=order.pk, line_id=row.pk, reason="guest left")
    assert held(row, cheese) == Decimal(200)  # the started portion, at 0.400 kg
    assert on_hand(branch, cheese) == Decimal(1300)


def test_reweighing_scales_what_the_line_took_though_the_recipe_changed(waiter, branch, table, salad, stocked, cheese):
    order, row = weighed(waiter, table, salad, 1, "0.400")
    RecipeLine.unscoped.filter(ingredient=cheese).update(quantity=Decimal(100))
    reweigh(waiter, order, row, "0.600")
    assert held(row, cheese) == Decimal(300)  # the line's 500 g a kilogram, as sold
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, reason="mistake")
    assert on_hand(branch, cheese) == Decimal(1500)


def test_heavier_than_the_stock_is_a_409_naming_what_is_left_and_changes_nothing(
    client_for, waiter, branch, table, salad, stocked, cheese, tomato
):
    order, row = weighed(waiter, table, salad, 2, "0.500")
    assert (on_hand(branch, cheese), remaining(branch, salad)) == (Decimal(1000), 2)
    moves = StockMovement.unscoped.count()
    response = client_for(waiter).patch(
        f"/api/cafe/orders/{order.pk}/lines/{row.pk}/",
        {"weight": "1.600", "reason": "weighed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409, response.json()
    # As a sale's shortage: the dish, the kilograms of its recipe left, the ingredients short.
    assert response.json() == {
        "detail": "Only 2 left of Salad.",
        "menu_item": str(salad.pk),
        "remaining": 2,
        "ingredients": [
            {
                "ingredient": str(cheese.pk),
                "name": "Cheese",
                "unit": "g",
                "on_hand": "1000.000",
                "wanted": "1100.000",
            }
        ],
    }
    row.refresh_from_db()
    assert (row.weight, row.price) == (Decimal("0.500"), Decimal("500.00"))
    assert (on_hand(branch, cheese), on_hand(branch, tomato)) == (Decimal(1000), Decimal("9.500"))
    assert StockMovement.unscoped.count() == moves
    assert not OrderItemEdit.unscoped.filter(line=row).exists()
    assert remaining(branch, salad) == 2


def test_heavier_than_the_stock_where_negative_stock_is_allowed_warns(waiter, branch, table, salad, stocked, cheese):
    StockSettings.objects.create(company=branch.company, branch=branch, allow_negative=True)
    order, row = weighed(waiter, table, salad, 2, "0.500")
    reweigh(waiter, order, row, "1.700")
    assert on_hand(branch, cheese) == Decimal(-200)
    low = [m for m in logged_messages(branch.company) if m["type"] == "stock_low"]
    assert [(m["data"]["ingredient"]["name"], m["data"]["on_hand"], m["data"]["negative"]) for m in low] == [
        ("Cheese", "-200.000", True)
    ]
    assert remaining(branch, salad) == 0


def test_a_line_split_off_reweighs_what_its_original_took(waiter, branch, table, salad, stocked, cheese):
    order, row = weighed(waiter, table, salad, 2, "0.300")
    _source, new = order_split(tenant=tenant_for(waiter), order_id=order.pk, lines=[{"line": row.pk, "quantity": 1}])
    part = new.items.get()
    reweigh(waiter, new, part, "0.500")
    assert held(row, cheese) == Decimal(400)  # the original's movements: 150 g and 250 g
    order_line_void(tenant=tenant_for(waiter), order_id=new.pk, line_id=part.pk, reason="mistake")
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, reason="mistake")
    assert held(row, cheese) == 0
    assert on_hand(branch, cheese) == Decimal(1500)


def test_a_weighed_line_without_a_recipe_changes_only_its_price(waiter, branch, table):
    counted = MenuItemFactory(
        category__company=branch.company,
        branch=branch,
        title="Olives",
        price=Decimal("800.00"),
        sold_by="weight",
        remaining=5,
    )
    order, row = weighed(waiter, table, counted, 2, "0.100")
    assert not row.stock_taken
    assert MenuItem.unscoped.get(pk=counted.pk).remaining == 3
    before = len(logged_messages(branch.company))
    reweigh(waiter, order, row, "0.250")
    row.refresh_from_db()
    assert (row.weight, row.price, row.quantity) == (Decimal("0.250"), Decimal("200.00"), 2)
    assert MenuItem.unscoped.get(pk=counted.pk).remaining == 3
    assert not StockMovement.unscoped.exists()
    assert [m["type"] for m in logged_messages(branch.company)[before:]] == ["order_updated"]
