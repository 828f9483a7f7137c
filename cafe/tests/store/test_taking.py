"""Stock taken by every sale (``cafe.store.taking``, through the order kernel):
recipes exploded through made-to-order semi-finished goods, modifiers, cooking
loss; the stop-list following stock; voids giving back what was never started."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.tenancy import tenant_for
from cafe.menu.events import menu_item_updated
from cafe.menu.models import MenuItem, MenuItemBranch
from cafe.menu.selectors import menu_item_views
from cafe.menu.stock import StockShort
from cafe.orders.models import KitchenTask, OrderItem, TaskStatus
from cafe.orders.services import order_create, order_line_update, order_line_void
from cafe.orders.split import order_split
from cafe.store.models import EffectAction, MovementKind, RecipeLine, StockLevel, StockMovement, StockSettings
from cafe.tests.factories import (
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    logged_messages,
)
from cafe.tests.store.conftest import buy, recipe

pytestmark = pytest.mark.django_db


def create(user, table, *lines):
    return order_create(tenant=tenant_for(user), table=table.pk, guests=1, items=list(lines))


def line(item, quantity=1, **fields):
    return {"menu_item": item.pk, "quantity": quantity, **fields}


def on_hand(branch, ingredient):
    return StockLevel.unscoped.get(branch=branch, ingredient=ingredient).on_hand


def remaining(branch, item):
    return MenuItemBranch.unscoped.get(branch=branch, menu_item=item).remaining


def ledger(branch, ingredient):
    return StockMovement.unscoped.filter(branch=branch, ingredient=ingredient).aggregate(s=Sum("quantity"))["s"]


def test_a_recipe_turns_tracking_on_and_remaining_shows_the_portions_the_stock_allows(
    owner, branch, pizza, cheese, dough
):
    assert MenuItem.unscoped.get(pk=pizza.pk).stock_tracked
    assert remaining(branch, pizza) == 0
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)  # 10 kg: 40 portions of 0.25 kg
    assert remaining(branch, pizza) == 10


def test_a_sale_takes_the_recipe_with_its_cooking_loss_and_records_the_line(
    owner, waiter, branch, table, pizza, cheese, dough
):
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 3))
    row = order.items.get()
    assert row.stock_taken
    assert on_hand(branch, cheese) == Decimal(700)
    assert on_hand(branch, dough) == Decimal("9.250")  # 3 × 0.2 kg / 0.8
    sales = StockMovement.unscoped.filter(order_line_id=row.pk, kind=MovementKind.SALE)
    assert sorted((m.quantity, m.portions, m.unit_cost) for m in sales) == [
        (Decimal("-300.000"), 3, Decimal("1.0000")),
        (Decimal("-0.750"), 3, Decimal("1.0000")),
    ]
    assert on_hand(branch, cheese) == ledger(branch, cheese)
    assert remaining(branch, pizza) == 7
    updated = [m for m in logged_messages(branch.company) if m["type"] == "menu_item_updated"]
    assert updated[-1]["data"]["menu_item"]["remaining"] == 7


@pytest.mark.parametrize("own", [False, True])
def test_a_sales_menu_item_updated_is_what_reading_the_item_again_builds(
    owner, waiter, branch, table, pizza, cheese, dough, own
):
    """The sale's ``menu_item_updated`` is built from the item read with the menu and
    its stop-list row as the storeroom locked and wrote it, without reading them
    again: the payload reading them again builds (a station in the branch, modifier
    groups with and without modifiers; a dish outside the order using the same
    cheese is read for its own event)."""
    station = StationFactory(branch=branch, name="Oven")
    if own:  # the branch's own dish: station and remaining on its row
        MenuItem.unscoped.filter(pk=pizza.pk).update(branch=branch, station=station)
    else:  # company-wide: on its branch row
        MenuItemBranch.unscoped.update_or_create(
            company=branch.company, branch=branch, menu_item=pizza, defaults={"station": station}
        )
    size = ModifierGroupFactory(menu_item=pizza, name="Size", required=True, position=1)
    large = ModifierFactory(group=size, name="Large", price=Decimal("120.00"), position=2)
    ModifierFactory(group=size, name="Small", position=1)
    ModifierGroupFactory(menu_item=pizza, name="Extras", max_choices=3)
    toast = MenuItemFactory(category__company=branch.company, title="Toast")
    recipe(owner, (cheese, "50", "g", "0"), item=toast)
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    before = len(logged_messages(branch.company))
    create(waiter, table, line(pizza, 2, modifiers=[large.pk]))
    sent = [m["data"] for m in logged_messages(branch.company)[before:] if m["type"] == "menu_item_updated"]
    again = menu_item_updated(
        menu_item_views(tenant=tenant_for(owner), item_ids=[pizza.pk, toast.pk], branch_id=branch.pk)
    )
    assert sent == [event.data for event in again]
    by_id = {data["menu_item"]["id"]: data["menu_item"] for data in sent}
    assert (by_id[str(pizza.pk)]["remaining"], by_id[str(toast.pk)]["remaining"]) == (8, 16)
    assert by_id[str(pizza.pk)]["station"] == str(station.pk)
    assert [group["name"] for group in by_id[str(pizza.pk)]["modifier_groups"]] == ["Extras", "Size"]


def test_the_last_portion_sells_once_and_the_409_names_what_is_left(owner, waiter, branch, table, pizza, cheese, dough):
    buy(owner, branch, cheese, 250)
    buy(owner, branch, dough, 10)
    create(waiter, table, line(pizza, 2))
    with pytest.raises(StockShort) as caught:
        create(waiter, table, line(pizza, 2))
    assert caught.value.detail["menu_item"] == str(pizza.pk)
    assert caught.value.detail["remaining"] == 0
    assert caught.value.detail["detail"] == "Only 0 left of Pizza."
    assert caught.value.detail["ingredients"][0]["name"] == "Cheese"
    assert on_hand(branch, cheese) == Decimal(50)
    assert StockMovement.unscoped.filter(kind=MovementKind.SALE).count() == 2


def test_two_lines_sharing_an_ingredient_name_the_line_the_stock_cannot_serve(
    owner, waiter, branch, table, pizza, cheese, dough
):
    toast = MenuItemFactory(category__company=branch.company, title="Toast")
    recipe(owner, (cheese, "50", "g", "0"), item=toast)
    buy(owner, branch, cheese, 250)
    buy(owner, branch, dough, 10)
    with pytest.raises(StockShort) as caught:
        create(waiter, table, line(pizza, 2), line(toast, 2))
    assert (caught.value.detail["menu_item"], caught.value.detail["remaining"]) == (str(toast.pk), 1)


def test_negative_stock_allowed_sells_and_warns_with_stock_low(owner, waiter, branch, table, pizza, cheese, dough):
    StockSettings.objects.create(company=branch.company, branch=branch, allow_negative=True)
    buy(owner, branch, dough, 10)
    create(waiter, table, line(pizza, 1))
    assert on_hand(branch, cheese) == Decimal(-100)
    low = [m for m in logged_messages(branch.company) if m["type"] == "stock_low"]
    assert [(m["data"]["ingredient"]["name"], m["data"]["on_hand"], m["data"]["negative"]) for m in low] == [
        ("Cheese", "-100.000", True)
    ]


def test_stock_low_once_on_crossing_from_sales(owner, waiter, branch, table, pizza, cheese, dough):
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    StockLevel.unscoped.filter(branch=branch, ingredient=cheese).update(low_threshold=Decimal(750))
    for _ in range(4):
        create(waiter, table, line(pizza, 1))
    low = [m for m in logged_messages(branch.company) if m["type"] == "stock_low"]
    assert [m["data"]["on_hand"] for m in low] == ["700.000"]


def test_made_to_order_semi_finished_goods_explode_into_their_recipe(
    owner, waiter, branch, table, cheese, sauce, tomato
):
    recipe(owner, (tomato, "1", "kg", "0"), semi=sauce, output="500")  # 500 ml of sauce from 1 kg of tomatoes
    pasta = MenuItemFactory(category__company=branch.company, title="Pasta")
    recipe(owner, (sauce, "100", "ml", "0"), (cheese, "20", "g", "0"), item=pasta)
    buy(owner, branch, tomato, 2)
    buy(owner, branch, cheese, 1000)
    assert remaining(branch, pasta) == 10
    create(waiter, table, line(pasta, 2))
    assert on_hand(branch, tomato) == Decimal("1.600")
    assert not StockLevel.unscoped.filter(ingredient=sauce).exists()
    assert remaining(branch, pasta) == 8


def test_modifiers_add_remove_and_replace_ingredients(owner, waiter, branch, table, cheese, dough, tomato):
    item = MenuItemFactory(category__company=branch.company, title="Pizza")
    group = ModifierGroupFactory(menu_item=item, name="Extras", max_choices=3)
    more, without, swap = (ModifierFactory(group=group, name=name) for name in ("more cheese", "no dough", "tomato"))
    recipe(
        owner,
        (cheese, "100", "g", "0"),
        (dough, "200", "g", "0"),
        item=item,
        effects=[
            {
                "modifier": more.pk,
                "action": EffectAction.ADD,
                "ingredient": cheese.pk,
                "quantity": Decimal(50),
                "unit": "g",
            },
            {"modifier": without.pk, "action": EffectAction.REMOVE, "ingredient": dough.pk},
            {"modifier": swap.pk, "action": EffectAction.REPLACE, "ingredient": cheese.pk, "replacement": tomato.pk},
        ],
    )
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    buy(owner, branch, tomato, 10)
    create(waiter, table, line(item, 2, modifiers=[more.pk, without.pk]))
    assert (on_hand(branch, cheese), on_hand(branch, dough)) == (Decimal(700), Decimal(10))
    create(waiter, table, line(item, 1, modifiers=[swap.pk]))
    assert (on_hand(branch, cheese), on_hand(branch, dough), on_hand(branch, tomato)) == (
        Decimal(700),
        Decimal("9.800"),
        Decimal("9.900"),
    )


def test_a_branch_recipe_overrides_the_companys(owner, waiter, branch, table, pizza, cheese, dough):
    recipe(owner, (cheese, "30", "g", "0"), item=pizza, branch=branch)
    buy(owner, branch, cheese, 300)
    assert remaining(branch, pizza) == 10
    create(waiter, table, line(pizza, 1))
    assert on_hand(branch, cheese) == Decimal(270)
    assert not StockLevel.unscoped.filter(ingredient=dough).exists()


def _cooked_pizza(owner, branch, pizza):
    MenuItemBranch.unscoped.filter(branch=branch, menu_item=pizza).update(station=StationFactory(branch=branch))


def test_a_void_gives_back_what_the_kitchen_never_started(owner, waiter, branch, table, pizza, cheese, dough):
    _cooked_pizza(owner, branch, pizza)
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 3))
    row = order.items.get()
    first = KitchenTask.unscoped.filter(line=row).order_by("portion").first()
    KitchenTask.unscoped.filter(pk=first.pk).update(status=TaskStatus.IN_PROGRESS)
    manager = owner  # only a manager changes a line the kitchen started
    order_line_void(tenant=tenant_for(manager), order_id=order.pk, line_id=row.pk, reason="guest left")
    assert on_hand(branch, cheese) == Decimal(900)  # two unstarted portions back, the cooking one stays taken
    assert on_hand(branch, cheese) == ledger(branch, cheese)
    voids = StockMovement.unscoped.filter(order_line_id=row.pk, kind=MovementKind.VOID)
    assert sorted((m.quantity, m.portions) for m in voids) == [(Decimal("0.500"), 2), (Decimal("200.000"), 2)]


def test_a_void_before_the_kitchen_started_gives_everything_back(owner, waiter, branch, table, pizza, cheese, dough):
    _cooked_pizza(owner, branch, pizza)
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 3))
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=order.items.get().pk, reason="mistake")
    assert (on_hand(branch, cheese), on_hand(branch, dough)) == (Decimal(1000), Decimal(10))
    assert remaining(branch, pizza) == 10


def test_a_void_returns_what_the_sale_took_though_the_recipe_changed(
    owner, waiter, branch, table, pizza, cheese, dough
):
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 2))
    RecipeLine.unscoped.filter(ingredient=cheese).update(quantity=Decimal(10))
    row = order.items.get()
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, quantity=1)
    assert on_hand(branch, cheese) == Decimal(900)
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, reason="mistake")
    assert on_hand(branch, cheese) == Decimal(1000)
    assert on_hand(branch, dough) == Decimal(10)


def test_a_line_raised_takes_more_with_its_modifiers(owner, waiter, branch, table, pizza, cheese, dough):
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 1))
    row = order.items.get()
    order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, quantity=3)
    assert on_hand(branch, cheese) == Decimal(700)
    with pytest.raises(StockShort):
        order_line_update(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, quantity=20)
    assert on_hand(branch, cheese) == Decimal(700)


def test_items_without_recipes_keep_the_counted_stop_list(owner, waiter, branch, table, pizza, cheese, dough):
    counted = MenuItemFactory(category__company=branch.company, branch=branch, remaining=2)
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(counted, 2), line(pizza, 1))
    assert MenuItem.unscoped.get(pk=counted.pk).remaining == 0
    assert not OrderItem.unscoped.get(order=order, menu_item=counted).stock_taken
    with pytest.raises(StockShort):
        create(waiter, table, line(counted, 1))


def test_a_line_split_off_gives_back_from_what_its_original_took(owner, waiter, branch, table, pizza, cheese, dough):
    buy(owner, branch, cheese, 1000)
    buy(owner, branch, dough, 10)
    order = create(waiter, table, line(pizza, 3))
    row = order.items.get()
    _source, new = order_split(tenant=tenant_for(waiter), order_id=order.pk, lines=[{"line": row.pk, "quantity": 1}])
    part = new.items.get()
    assert part.stock_taken
    order_line_void(tenant=tenant_for(waiter), order_id=new.pk, line_id=part.pk, reason="mistake")
    assert on_hand(branch, cheese) == Decimal(800)
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=row.pk, reason="mistake")
    assert (on_hand(branch, cheese), on_hand(branch, dough)) == (Decimal(1000), Decimal(10))
    assert remaining(branch, pizza) == 10


def test_a_tracked_dishs_remaining_is_not_a_count_to_set(owner, branch, pizza):
    from rest_framework.exceptions import ValidationError

    from cafe.menu.services import menu_item_branch_set

    with pytest.raises(ValidationError) as caught:
        menu_item_branch_set(tenant=tenant_for(owner), menu_item_id=pizza.pk, branch=branch.pk, remaining=5)
    assert caught.value.detail == {"remaining": ["This dish has a recipe: its remaining portions follow the stock."]}
