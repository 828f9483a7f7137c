"""Items sold by weight (docs/weighed.md): a portion's weight in kg or grams at the
item's price of a kilogram, through orders, the bill, refunds, splits, the kitchen
and the reports."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cafe.models import KitchenTask, Order, OrderItem, OrderItemEdit
from cafe.tests.factories import (
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    open_shift,
    owner_of,
    paid,
    staff_of,
    station_dish,
)

pytestmark = pytest.mark.django_db

PLAIN = "Send a plain number: digits 0-9 and at most three decimal places, such as 0.350."


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch)


@pytest.fixture
def hot(branch):
    return StationFactory(branch=branch, name="Hot kitchen")


@pytest.fixture
def salmon(hot):
    """Grilled salmon at 1290.00 a kilogram, cooked at the hot station."""
    return station_dish(hot, title="Salmon", price=Decimal("1290.00"), sold_by="weight")


@pytest.fixture
def tea(branch):
    return MenuItemFactory(category__company=branch.company, branch=branch, title="Tea", price=Decimal("100.00"))


@pytest.fixture
def manager(branch):
    return staff_of(branch, "manager")


def _order(client_for, user, table, *items):
    response = client_for(user).post(
        "/api/cafe/orders/", {"table": str(table.pk), "guests": 2, "items": list(items)}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_manager_sells_an_item_by_weight(client_for, manager, branch):
    category = MenuItemFactory(category__company=branch.company, branch=branch).category
    response = client_for(manager).post(
        "/api/cafe/menu-items/",
        {"category": str(category.pk), "title": "Olives", "price": "890.00", "sold_by": "weight"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sold_by"] == "weight"
    item = response.json()["id"]
    bad = client_for(manager).patch(f"/api/cafe/menu-items/{item}/", {"sold_by": "litre"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["sold_by"]
    back = client_for(manager).patch(f"/api/cafe/menu-items/{item}/", {"sold_by": "portion"}, format="json")
    assert back.json()["sold_by"] == "portion"


def test_a_weighed_line_costs_its_weight_at_the_price_of_a_kilogram(client_for, waiter, table, salmon, tea):
    body = _order(
        client_for,
        waiter,
        table,
        {"menu_item": str(salmon.pk), "weight": "0.350", "quantity": 2},
        {"menu_item": str(salmon.pk), "grams": 275},  # quantity 1 when left out
        {"menu_item": str(tea.pk), "quantity": 1},
    )
    lines = body["items"]
    assert [
        (line["price"], line["quantity"], line["weight"], line["price_per_kg"], line["total"]) for line in lines
    ] == [
        ("451.50", 2, "0.350", "1290.00", "903.00"),  # 0.350 × 1290.00
        ("354.75", 1, "0.275", "1290.00", "354.75"),  # 0.275 × 1290.00
        ("100.00", 1, None, None, "100.00"),
    ]
    assert body["money"]["subtotal"] == body["total"] == "1357.75"


def test_a_portions_price_is_rounded_half_up_to_the_cent(client_for, waiter, table, branch, hot):
    cheese = station_dish(hot, title="Cheese", price=Decimal("99.99"), sold_by="weight")
    odd = station_dish(hot, title="Odd", price=Decimal("0.10"), sold_by="weight")
    body = _order(
        client_for,
        waiter,
        table,
        {"menu_item": str(cheese.pk), "weight": "0.333"},  # 33.29667 → 33.30
        {"menu_item": str(odd.pk), "grams": 50},  # 0.005 → 0.01
    )
    assert [line["price"] for line in body["items"]] == ["33.30", "0.01"]
    assert body["total"] == "33.31"


def test_modifiers_add_to_each_weighed_portion(client_for, waiter, table, salmon):
    from cafe.tests.factories import ModifierFactory

    sauce = ModifierFactory(group__menu_item=salmon, group__name="Sauce", name="Tartar", price=Decimal("60.00"))
    body = _order(
        client_for, waiter, table, {"menu_item": str(salmon.pk), "weight": "0.200", "modifiers": [str(sauce.pk)]}
    )
    assert body["items"][0]["price"] == "318.00"  # 0.200 × 1290.00 + 60.00


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": 1}, "weight", "This menu item is sold by weight: give a portion's weight (kg) or grams."),
        ({"weight": "0"}, "weight", "Ensure this value is greater than or equal to 0.001."),
        ({"weight": "-1"}, "weight", "Ensure this value is greater than or equal to 0.001."),
        ({"weight": "0.0005"}, "weight", "Ensure that there are no more than 3 decimal places."),
        ({"weight": "50.001"}, "weight", "Ensure this value is less than or equal to 50.000."),
        ({"weight": "1e-1"}, "weight", PLAIN),
        ({"weight": " 0.350"}, "weight", PLAIN),
        ({"weight": True}, "weight", PLAIN),
        ({"grams": 0}, "grams", "Ensure this value is greater than or equal to 1."),
        ({"grams": 50001}, "grams", "Ensure this value is less than or equal to 50000."),
        ({"grams": "1.5"}, "grams", "A valid integer is required."),
        ({"grams": 100, "weight": "0.100"}, "grams", "Give the weight in kg or in grams, not both."),
    ],
)
def test_a_bad_weight_is_a_400_naming_the_field(client_for, waiter, table, salmon, line, field, message):
    response = client_for(waiter).post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(salmon.pk), **line}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"items": {"0": {field: [message]}}}
    assert not OrderItem.unscoped.exists()


def test_an_item_sold_by_the_portion_takes_no_weight(client_for, waiter, table, tea):
    response = client_for(waiter).post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(tea.pk), "grams": 200}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"items": {"0": {"weight": ["Позиция продаётся порциями; вес для неё не указывают."]}}}


def test_reweighing_a_line_prices_it_anew_and_is_recorded(client_for, waiter, table, salmon, tea):
    order = _order(client_for, waiter, table, {"menu_item": str(salmon.pk), "weight": "0.300", "quantity": 2})
    line = order["items"][0]["id"]
    api = client_for(waiter)
    url = f"/api/cafe/orders/{order['id']}/lines/{line}/"
    response = api.patch(url, {"grams": 420, "reason": "weighed"}, format="json", HTTP_IDEMPOTENCY_KEY="w1")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["items"][0]["weight"], body["items"][0]["price"], body["total"]) == ("0.420", "541.80", "1083.60")
    edit = OrderItemEdit.unscoped.get(line=line)
    assert (edit.weight_before, edit.weight_after, edit.reason) == (Decimal("0.300"), Decimal("0.420"), "weighed")
    # The kitchen hears each live portion's new weight.
    tasks = [m["data"]["task"] for m in logged_messages(table.company) if m["type"] == "kitchen_task_updated"]
    assert [(task["portion"], task["weight"]) for task in tasks] == [(1, "0.420"), (2, "0.420")]
    # A line sold by the portion takes no weight.
    other = _order(client_for, waiter, table, {"menu_item": str(tea.pk), "quantity": 1})
    refused = api.patch(
        f"/api/cafe/orders/{other['id']}/lines/{other['items'][0]['id']}/", {"weight": "0.100"}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["weight"]
    bad = api.patch(url, {"weight": "0.1234"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["weight"]


def test_the_kitchen_sees_each_portions_weight(client_for, waiter, table, salmon, hot):
    cook = staff_of(table.branch, "cook")
    _order(client_for, waiter, table, {"menu_item": str(salmon.pk), "weight": "0.350", "quantity": 2})
    listed = client_for(cook).get("/api/cafe/kitchen/tasks/").json()["results"]
    assert [(task["title"], task["portion"], task["quantity"], task["weight"]) for task in listed] == [
        ("Salmon", 1, 2, "0.350"),
        ("Salmon", 2, 2, "0.350"),
    ]
    assert KitchenTask.unscoped.count() == 2


def test_void_discount_and_service_charge_on_a_weighed_line(client_for, waiter, manager, table, salmon, tea):
    branch = table.branch
    branch.service_charge_percent = Decimal("10.00")
    branch.save()
    order = _order(
        client_for,
        waiter,
        table,
        {"menu_item": str(salmon.pk), "weight": "0.333"},  # 429.57
        {"menu_item": str(tea.pk), "quantity": 1},
    )
    salmon_line, tea_line = (line["id"] for line in order["items"])
    api = client_for(manager)
    discounted = api.post(
        f"/api/cafe/orders/{order['id']}/lines/{salmon_line}/discount/",
        {"kind": "percent", "value": "15", "reason": "regular"},
        format="json",
    )
    assert discounted.status_code == 200, discounted.json()
    money = discounted.json()["money"]
    # 429.57 − round(64.4355) = 365.13; + 100.00 = 465.13; service round(46.513) = 46.51.
    assert (discounted.json()["items"][0]["total"], money["subtotal"], money["service_charge"], money["total"]) == (
        "365.13",
        "465.13",
        "46.51",
        "511.64",
    )
    voided = api.post(f"/api/cafe/orders/{order['id']}/lines/{salmon_line}/void/", {"reason": "dropped"}, format="json")
    assert voided.status_code == 200, voided.json()
    assert voided.json()["total"] == "110.00"
    assert tea_line


def test_split_and_refund_move_whole_weighed_portions(client_for, waiter, manager, table, salmon):
    order = _order(client_for, waiter, table, {"menu_item": str(salmon.pk), "weight": "0.250", "quantity": 3})
    line = order["items"][0]["id"]
    split = client_for(waiter).post(
        f"/api/cafe/orders/{order['id']}/split/", {"lines": [{"line": line, "quantity": 1}]}, format="json"
    )
    assert split.status_code == 201, split.json()
    new = split.json()["new_order"]
    assert [(row["quantity"], row["weight"], row["price_per_kg"], row["total"]) for row in new["items"]] == [
        (1, "0.250", "1290.00", "322.50")
    ]
    assert split.json()["order"]["total"] == "645.00"
    open_shift(table.branch)
    paid_order = paid(Order.unscoped.get(pk=order["id"]), "card")
    refund = client_for(manager).post(
        f"/api/cafe/orders/{paid_order.pk}/refund/",
        {"method": "card", "reason": "Cold", "lines": [{"line": line, "quantity": 1}]},
        format="json",
    )
    assert refund.status_code == 201, refund.json()
    assert refund.json()["refunds"][0]["amount"] == "322.50"


def test_reports_count_kilograms_sold_and_the_revenue(client_for, waiter, table, salmon, tea):
    owner = owner_of(table.company)
    order = _order(
        client_for,
        waiter,
        table,
        {"menu_item": str(salmon.pk), "weight": "0.350", "quantity": 2},
        {"menu_item": str(salmon.pk), "grams": 275},
        {"menu_item": str(tea.pk), "quantity": 2},
    )
    open_shift(table.branch)
    paid(Order.unscoped.get(pk=order["id"]), "cash")
    today = timezone.localdate(timezone=datetime.UTC)
    days = {"from": str(today - datetime.timedelta(days=1)), "to": str(today + datetime.timedelta(days=1))}
    report = client_for(owner).get("/api/cafe/reports/range/", days).json()
    assert report["totals"]["summary"]["revenue"] == "1457.75"
    assert [(row["name"], row["quantity"], row["weight"], row["revenue"]) for row in report["totals"]["top_items"]] == [
        ("Salmon", 3, "0.975", "1257.75"),
        ("Tea", 2, None, "200.00"),
    ]
    csv = client_for(owner).get("/api/cafe/reports/range/", {**days, "format": "csv"}).content.decode()
    assert f"all,1,{salmon.pk},Salmon,3,1257.75,0.975" in csv.splitlines()
    assert f"all,2,{tea.pk},Tea,2,200.00," in csv.splitlines()


def test_a_weighed_line_takes_its_recipe_times_its_weight_from_stock(client_for, waiter, table, salmon):
    from django.db import transaction

    from accounts.tenancy import tenant_for
    from cafe.store.models import Ingredient, MovementKind, StockLevel
    from cafe.store.posting import Move, stock_post
    from cafe.store.services import recipe_create

    owner = tenant_for(owner_of(table.company))
    fish = Ingredient.objects.create(company=table.company, name="Salmon fillet", unit="g")
    # The recipe of an item sold by weight is written for one kilogram (10 % trimmed off).
    recipe_create(
        tenant=owner,
        menu_item=salmon.pk,
        lines=[{"ingredient": fish.pk, "quantity": Decimal(1000), "unit": "g", "loss_percent": Decimal(10)}],
    )
    with transaction.atomic():
        stock_post(
            tenant=owner,
            branch_id=table.branch_id,
            moves=[Move(fish.pk, MovementKind.PURCHASE, Decimal(5000), unit_cost=Decimal("1.20"))],
        )
    order = _order(client_for, waiter, table, {"menu_item": str(salmon.pk), "weight": "0.360", "quantity": 2})
    level = StockLevel.unscoped.get(branch=table.branch_id, ingredient=fish)
    assert level.on_hand == Decimal(5000) - Decimal(800)  # 2 × 0.360 kg × 1000 g / 0.9
    line = order["items"][0]["id"]
    voided = client_for(waiter).post(
        f"/api/cafe/orders/{order['id']}/lines/{line}/void/", {"reason": "x"}, format="json"
    )
    assert voided.status_code == 200, voided.json()
    level.refresh_from_db()
    assert level.on_hand == Decimal(5000)
