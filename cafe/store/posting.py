"""The one way stock changes: ``stock_post`` writes movements to a branch's ledger
and, in the same transaction, the levels they change; then the stop-list of the
stock-tracked dishes that use them follows (``remaining``: the portions the stock
allows). Everything runs inside the caller's transaction.

Lock order (the storeroom's place in ``cafe.orders.locking``'s protocol): after the
stop-list counts of items without a recipe, **the stock levels** (``StockLevel``, in
id order), then **the stop-list rows of stock-tracked items** (``MenuItem`` rows, then
``MenuItemBranch`` rows, each in id order), then the rest of the kernel's protocol
(the open shift, the pickup counter, the company). A posting outside an order (a
purchase, count, transfer, write-off) locks its own document first, then the levels:
the same order, so it queues behind a sale instead of deadlocking with it."""

import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tenancy import Tenant
from cafe.menu.models import MenuItem, MenuItemBranch
from cafe.store.events import stock_low
from cafe.store.models import Ingredient, MovementKind, StockLevel, StockMovement, StockSettings
from cafe.store.recipes import MAX_DEPTH, Explosion, portions_possible
from cafe.store.statements import (
    levels_read,
    own_items_locked,
    own_items_set,
    remaining_write,
    shared_rows_locked,
    stock_write,
    uses_read,
)
from core.errors import Conflict
from realtime.emit import PendingEvent

ZERO = Decimal(0)
COST_PLACES = Decimal("0.0001")
QUANTITY_PLACES = Decimal("0.001")

# Where a stock-tracked dish's ``remaining`` lives in a branch: the branch's own dish
# itself, or a company-wide dish's branch row.
StopListRow = MenuItem | MenuItemBranch


@dataclass(frozen=True)
class Move:
    """A movement to post: ``quantity`` signed, in the ingredient's base unit.
    ``unit_cost`` given on incoming stock (a purchase, a transfer in, a void giving
    back what a sale took) moves the level's average cost; left out, the movement is
    valued at the level's average cost."""

    ingredient_id: uuid.UUID
    kind: str
    quantity: Decimal
    unit_cost: Decimal | None = None
    note: str = ""
    order_line_id: uuid.UUID | None = None
    portions: int | None = None
    document_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Shortage:
    ingredient_id: uuid.UUID
    name: str
    unit: str
    on_hand: Decimal
    wanted: Decimal


class StockShortage(Conflict):
    """409: the movements would take an ingredient below zero in a branch that does
    not allow negative stock. ``{"detail", "ingredients": [{"ingredient", "name",
    "unit", "on_hand", "wanted"}]}``; ``shortages`` holds them for callers that name
    something else (a sale names its dish: ``cafe.store.taking``)."""

    def __init__(self, shortages: list[Shortage], on_hand: dict[uuid.UUID, Decimal]) -> None:
        super().__init__(_("Not enough in stock: %(names)s.") % {"names": ", ".join(short.name for short in shortages)})
        self.shortages = shortages
        self.on_hand = on_hand
        detail: dict[str, Any] = {"detail": self.detail, "ingredients": shortages_described(shortages)}
        self.detail = detail


def shortages_described(shortages: Sequence[Shortage]) -> list[dict[str, str]]:
    return [
        {
            "ingredient": str(short.ingredient_id),
            "name": short.name,
            "unit": short.unit,
            "on_hand": str(short.on_hand),
            "wanted": str(short.wanted),
        }
        for short in shortages
    ]


@dataclass
class Posted:
    """What a posting did: its movements, the levels after it (by ingredient id),
    the levels that crossed their low threshold (``stock_low`` went into
    ``events``) and the menu items whose ``remaining`` changed (``menu_item_updated``
    is due: ``cafe.menu.events.menu_item_updated`` over ``menu_item_views``)."""

    movements: list[StockMovement] = field(default_factory=list)
    levels: dict[uuid.UUID, StockLevel] = field(default_factory=dict)
    crossed_low: list[StockLevel] = field(default_factory=list)
    items: list[uuid.UUID] = field(default_factory=list)
    events: list[PendingEvent[Any]] = field(default_factory=list)
    # The rows of ``items`` as written, read whole under their locks (``portions_set``).
    rows: dict[uuid.UUID, StopListRow] = field(default_factory=dict)


def negative_allowed(tenant: Tenant, branch_id: uuid.UUID) -> bool:
    return tenant.scope(StockSettings).filter(branch=branch_id, allow_negative=True).exists()


def levels_locked(
    tenant: Tenant,
    branch_id: uuid.UUID,
    ingredient_ids: Collection[uuid.UUID],
    ingredients: Mapping[uuid.UUID, Ingredient] | None = None,
) -> dict[uuid.UUID, StockLevel]:
    """The branch's levels of the ingredients, locked in id order, made (at zero) for
    those that have none yet; keyed by ingredient id, their ingredients read with them
    (or taken from ``ingredients``, read already with a sale's recipes). The
    ingredients must be the tenant's (``ValueError`` otherwise: a caller's bug)."""
    wanted = sorted(set(ingredient_ids))

    def read() -> dict[uuid.UUID, StockLevel]:
        return {level.ingredient_id: level for level in levels_read(tenant, branch_id, wanted, ingredients)}

    levels = read()
    missing = [pk for pk in wanted if pk not in levels]
    if missing:
        known = set(tenant.scope(Ingredient).filter(pk__in=missing).values_list("pk", flat=True))
        if known != set(missing):
            raise ValueError("stock posted for ingredients of another company")
        StockLevel.objects.bulk_create(
            [StockLevel(company_id=tenant.company_id, branch_id=branch_id, ingredient_id=pk) for pk in missing],
            ignore_conflicts=True,
        )
        levels = read()
    return levels


def _is_low(level: StockLevel, on_hand: Decimal) -> bool:
    return level.low_threshold is not None and on_hand <= level.low_threshold


def stock_post(
    *,
    tenant: Tenant,
    branch_id: uuid.UUID,
    moves: Sequence[Move],
    allow_negative: bool | None = None,
    known: Explosion | None = None,
) -> Posted:
    """Posts ``moves`` to the branch's ledger: locks the levels (in id order), refuses
    with ``StockShortage`` (409, nothing written) a posting that takes an ingredient
    below zero unless negative stock is allowed (``allow_negative``; None: the branch's
    setting, read only then), inserts the movements, updates the levels (on hand; the
    moving average cost on incoming movements with a ``unit_cost``), reports the levels
    that crossed their low threshold (``stock_low``) and sets the stop-list of the
    stock-tracked dishes that use them. Runs inside the caller's transaction, who
    emits ``Posted.events`` (and ``menu_item_updated`` for ``Posted.items``).
    ``known``: recipes the caller has read already (a sale's), not read again."""
    posted = Posted()
    moves = [move for move in moves if move.quantity]
    if not moves:
        return posted
    moved = {move.ingredient_id for move in moves}
    levels = levels_locked(tenant, branch_id, moved, known.ingredients if known is not None else None)
    change: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for move in moves:
        change[move.ingredient_id] += move.quantity
    short = [
        Shortage(pk, level.ingredient.name, level.ingredient.unit, level.on_hand, -change[pk])
        for pk, level in levels.items()
        if change[pk] < 0 and level.on_hand + change[pk] < 0
    ]
    short.sort(key=lambda shortage: shortage.name)
    if short and not (allow_negative if allow_negative is not None else negative_allowed(tenant, branch_id)):
        raise StockShortage(short, {pk: level.on_hand for pk, level in levels.items()})
    before = {pk: level.on_hand for pk, level in levels.items()}
    now = timezone.now()
    for move in moves:
        level = levels[move.ingredient_id]
        if move.quantity > 0 and move.unit_cost is not None:
            held = max(level.on_hand, ZERO)
            level.avg_cost = (
                (held * level.avg_cost + move.quantity * move.unit_cost) / (held + move.quantity)
            ).quantize(COST_PLACES)
        level.on_hand += move.quantity
        posted.movements.append(
            StockMovement(
                company_id=tenant.company_id,
                branch_id=branch_id,
                ingredient_id=move.ingredient_id,
                kind=move.kind,
                quantity=move.quantity.quantize(QUANTITY_PLACES),
                unit_cost=(move.unit_cost if move.unit_cost is not None else level.avg_cost).quantize(COST_PLACES),
                on_hand_after=level.on_hand.quantize(QUANTITY_PLACES),
                user=tenant.user if tenant.user and tenant.user.pk else None,
                note=move.note,
                order_line_id=move.order_line_id,
                portions=move.portions,
                document_id=move.document_id,
                created_at=now,
                updated_at=now,
            )
        )
    for level in levels.values():
        level.on_hand = level.on_hand.quantize(QUANTITY_PLACES)
        level.updated_at = now
    stock_write(tenant, posted.movements, list(levels.values()), now)
    posted.levels = levels
    for pk, level in levels.items():
        went_negative = before[pk] >= 0 > level.on_hand
        if (not _is_low(level, before[pk]) and _is_low(level, level.on_hand)) or went_negative:
            posted.crossed_low.append(level)
    posted.crossed_low.sort(key=lambda level: level.ingredient.name)
    posted.events += [stock_low(tenant, level, negative=level.on_hand < 0) for level in posted.crossed_low]
    posted.rows = portions_refresh(tenant, branch_id, list(levels), known=known, locked=levels)
    posted.items = list(posted.rows)
    return posted


def items_using(tenant: Tenant, branch_id: uuid.UUID, ingredient_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The stock-tracked menu items of the branch whose recipes (or the made-to-order
    semi-finished goods in them) use the ingredients, in one query."""
    return set(items_where(tenant, branch_id, ingredient_ids))


def items_where(
    tenant: Tenant, branch_id: uuid.UUID, ingredient_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID | None]:
    """``items_using`` with each item's branch (None: company-wide), in one query
    (``cafe.store.statements.uses_read``): the recipe lines naming the ingredients,
    or naming or making a made-to-order semi-finished good."""
    uses: dict[uuid.UUID, set[tuple[uuid.UUID | None, uuid.UUID | None]]] = defaultdict(set)
    branches: dict[uuid.UUID, uuid.UUID | None] = {}
    for used, dish, made, where in uses_read(tenant, branch_id, sorted(set(ingredient_ids))):
        uses[used].add((dish, made))
        if dish is not None:
            branches[dish] = where
    items: dict[uuid.UUID, uuid.UUID | None] = {}
    seen, frontier = set(ingredient_ids), set(ingredient_ids)
    for _depth in range(MAX_DEPTH + 1):
        found: set[uuid.UUID] = set()
        for ingredient in frontier:
            for item, semi in uses.get(ingredient, ()):
                if item is not None:
                    items[item] = branches[item]
                elif semi is not None and semi not in seen:
                    found.add(semi)
        seen |= found
        frontier = found
        if not frontier:
            break
    return items


def portions_refresh(
    tenant: Tenant,
    branch_id: uuid.UUID,
    ingredient_ids: Collection[uuid.UUID],
    *,
    known: Explosion | None = None,
    locked: Mapping[uuid.UUID, StockLevel] | None = None,
) -> dict[uuid.UUID, StopListRow]:
    """Sets ``remaining`` of the stock-tracked dishes using the ingredients to the
    portions the branch's stock allows; returns those whose value changed (with their
    rows: ``portions_set``). ``known``: recipes already read (a sale's); ``locked``:
    levels this transaction holds."""
    where = items_where(tenant, branch_id, ingredient_ids)
    return portions_set(tenant, branch_id, list(where), known=known, locked=locked, where=where)


def portions_set(
    tenant: Tenant,
    branch_id: uuid.UUID,
    item_ids: Collection[uuid.UUID],
    *,
    known: Explosion | None = None,
    locked: Mapping[uuid.UUID, StockLevel] | None = None,
    where: Mapping[uuid.UUID, uuid.UUID | None] | None = None,
) -> dict[uuid.UUID, StopListRow]:
    """Sets the branch's ``remaining`` of stock-tracked items (on a branch item, or
    its ``MenuItemBranch`` row for a company-wide one, made if missing) to the
    portions its recipe and the stock allow (null where it has no recipe here). The
    rows are locked (in id order) before the levels are read, so of two postings the
    later one writes what both left (the levels this transaction holds, ``locked``,
    are read from memory: nobody else can change them). Returns the items whose
    ``remaining`` changed, each with its row as written (``StopListRow``: read whole
    under its lock, so a caller reports it without reading it again). ``where``: the
    items' branches (None: company-wide), as ``items_where`` read them with their
    recipes (not read again)."""
    if not item_ids:
        return {}
    if where is None:
        where = dict(
            tenant.scope(MenuItem).filter(pk__in=list(item_ids), stock_tracked=True).values_list("pk", "branch_id")
        )
    own_ids = sorted(pk for pk, branch in where.items() if branch == branch_id)
    shared_ids = sorted(pk for pk, branch in where.items() if branch is None)
    held = locked or {}
    if own_ids and not shared_ids:
        # The branch's own dishes whose ingredients this transaction holds: their
        # portions are known before their rows are locked (nobody else can change
        # those levels), so the rows are locked and written in one statement.
        explosion = known if known is not None and known.covers(own_ids) else Explosion.load(tenant, branch_id, own_ids)
        needs = {pk: explosion.portion(pk) for pk in own_ids}
        if all(ingredient in held for need in needs.values() if need for ingredient in need):
            on_hand = {pk: level.on_hand for pk, level in held.items()}
            values = [(pk, None if need is None else portions_possible(need, on_hand)) for pk, need in needs.items()]
            written = own_items_set(tenant, branch_id, values)
            if written is not None:
                return {item.pk: item for item in written}
        known = explosion
    own = own_items_locked(tenant, branch_id, own_ids) if own_ids else {}
    shared = shared_rows_locked(tenant, branch_id, shared_ids) if shared_ids else []
    if len(shared) < len(shared_ids):
        present = {row.menu_item_id for row in shared}
        MenuItemBranch.objects.bulk_create(
            [
                MenuItemBranch(company_id=tenant.company_id, branch_id=branch_id, menu_item_id=pk)
                for pk in shared_ids
                if pk not in present
            ],
            ignore_conflicts=True,
        )
        shared = shared_rows_locked(tenant, branch_id, shared_ids)
    every = [*own, *shared_ids]
    explosion = known if known is not None and known.covers(every) else Explosion.load(tenant, branch_id, every)
    needs = {pk: explosion.portion(pk) for pk in every}
    wanted = {ingredient for need in needs.values() if need for ingredient in need}
    on_hand = {pk: held[pk].on_hand for pk in wanted if pk in held}
    if wanted - set(on_hand):
        on_hand.update(
            tenant.scope(StockLevel)
            .filter(branch=branch_id, ingredient__in=list(wanted - set(on_hand)))
            .values_list("ingredient", "on_hand")
        )

    def portions(pk: uuid.UUID) -> int | None:
        need = needs.get(pk)
        return None if need is None else portions_possible(need, on_hand)

    own_changed = [item for pk, item in own.items() if item.remaining != portions(pk)]
    for item in own_changed:
        item.remaining = portions(item.pk)
    shared_changed = [row for row in shared if row.remaining != portions(row.menu_item_id)]
    for row in shared_changed:
        row.remaining = portions(row.menu_item_id)
    remaining_write(tenant, MenuItem, [(item.pk, item.remaining) for item in own_changed])
    remaining_write(tenant, MenuItemBranch, [(row.pk, row.remaining) for row in shared_changed])
    changed: dict[uuid.UUID, StopListRow] = {item.pk: item for item in own_changed}
    changed.update((row.menu_item_id, row) for row in shared_changed)
    return changed


__all__ = [
    "Move",
    "MovementKind",
    "Posted",
    "Shortage",
    "StockShortage",
    "StopListRow",
    "items_using",
    "items_where",
    "levels_locked",
    "portions_refresh",
    "portions_set",
    "stock_post",
]
