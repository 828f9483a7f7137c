"""``cafe.store.posting.stock_post``: the ledger and its derived level, the average
cost, the refusal below zero, the low threshold crossed once."""

import uuid
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone, translation

from accounts.tenancy import tenant_for
from cafe.store.models import Ingredient, MovementKind, StockLevel, StockMovement, StockSettings
from cafe.store.posting import Move, StockShortage, levels_locked, stock_post
from cafe.store.statements import stock_write
from cafe.tests.factories import BranchFactory, owner_of
from core.rows import rows_insert

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def owner(branch):
    return owner_of(branch.company)


@pytest.fixture
def cheese(branch):
    return Ingredient.objects.create(company=branch.company, name="Cheese", unit="g")


def post(owner, branch, *moves, **options):
    return stock_post(tenant=tenant_for(owner), branch_id=branch.pk, moves=list(moves), **options)


def level(branch, ingredient):
    return StockLevel.unscoped.get(branch=branch, ingredient=ingredient)


def ledger_sum(branch, ingredient):
    return StockMovement.unscoped.filter(branch=branch, ingredient=ingredient).aggregate(s=Sum("quantity"))["s"]


def test_a_purchase_enters_stock_and_sets_the_moving_average(owner, branch, cheese):
    post(owner, branch, Move(cheese.pk, MovementKind.PURCHASE, Decimal(1000), unit_cost=Decimal("1.00")))
    post(owner, branch, Move(cheese.pk, MovementKind.PURCHASE, Decimal(1000), unit_cost=Decimal("2.00")))
    row = level(branch, cheese)
    assert (row.on_hand, row.avg_cost) == (Decimal("2000.000"), Decimal("1.5000"))
    posted = post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-500), note="dropped"))
    out = posted.movements[0]
    assert (out.unit_cost, out.on_hand_after, out.note) == (Decimal("1.5000"), Decimal("1500.000"), "dropped")
    assert level(branch, cheese).on_hand == ledger_sum(branch, cheese) == Decimal(1500)


def test_below_zero_is_refused_and_writes_nothing(owner, branch, cheese):
    post(owner, branch, Move(cheese.pk, MovementKind.PURCHASE, Decimal(100), unit_cost=Decimal(1)))
    with pytest.raises(StockShortage) as caught:
        post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-150)))
    assert caught.value.detail["ingredients"] == [
        {"ingredient": str(cheese.pk), "name": "Cheese", "unit": "g", "on_hand": "100.000", "wanted": "150"}
    ]
    assert StockMovement.unscoped.count() == 1
    assert level(branch, cheese).on_hand == Decimal(100)


def test_the_branch_may_allow_negative_stock_which_warns(owner, branch, cheese):
    StockSettings.objects.create(company=branch.company, branch=branch, allow_negative=True)
    posted = post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-5)))
    assert level(branch, cheese).on_hand == Decimal(-5)
    assert [event.data["negative"] for event in posted.events] == [True]
    assert posted.events[0].type.name == "stock_low"


def test_stock_low_goes_out_once_when_the_threshold_is_crossed(owner, branch, cheese):
    post(owner, branch, Move(cheese.pk, MovementKind.PURCHASE, Decimal(1000), unit_cost=Decimal(1)))
    StockLevel.unscoped.filter(branch=branch, ingredient=cheese).update(low_threshold=Decimal(300))
    assert post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-600))).events == []
    crossed = post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-150)))
    assert [(e.type.name, e.data["on_hand"], e.data["low_threshold"]) for e in crossed.events] == [
        ("stock_low", "250.000", "300.000")
    ]
    assert crossed.crossed_low == [level(branch, cheese)]
    assert post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-50))).events == []
    post(owner, branch, Move(cheese.pk, MovementKind.PURCHASE, Decimal(500), unit_cost=Decimal(1)))
    assert len(post(owner, branch, Move(cheese.pk, MovementKind.WRITE_OFF, Decimal(-500))).events) == 1


def test_another_companys_ingredient_is_refused(owner, branch):
    other = Ingredient.objects.create(company=BranchFactory().company, name="Theirs", unit="g")
    with pytest.raises(ValueError, match="another company"):
        post(owner, branch, Move(other.pk, MovementKind.PURCHASE, Decimal(1), unit_cost=Decimal(1)))
    assert not StockLevel.unscoped.exists()


def test_a_postings_movements_are_written_as_rows_insert_writes_them(owner, branch, cheese):
    """``stock_write`` (on PostgreSQL the movements as one JSON document unpacked by
    the levels' update, one statement) writes the movements ``core.rows.rows_insert``
    writes, value for value: keys, signed quantities and costs at their scale, nulls,
    a note with quotes and non-ASCII text, the stamps, every row of a sale of many
    ingredients; and the levels' new on hand and average cost."""
    oil = Ingredient.objects.create(company=branch.company, name="Oil", unit="ml")

    def movements(note: str) -> list[StockMovement]:
        now = timezone.now()
        return [
            StockMovement(
                id=uuid.uuid4(),
                company_id=branch.company_id,
                branch_id=branch.pk,
                ingredient_id=(cheese, oil)[n % 2].pk,
                kind=(MovementKind.SALE, MovementKind.PURCHASE)[n % 2],
                quantity=Decimal("-12.345") if n % 2 == 0 else Decimal("0.001"),
                unit_cost=Decimal("1234.5678"),
                on_hand_after=Decimal("-0.500") if n == 3 else Decimal("99999.000"),
                user=owner if n % 3 == 0 else None,
                note=note if n == 1 else "",
                order_line_id=uuid.uuid4() if n % 2 == 0 else None,
                portions=n or None,
                document_id=None if n % 2 == 0 else uuid.uuid4(),
                created_at=now,
                updated_at=now,
            )
            for n in range(12)
        ]

    written, reference = movements('Spilt "all" of it — 1/2 l'), movements('Spilt "all" of it — 1/2 l')
    tenant = tenant_for(owner)
    levels = list(levels_locked(tenant, branch.pk, [cheese.pk, oil.pk]).values())
    for n, held in enumerate(levels):
        held.on_hand, held.avg_cost = Decimal("-1.250") * (n + 1), Decimal("0.3333") * (n + 1)
    moment = timezone.now()
    stock_write(tenant, written, levels, moment)
    stored_levels = StockLevel.unscoped.filter(branch=branch)
    assert {(row.ingredient_id, row.on_hand, row.avg_cost) for row in levels} == {
        (row.ingredient_id, row.on_hand, row.avg_cost) for row in stored_levels
    }
    assert all(row.updated_at >= moment for row in stored_levels)
    rows_insert(StockMovement, reference)
    assert all(not row._state.adding for row in written)
    names = [field.attname for field in StockMovement._meta.concrete_fields]

    def stored(rows):
        found = StockMovement.unscoped.in_bulk([row.pk for row in rows])
        return [{name: getattr(found[row.pk], name) for name in names} for row in rows]

    def given(rows):
        return [{name: getattr(row, name) for name in names} for row in rows]

    # Each row as it was given (its stamps as their pre_save set them), by either path.
    assert stored(written) == given(written)
    assert stored(reference) == given(reference)
    assert {row["note"] for row in stored(written)} == {"", 'Spilt "all" of it — 1/2 l'}
