"""The storeroom's documents under concurrent sales, on PostgreSQL: a transfer racing
a sale for the same stock, two transfers in opposite directions, and a count posted
while sales go on. Each ends with every level equal to its ledger's sum."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from accounts.tenancy import tenant_for
from cafe.menu.stock import StockShort
from cafe.orders.models import Order
from cafe.purchasing.services import document_create, document_post
from cafe.store.models import Ingredient, MovementKind, StockLevel, StockMovement
from cafe.store.posting import Move, StockShortage, stock_post
from cafe.store.services import recipe_create
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, owner_of, staff_of

DAY = datetime.date(2026, 3, 14)


def _world(cheese_grams: int):
    branch = BranchFactory()
    harbour = BranchFactory(company=branch.company)
    owner = owner_of(branch.company)
    cheese = Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")
    pizza = MenuItemFactory(category__company=branch.company, title="Pizza")
    recipe_create(
        tenant=tenant_for(owner),
        menu_item=pizza.pk,
        lines=[{"ingredient": cheese.pk, "quantity": Decimal(100), "unit": "g"}],
    )
    for where in (branch, harbour):
        with transaction.atomic():
            stock_post(
                tenant=tenant_for(owner),
                branch_id=where.pk,
                moves=[Move(cheese.pk, MovementKind.PURCHASE, Decimal(cheese_grams), unit_cost=Decimal(1))],
            )
    return branch, harbour, owner, cheese, pizza


def _ledger_matches(*branches):
    for branch in branches:
        for level in StockLevel.unscoped.filter(branch=branch):
            total = StockMovement.unscoped.filter(branch=branch, ingredient=level.ingredient_id).aggregate(
                s=Sum("quantity")
            )["s"]
            assert level.on_hand == total, level.ingredient_id


def _transfer(owner, source, destination, cheese, grams: int):
    return document_create(
        tenant=tenant_for(owner),
        kind="transfer",
        branch=source.pk,
        to_branch=destination.pk,
        date=DAY,
        lines=[{"ingredient": cheese.pk, "quantity": Decimal(grams), "unit": "g"}],
    )


@pytest.mark.django_db(transaction=True)
def test_a_transfer_racing_a_sale_for_the_last_cheese(services, english_threads, run_in_threads):
    """150 g left: a transfer of 100 g and a pizza of 100 g cannot both have it."""
    branch, harbour, owner, cheese, pizza = _world(150)
    waiter, table = staff_of(branch), TableFactory(branch=branch)
    transfer = _transfer(owner, branch, harbour, cheese, 100)

    def act(i: int):
        if i == 0:
            return document_post(tenant=tenant_for(owner), kind="transfer", document_id=transfer.pk)
        return order_for(waiter, table, [(pizza, 1)])

    results = run_in_threads(2, act)

    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert (len(won), len(lost)) == (1, 1), results
    assert isinstance(lost[0], StockShort | StockShortage)
    assert StockLevel.unscoped.get(branch=branch, ingredient=cheese).on_hand == Decimal(50)
    moved = isinstance(won[0], Order) is False
    assert StockLevel.unscoped.get(branch=harbour, ingredient=cheese).on_hand == Decimal(250 if moved else 150)
    _ledger_matches(branch, harbour)


@pytest.mark.django_db(transaction=True)
def test_transfers_both_ways_and_sales_do_not_deadlock(services, english_threads, run_in_threads):
    branch, harbour, owner, cheese, pizza = _world(2_000)
    there = _transfer(owner, branch, harbour, cheese, 300)
    back = _transfer(owner, harbour, branch, cheese, 200)
    waiters = [staff_of(branch), staff_of(harbour)]
    tables = [TableFactory(branch=branch), TableFactory(branch=harbour)]

    def act(i: int):
        if i == 0:
            return document_post(tenant=tenant_for(owner), kind="transfer", document_id=there.pk)
        if i == 1:
            return document_post(tenant=tenant_for(owner), kind="transfer", document_id=back.pk)
        return [order_for(waiters[i - 2], tables[i - 2], [(pizza, 1)]) for _ in range(3)]

    results = run_in_threads(4, act)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert StockLevel.unscoped.get(branch=branch, ingredient=cheese).on_hand == Decimal(2_000 - 300 + 200 - 300)
    assert StockLevel.unscoped.get(branch=harbour, ingredient=cheese).on_hand == Decimal(2_000 + 300 - 200 - 300)
    _ledger_matches(branch, harbour)


@pytest.mark.django_db(transaction=True)
def test_a_count_posted_while_sales_go_on(services, english_threads, run_in_threads):
    """The count sets the level to what was counted at the moment it posts: the
    variance it records is against the ledger then, and every sale is either in it
    (before) or taken from the counted quantity (after); never lost, never twice."""
    branch, _harbour, owner, cheese, pizza = _world(5_000)
    waiters = [staff_of(branch) for _ in range(2)]
    tables = [TableFactory(branch=branch) for _ in range(2)]
    count = document_create(
        tenant=tenant_for(owner),
        kind="count",
        branch=branch.pk,
        date=DAY,
        lines=[{"ingredient": cheese.pk, "quantity": Decimal("4.2"), "unit": "kg"}],
    )

    def act(i: int):
        if i == 2:
            return document_post(tenant=tenant_for(owner), kind="count", document_id=count.pk)
        return [order_for(waiters[i], tables[i], [(pizza, 1)]) for _ in range(4)]

    results = run_in_threads(3, act)

    assert not [r for r in results if isinstance(r, Exception)], results
    posted = StockMovement.unscoped.get(kind=MovementKind.COUNT, document_id=count.pk)
    sold_after = StockMovement.unscoped.filter(
        kind=MovementKind.SALE, branch=branch, created_at__gt=posted.created_at
    ).aggregate(s=Sum("quantity"))["s"] or Decimal(0)
    # Right after the count the level was what was counted; then the later sales came off it.
    assert posted.on_hand_after == Decimal(4_200)
    assert StockLevel.unscoped.get(branch=branch, ingredient=cheese).on_hand == Decimal(4_200) + sold_after
    line = count.lines.get()
    line.refresh_from_db()
    assert line.expected + line.variance == Decimal(4_200)
    assert line.variance == posted.quantity
    _ledger_matches(branch)
