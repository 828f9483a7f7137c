from decimal import Decimal

import pytest
from django.utils import translation

from accounts.tenancy import tenant_for
from cafe.store.models import Ingredient, IngredientKind, MovementKind
from cafe.store.posting import Move, stock_post
from cafe.store.services import recipe_create
from cafe.tests.factories import MenuItemFactory, TableFactory, owner_of


@pytest.fixture(autouse=True)
def _english():
    """The messages below are asserted as written in the code (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def owner(branch):
    return owner_of(branch.company)


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch)


def ingredient(branch, name, unit="g", **fields):
    return Ingredient.objects.create(company=branch.company, name=name, unit=unit, **fields)


@pytest.fixture
def cheese(branch):
    return ingredient(branch, "Cheese")


@pytest.fixture
def dough(branch):
    return ingredient(branch, "Dough", "kg")


@pytest.fixture
def sauce(branch):
    return ingredient(branch, "Tomato sauce", "ml", kind=IngredientKind.SEMI_FINISHED, made_to_order=True)


@pytest.fixture
def tomato(branch):
    return ingredient(branch, "Tomatoes", "kg")


def buy(owner, branch, item, quantity, cost="1.00"):
    return stock_post(
        tenant=tenant_for(owner),
        branch_id=branch.pk,
        moves=[Move(item.pk, MovementKind.PURCHASE, Decimal(quantity), unit_cost=Decimal(cost))],
    )


def recipe(owner, *lines, item=None, semi=None, output="1", branch=None, effects=()):
    return recipe_create(
        tenant=tenant_for(owner),
        menu_item=item.pk if item else None,
        semi_finished=semi.pk if semi else None,
        branch=branch.pk if branch else None,
        output=Decimal(output),
        lines=[
            {"ingredient": ing.pk, "quantity": Decimal(q), "unit": unit, "loss_percent": Decimal(loss)}
            for ing, q, unit, loss in lines
        ],
        modifier_effects=list(effects),
    )


@pytest.fixture
def pizza(branch, owner, cheese, dough):
    """A company-wide dish: 100 g cheese, 0.25 kg dough (20% lost in cooking)."""
    item = MenuItemFactory(category__company=branch.company, title="Pizza")
    recipe(owner, (cheese, "100", "g", "0"), (dough, "200", "g", "20"), item=item)
    return item
