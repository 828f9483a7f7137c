"""Taking stock costs queries by the order's lines, never by the ingredients or
recipes of the menu; an order of items without recipes reads no storeroom table."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tenancy import tenant_for
from cafe.menu.models import MenuItem
from cafe.orders.services import order_create
from cafe.tests.factories import MenuItemFactory
from cafe.tests.store.conftest import buy, ingredient, recipe

pytestmark = pytest.mark.django_db


def _menu(owner, branch, ingredients: int, dishes: int, name: str = "menu"):
    """``dishes`` dishes of ``ingredients`` ingredients each, all in stock."""
    stock = [ingredient(branch, f"{name} {n}") for n in range(ingredients)]
    for item in stock:
        buy(owner, branch, item, 100_000)
    items = []
    for n in range(dishes):
        item = MenuItemFactory(category__company=branch.company, title=f"{name} dish {n}")
        recipe(owner, *((each, "10", "g", "5") for each in stock), item=item)
        items.append(item)
    return items


def _queries(waiter, table, items) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        order_create(
            tenant=tenant_for(waiter),
            table=table.pk,
            guests=1,
            items=[{"menu_item": item.pk, "quantity": 2} for item in items],
        )
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(("ingredients", "dishes"), [(1, 1), (12, 8)])
def test_queries_of_an_order_do_not_grow_with_ingredients_or_recipes(owner, waiter, branch, table, ingredients, dishes):
    # Two dishes sharing one ingredient: an order of one sets the other's remaining too.
    small = _menu(owner, branch, 1, 2)
    # Warm: the first order of a table makes it busy (a statement more).
    _queries(waiter, table, small[:1])
    baseline = len(_queries(waiter, table, small[:1]))
    big = _menu(owner, branch, ingredients, dishes, name="big")
    assert len(_queries(waiter, table, big[:1])) <= baseline


def test_two_tracked_lines_cost_no_more_than_one(owner, waiter, branch, table):
    items = _menu(owner, branch, 5, 4)
    _queries(waiter, table, items[:1])
    # One dish's order sets the three others' remaining too: their recipes are one read more.
    assert len(_queries(waiter, table, items[:4])) <= len(_queries(waiter, table, items[:1]))


def test_an_order_without_recipes_reads_no_storeroom_table(owner, waiter, branch, table):
    _menu(owner, branch, 3, 3)
    plain = MenuItemFactory(category__company=branch.company, title="Tea", price=Decimal(100))
    _queries(waiter, table, [plain])
    assert not [sql for sql in _queries(waiter, table, [plain]) if "cafe_stock" in sql or "cafe_recipe" in sql]


@pytest.mark.parametrize(("own", "more"), [(False, 7), (True, 6)])
def test_statements_a_tracked_line_costs_more_than_a_plain_one(owner, waiter, branch, table, own, more):
    # The recipes, the levels locked, the movements, the levels written, the dishes
    # using the ingredients (with their branches), the dish's stop-list row locked and
    # written; the menu item's event reads nothing (the item as read with the menu, its
    # row as locked). A dish of the branch's own is one fewer: its order reads no
    # branch row with the menu, as the plain, company-wide item's does.
    # docs/benchmarks.md, the storeroom.
    plain = MenuItemFactory(category__company=branch.company, title="plain")
    _queries(waiter, table, [plain])
    baseline = len(_queries(waiter, table, [plain]))
    dish = _menu(owner, branch, 3, 1)[0]
    if own:  # a dish of the branch itself (its row holds remaining), not a company-wide one
        MenuItem.unscoped.filter(pk=dish.pk).update(branch=branch)
    _queries(waiter, table, [dish])
    # On PostgreSQL the movements are inserted by the levels' update (one statement),
    # and a branch's own dish's row is locked and written by one statement.
    fewer = (1 + own) if connection.vendor == "postgresql" else 0
    assert len(_queries(waiter, table, [dish])) == baseline + more - fewer
