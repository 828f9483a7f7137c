"""What dishes cost (docs/inventory.md, "Food cost"): a dish's cost from its recipe at
the average costs, cost of goods sold and gross margin in the reports, and the ABC
analysis of the menu; costs are shown to owners, admins and managers only."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tenancy import tenant_for
from cafe.models import Order, OrderItem
from cafe.purchasing.models import Supplier
from cafe.purchasing.services import document_create, document_post
from cafe.store.models import Ingredient
from cafe.store.services import recipe_create
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, owner_of, paid, staff_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate(timezone=datetime.UTC)
DAYS = {"from": str(TODAY - datetime.timedelta(days=1)), "to": str(TODAY + datetime.timedelta(days=1))}


@pytest.fixture
def world(branch):
    owner = owner_of(branch.company)
    boss = tenant_for(owner)
    cheese = Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")
    flour = Ingredient.objects.create(company=branch.company, name="Flour", unit="kg")
    menu = MenuItemFactory(category__company=branch.company, branch=branch, title="Pizza", price=Decimal("590.00"))
    pizza = menu
    category = menu.category
    tea = MenuItemFactory(category=category, branch=branch, title="Tea", price=Decimal("100.00"))
    soup = MenuItemFactory(category=category, branch=branch, title="Soup", price=Decimal("350.00"))
    bread = MenuItemFactory(category=category, branch=branch, title="Bread", price=Decimal("50.00"))
    recipe_create(
        tenant=boss,
        menu_item=pizza.pk,
        lines=[
            {"ingredient": cheese.pk, "quantity": Decimal(100), "unit": "g"},
            {"ingredient": flour.pk, "quantity": Decimal(200), "unit": "g"},
        ],
    )
    supplier = Supplier.objects.create(company=branch.company, name="Fresh Farm")
    delivery = document_create(
        tenant=boss,
        kind="purchase",
        branch=branch.pk,
        supplier=supplier.pk,
        date=TODAY,
        lines=[
            {"ingredient": cheese.pk, "quantity": Decimal(2), "unit": "kg", "price": Decimal("800.00")},
            {"ingredient": flour.pk, "quantity": Decimal(10), "unit": "kg", "price": Decimal("50.00")},
        ],
    )
    document_post(tenant=boss, kind="purchase", document_id=delivery.pk)
    return {"owner": owner, "pizza": pizza, "tea": tea, "soup": soup, "bread": bread, "cheese": cheese}


def test_a_dishs_cost_margin_and_food_cost_percent(client_for, branch, world):
    manager = staff_of(branch, "manager")
    response = client_for(manager).get("/api/cafe/reports/food-cost/")
    assert response.status_code == 200, response.json()
    # 100 g of cheese at 0.80 + 0.2 kg of flour at 50.00 = 90.00; 90 / 590 = 15.25 %.
    assert response.json() == {
        "branch": str(branch.pk),
        "items": [
            {
                "id": str(world["pizza"].pk),
                "title": "Pizza",
                "sold_by": "portion",
                "price": "590.00",
                "cost": "90.00",
                "margin": "500.00",
                "food_cost_percent": "15.25",
            }
        ],
    }
    # Owners and admins name the branch; staff below manager never see costs.
    assert client_for(world["owner"]).get("/api/cafe/reports/food-cost/").status_code == 400
    assert client_for(world["owner"]).get("/api/cafe/reports/food-cost/", {"branch": str(branch.pk)}).status_code == 200
    for role in ("waiter", "cashier", "cook"):
        assert client_for(staff_of(branch, role)).get("/api/cafe/reports/food-cost/").status_code == 403
    stranger = owner_of(BranchFactory().company)
    assert client_for(stranger).get("/api/cafe/reports/food-cost/", {"branch": str(branch.pk)}).status_code == 400


def _sell(branch, world) -> Order:
    waiter = staff_of(branch)
    order = order_for(
        waiter,
        TableFactory(branch=branch),
        [(world["pizza"], 3), (world["tea"], 10), (world["soup"], 1), (world["bread"], 1), (world["pizza"], 1)],
    )
    # The last pizza line is voided before the kitchen starts it: its stock comes back.
    from cafe.orders.services import order_line_void

    last = OrderItem.unscoped.filter(order=order, menu_item=world["pizza"], quantity=1).get()
    order_line_void(tenant=tenant_for(waiter), order_id=order.pk, line_id=last.pk, reason="changed mind")
    return paid(order, "card")


def test_the_report_gains_cost_of_goods_and_gross_margin(client_for, branch, world):
    _sell(branch, world)
    api = client_for(world["owner"])
    summary = api.get("/api/cafe/reports/range/", {**DAYS, "branch": str(branch.pk)}).json()["totals"]["summary"]
    # Revenue 3×590 + 10×100 + 350 + 50 = 3170.00; three pizzas cost 270.00 (the voided one came back).
    assert (summary["revenue"], summary["cost_of_goods"], summary["gross_margin"]) == ("3170.00", "270.00", "2900.00")
    csv = api.get("/api/cafe/reports/range/", {**DAYS, "branch": str(branch.pk), "format": "csv"}).content.decode()
    assert csv.splitlines()[3].endswith(",cost_of_goods,gross_margin")
    assert csv.splitlines()[4].endswith(",270.00,2900.00")


def test_abc_by_revenue_quantity_and_margin(client_for, branch, world):
    _sell(branch, world)
    manager = staff_of(branch, "manager")
    response = client_for(manager).get("/api/cafe/reports/abc/", DAYS)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["totals"] == {"quantity": 15, "revenue": "3170.00", "cost": "270.00", "margin": "2900.00"}
    rows = [
        (
            row["name"],
            row["quantity"],
            row["revenue"],
            row["cost"],
            row["margin"],
            row["revenue_class"],
            row["quantity_class"],
            row["margin_class"],
        )
        for row in body["items"]
    ]
    assert rows == [
        ("Pizza", 3, "1770.00", "270.00", "1500.00", "A", "A", "A"),
        ("Tea", 10, "1000.00", "0.00", "1000.00", "A", "A", "A"),
        ("Soup", 1, "350.00", "0.00", "350.00", "B", "B", "B"),
        ("Bread", 1, "50.00", "0.00", "50.00", "C", "B", "C"),  # a tie on portions: by name
    ]
    assert body["items"][0]["revenue_share"] == "55.84"
    assert body["items"][0]["food_cost_percent"] == "15.25"
    csv = client_for(manager).get("/api/cafe/reports/abc/", {**DAYS, "format": "csv"})
    lines = csv.content.decode().splitlines()
    assert lines[1] == (
        "id,name,quantity,weight,revenue,cost,margin,revenue_share,food_cost_percent,revenue_class,"
        "quantity_class,margin_class"
    )
    assert lines[2] == f"{world['pizza'].pk},Pizza,3,,1770.00,270.00,1500.00,55.84,15.25,A,A,A"


def test_abc_bounds_and_roles(client_for, branch, world):
    manager = staff_of(branch, "manager")
    long = client_for(manager).get("/api/cafe/reports/abc/", {"from": "2026-01-01", "to": "2026-04-03"})
    assert (long.status_code, list(long.json())) == (400, ["to"])
    backwards = client_for(manager).get("/api/cafe/reports/abc/", {"from": "2026-02-01", "to": "2026-01-31"})
    assert list(backwards.json()) == ["to"]
    assert (
        client_for(manager).get("/api/cafe/reports/abc/", {"from": "2026-01-01", "to": "2026-04-01"}).status_code == 200
    )
    for role in ("waiter", "cashier", "cook"):
        assert client_for(staff_of(branch, role)).get("/api/cafe/reports/abc/", DAYS).status_code == 403
    # Another company's owner sees none of it (the company report of their own, empty).
    stranger = owner_of(BranchFactory().company)
    _sell(branch, world)
    assert client_for(stranger).get("/api/cafe/reports/abc/", DAYS).json()["items"] == []
    assert client_for(stranger).get("/api/cafe/reports/abc/", {**DAYS, "branch": str(branch.pk)}).status_code == 400
