"""Server CPU per order, in process: take an order of two lines (one for a kitchen
station, one served straight) at one of ten tables and close it, N times, through
the services, on the database in DATABASE_URL (migrated first). Prints CPU and wall
time per order; compare two commits by running it in each checkout, alternating
(docs/benchmarks.md, "The bill").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_orderbench .venv/bin/python bench/orderbench.py 200

With ``--recipes`` (the storeroom, docs/inventory.md) the soup has a recipe of three
ingredients, one of them a made-to-order sauce of two more, in stock for every order:
each order takes them (and its close gives nothing back).
"""

import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import Branch, Company, Role, User  # noqa: E402
from accounts.tenancy import tenant_for  # noqa: E402
from cafe.models import Category, MenuItem, Table  # noqa: E402

# The same script measures earlier commits too (docs/benchmarks.md): copied into a
# checkout from before the cafe was arranged by area, it finds the old services.
try:
    from cafe.orders.services import order_create, order_finish
except ImportError:
    from cafe.services import order_create, order_finish  # type: ignore[no-redef,attr-defined]
try:
    from cafe.models import Station
except ImportError:  # before the kitchen (0f59bfb): no stations, both lines served straight
    Station = None  # type: ignore[assignment,misc]

WARM_UP = 20


def rows(model):
    """The model's unscoped manager (``objects`` before the scoped managers, 0f59bfb)."""
    return getattr(model, "unscoped", model.objects)


def _recipes(company, branch, soup, orders: int) -> None:
    """Soup: 300 ml stock, 100 g potatoes, 50 ml sauce (made to order of 30 g tomatoes,
    5 ml oil), each line of two portions; stock for every order."""
    from django.db import transaction

    from cafe.store.models import Ingredient, IngredientKind, MovementKind
    from cafe.store.posting import Move, stock_post
    from cafe.store.services import recipe_create

    owner = User.objects.create_user(
        f"{uuid.uuid4()}@orderbench.test", str(uuid.uuid4()), company=company, role=Role.OWNER
    )
    owner_tenant = tenant_for(owner)

    def made(name: str, unit: str, **fields) -> Ingredient:
        return Ingredient.objects.create(company=company, name=name, unit=unit, **fields)

    broth, potato, tomato, oil = made("Broth", "l"), made("Potato", "kg"), made("Tomato", "kg"), made("Oil", "l")
    sauce = made("Sauce", "ml", kind=IngredientKind.SEMI_FINISHED, made_to_order=True)

    def line(ingredient, quantity, unit):
        return {"ingredient": ingredient.pk, "quantity": Decimal(quantity), "unit": unit}

    recipe_create(
        tenant=owner_tenant,
        semi_finished=sauce.pk,
        output=Decimal(100),
        lines=[line(tomato, 60, "g"), line(oil, 10, "ml")],
    )
    recipe_create(
        tenant=owner_tenant,
        menu_item=soup.pk,
        lines=[line(broth, 300, "ml"), line(potato, 100, "g"), line(sauce, 50, "ml")],
    )
    with transaction.atomic():
        stock_post(
            tenant=owner_tenant,
            branch_id=branch.pk,
            moves=[
                Move(pk, MovementKind.PURCHASE, Decimal(orders), unit_cost=Decimal(1))
                for pk in (broth.pk, potato.pk, tomato.pk, oil.pk)
            ],
        )


def main(count: int, recipes: bool = False) -> None:
    call_command("migrate", verbosity=0)
    company = Company.objects.create(name=f"orderbench {uuid.uuid4()}")
    branch = rows(Branch).create(company=company, name="Bench")
    waiter = User.objects.create_user(
        f"{uuid.uuid4()}@orderbench.test", str(uuid.uuid4()), company=company, branch=branch, role=Role.WAITER
    )
    category = rows(Category).create(company=company, name="Kitchen")
    station = rows(Station).create(company=company, branch=branch, name="Hot") if Station else None
    soup, tea = (
        rows(MenuItem).create(
            company=company,
            category=category,
            branch=branch,
            title=title,
            price=Decimal(price),
            **({"station": where} if Station else {}),
        )
        for title, price, where in (("Soup", "350.00", station), ("Tea", "100.00", None))
    )
    tables = [rows(Table).create(company=company, branch=branch, number=number) for number in range(1, 11)]
    tenant = tenant_for(waiter)
    if recipes:
        _recipes(company, branch, soup, count + WARM_UP)
    lines = [{"menu_item": soup.pk, "quantity": 2}, {"menu_item": tea.pk, "quantity": 1}]

    def one(index: int) -> None:
        order = order_create(tenant=tenant, table=tables[index % 10].pk, guests=2, items=lines)
        order_finish(tenant=tenant, order_id=order.pk, status="closed")

    for index in range(WARM_UP):
        one(index)
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(count):
        one(index)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{count} orders (take + close): {1000 * cpu / count:.2f} ms CPU, {1000 * wall / count:.2f} ms wall per order"
    )


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(int(numbers[0]) if numbers else 200, recipes="--recipes" in sys.argv)
