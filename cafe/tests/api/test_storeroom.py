"""The storeroom's REST routes: ingredients, thresholds, recipes, a branch's stock,
its ledger and settings; who may see costs; other tenants' objects are 404;
Idempotency-Key; an order of a dish out of stock answers 409 naming what is left."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.menu.models import MenuItemBranch
from cafe.store.models import Ingredient, MovementKind, Recipe, StockLevel, StockMovement
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, UserFactory, owner_of, staff_of
from cafe.tests.store.conftest import buy

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def owner(branch):
    return owner_of(branch.company)


def _user(branch, role):
    if role in (Role.OWNER, Role.ADMIN):
        return UserFactory(role=role, branch=None, company=branch.company)
    return staff_of(branch, role=role)


def _pizza_with_recipe(client_for, owner, branch):
    api = client_for(owner)
    cheese = api.post("/api/cafe/ingredients/", {"name": "Cheese", "unit": "g"}, format="json").json()
    pizza = MenuItemFactory(category__company=branch.company, title="Pizza")
    response = api.post(
        "/api/cafe/recipes/",
        {"menu_item": str(pizza.pk), "lines": [{"ingredient": cheese["id"], "quantity": "0.1", "unit": "kg"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return cheese, pizza, response.json()


def test_owner_sets_up_an_ingredient_and_a_recipe_and_every_role_reads_them(client_for, owner, branch):
    cheese, pizza, recipe = _pizza_with_recipe(client_for, owner, branch)
    assert cheese == {
        "id": cheese["id"],
        "name": "Cheese",
        "unit": "g",
        "kind": "ingredient",
        "made_to_order": False,
    }
    assert recipe["lines"] == [
        {"ingredient": cheese["id"], "name": "Cheese", "quantity": "0.100", "unit": "kg", "loss_percent": "0.00"}
    ]
    assert (recipe["menu_item"], recipe["branch"], recipe["modifier_effects"]) == (str(pizza.pk), None, [])
    for role in Role:
        client = client_for(_user(branch, role))
        assert client.get("/api/cafe/ingredients/").json()["results"] == [cheese]
        assert client.get(f"/api/cafe/recipes/{recipe['id']}/").json() == recipe


def test_a_bad_line_is_400_naming_it(client_for, owner, branch):
    api = client_for(owner)
    cheese = api.post("/api/cafe/ingredients/", {"name": "Cheese", "unit": "g"}, format="json").json()
    pizza = MenuItemFactory(category__company=branch.company)
    response = api.post(
        "/api/cafe/recipes/",
        {"menu_item": str(pizza.pk), "lines": [{"ingredient": cheese["id"], "quantity": "1", "unit": "ml"}]},
        format="json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {"lines": {"0": {"unit": ["ml does not convert to g."]}}}
    response = api.post("/api/cafe/ingredients/", {"name": "X", "unit": "lb"}, format="json", **EN)
    assert response.status_code == 400
    assert "unit" in response.json()


def test_staff_below_owner_cannot_change_the_companys_ingredients(client_for, branch):
    for role in (Role.MANAGER, Role.WAITER, Role.COOK):
        response = client_for(staff_of(branch, role=role)).post(
            "/api/cafe/ingredients/", {"name": "Cheese", "unit": "g"}, format="json"
        )
        assert response.status_code == 403
    assert not Ingredient.unscoped.exists()


def test_a_manager_overrides_the_recipe_for_their_branch_only(client_for, owner, branch):
    cheese, pizza, recipe = _pizza_with_recipe(client_for, owner, branch)
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    assert manager.patch(f"/api/cafe/recipes/{recipe['id']}/", {"output": "1"}, format="json").status_code == 403
    response = manager.post(
        "/api/cafe/recipes/",
        {"menu_item": str(pizza.pk), "lines": [{"ingredient": cheese["id"], "quantity": "50", "unit": "g"}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["branch"] == str(branch.pk)


def test_stock_shows_costs_to_managers_only(client_for, owner, branch):
    cheese, pizza, _recipe = _pizza_with_recipe(client_for, owner, branch)
    buy(owner, branch, Ingredient.unscoped.get(pk=cheese["id"]), 1000, cost="0.95")
    assert MenuItemBranch.unscoped.get(menu_item=pizza, branch=branch).remaining == 10
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    row = {
        "ingredient": cheese["id"],
        "name": "Cheese",
        "unit": "g",
        "branch": str(branch.pk),
        "on_hand": "1000.000",
        "low_threshold": None,
        "low": False,
        "avg_cost": "0.9500",
        "value": "950.00",
    }
    assert manager.get("/api/cafe/stock/").json()["results"] == [row]
    assert client_for(owner).get(f"/api/cafe/stock/?branch={branch.pk}").json()["results"] == [row]
    for role in (Role.WAITER, Role.COOK, Role.CASHIER):
        assert client_for(staff_of(branch, role=role)).get("/api/cafe/stock/").json()["results"] == [
            {**row, "avg_cost": None, "value": None}
        ]
        assert client_for(staff_of(branch, role=role)).get("/api/cafe/stock/movements/").status_code == 403
    movements = manager.get(f"/api/cafe/stock/movements/?ingredient={cheese['id']}").json()["results"]
    assert [(m["kind"], m["quantity"], m["unit_cost"]) for m in movements] == [("purchase", "1000.000", "0.9500")]
    assert client_for(owner).get("/api/cafe/stock/", **EN).status_code == 400  # an owner names the branch


def test_threshold_and_settings_with_an_idempotency_key(client_for, owner, branch):
    cheese, _pizza, _recipe = _pizza_with_recipe(client_for, owner, branch)
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    for _ in range(2):
        response = manager.post(
            f"/api/cafe/ingredients/{cheese['id']}/threshold/",
            {"low_threshold": "300"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="t-1",
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["low_threshold"], response.json()["low"]) == ("300.000", True)
    assert len(manager.get("/api/cafe/stock/?low=true").json()["results"]) == 1
    assert manager.get("/api/cafe/stock/?low=false").json()["results"] == []
    assert StockLevel.unscoped.get(branch=branch).low_threshold == Decimal(300)
    assert manager.get("/api/cafe/stock/settings/").json() == {"branch": str(branch.pk), "allow_negative": False}
    response = manager.put(
        "/api/cafe/stock/settings/", {"allow_negative": True}, format="json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    assert response.json() == {"branch": str(branch.pk), "allow_negative": True}
    waiter = client_for(staff_of(branch))
    assert waiter.put("/api/cafe/stock/settings/", {"allow_negative": False}, format="json").status_code == 403


def test_another_companys_storeroom_is_404(client_for, owner, branch):
    cheese, pizza, recipe = _pizza_with_recipe(client_for, owner, branch)
    stranger_branch = BranchFactory()
    stranger = client_for(owner_of(stranger_branch.company))
    assert stranger.get(f"/api/cafe/ingredients/{cheese['id']}/").status_code == 404
    assert stranger.get(f"/api/cafe/recipes/{recipe['id']}/").status_code == 404
    assert stranger.get("/api/cafe/ingredients/").json()["results"] == []
    assert stranger.get("/api/cafe/recipes/").json()["results"] == []
    assert stranger.get(f"/api/cafe/stock/?branch={branch.pk}").status_code == 400
    assert stranger.get(f"/api/cafe/stock/movements/?branch={branch.pk}").status_code == 400
    assert stranger.post(f"/api/cafe/ingredients/{cheese['id']}/threshold/", {"low_threshold": "1"}).status_code == 404
    assert stranger.delete(f"/api/cafe/recipes/{recipe['id']}/").status_code == 404
    theirs = stranger.post("/api/cafe/ingredients/", {"name": "Cheese", "unit": "g"}, format="json")
    assert theirs.status_code == 201
    response = client_for(owner).post(
        "/api/cafe/recipes/",
        {
            "menu_item": str(pizza.pk),
            "branch": str(branch.pk),
            "lines": [{"ingredient": theirs.json()["id"], "quantity": "1", "unit": "g"}],
        },
        format="json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {"lines": {"0": {"ingredient": ["Ingredient not found."]}}}


def test_an_order_short_of_stock_is_409_naming_what_is_left(client_for, owner, branch):
    cheese, pizza, _recipe = _pizza_with_recipe(client_for, owner, branch)
    buy(owner, branch, Ingredient.unscoped.get(pk=cheese["id"]), 150)
    waiter = client_for(staff_of(branch))
    table = TableFactory(branch=branch)
    response = waiter.post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(pizza.pk), "quantity": 2}]},
        format="json",
        **EN,
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only 1 left of Pizza.",
        "menu_item": str(pizza.pk),
        "remaining": 1,
        "ingredients": [
            {"ingredient": cheese["id"], "name": "Cheese", "unit": "g", "on_hand": "150.000", "wanted": "200.000"}
        ],
    }
    assert not StockMovement.unscoped.filter(kind=MovementKind.SALE).exists()


def test_deleting_the_last_recipe_stops_tracking(client_for, owner, branch):
    _cheese, pizza, recipe = _pizza_with_recipe(client_for, owner, branch)
    assert client_for(owner).delete(f"/api/cafe/recipes/{recipe['id']}/").status_code == 204
    pizza.refresh_from_db()
    assert not pizza.stock_tracked
    assert not Recipe.unscoped.exists()
    assert MenuItemBranch.unscoped.get(menu_item=pizza, branch=branch).remaining is None


def test_a_company_keeps_at_most_its_ingredients_and_another_company_is_not_held_by_them(
    client_for, owner, branch, settings
):
    settings.INGREDIENTS_MAX_PER_COMPANY = 2
    api = client_for(owner)
    for name in ("Cheese", "Flour"):
        assert api.post("/api/cafe/ingredients/", {"name": name, "unit": "g"}, format="json").status_code == 201
    refused = api.post("/api/cafe/ingredients/", {"name": "Salt", "unit": "g"}, format="json", **EN)
    assert refused.status_code == 409
    assert refused.json() == {"detail": "A company keeps at most 2 ingredients (INGREDIENTS_MAX_PER_COMPANY)."}
    assert list(Ingredient.unscoped.filter(company=branch.company).values_list("name", flat=True).order_by("name")) == [
        "Cheese",
        "Flour",
    ]
    other = client_for(owner_of(BranchFactory().company))
    assert other.post("/api/cafe/ingredients/", {"name": "Salt", "unit": "g"}, format="json").status_code == 201
