"""The order kernel's stock seam: what every sale takes and every void gives back,
in the order's transaction, at the moment a line is ordered (created, or its
quantity raised). Items without a recipe keep the counted stop-list
(``cafe.menu.stock``: one conditional UPDATE per counted item); stock-tracked items
(``MenuItem.stock_tracked``) take their recipes' ingredients through
``cafe.store.posting.stock_post`` (levels locked in id order, checked, then
written), so two tablets can never both sell the last portion: the second gets
``StockShort`` (409) naming the dish and the portions left. An order of items that
track no stock costs no query here beyond the counted stop-list's.

What a sale took is recorded per line (its ``sale`` movements name the line and
the portions they cover), and a void gives back that, pro rata for the portions
never started, whatever the recipe says by then. A refund gives nothing back."""

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from accounts.tenancy import Tenant
from cafe.menu import stock as counted_stock
from cafe.menu.models import MenuItem
from cafe.menu.stock import StockShort
from cafe.store.models import MovementKind, StockMovement
from cafe.store.posting import Move, StockShortage, StopListRow, shortages_described, stock_post
from cafe.store.recipes import Explosion, Need, effects_of, portions_possible
from realtime.emit import PendingEvent


@dataclass(frozen=True)
class LineTake:
    """A line about to be ordered (or ``quantity`` more portions of one)."""

    line_id: uuid.UUID
    item: MenuItem
    quantity: int
    modifier_ids: tuple[uuid.UUID, ...] = ()
    # Sold by weight: each portion's kg, by which the recipe (written for one kilogram) is scaled.
    weight: Decimal | None = None

    @property
    def scale(self) -> Decimal:
        """How many recipes the line takes: its portions, times its weight when weighed."""
        return self.quantity * (self.weight if self.weight is not None else Decimal(1))


@dataclass
class Taken:
    """``items``: menu items whose ``remaining`` changed (``menu_item_updated`` is due);
    ``events``: the storeroom's own (``stock_low``); ``lines``: the lines that took
    ingredients (their ``OrderItem.stock_taken`` is set); ``rows``: of the
    stock-tracked ``items``, their stop-list rows as written, read whole under their
    locks (``cafe.store.posting.portions_set``): a caller holding the items as the
    branch sees them reports them without reading them again."""

    items: list[uuid.UUID] = field(default_factory=list)
    events: list[PendingEvent[Any]] = field(default_factory=list)
    lines: set[uuid.UUID] = field(default_factory=set)
    rows: dict[uuid.UUID, StopListRow] = field(default_factory=dict)


def tracks_stock(item: MenuItem) -> bool:
    return item.stock_tracked


def _short_dish(lines: Sequence[tuple[LineTake, Need]], error: StockShortage) -> StockShort:
    """The first line the stock cannot serve, with the portions of it that are left
    after the lines before it."""
    left = dict(error.on_hand)
    for line, need in lines:
        if any(left.get(pk, Decimal(0)) < q * line.scale for pk, q in need.items() if q > 0):
            short = StockShort(line.item, portions_possible(need, left))
            detail: dict[str, Any] = dict(short.detail)  # type: ignore[arg-type]
            detail["ingredients"] = shortages_described(error.shortages)
            short.detail = detail
            return short
        for pk, q in need.items():
            left[pk] = left.get(pk, Decimal(0)) - q * line.scale
    return StockShort(lines[0][0].item, 0)


def stock_take(
    *,
    tenant: Tenant,
    branch_id: uuid.UUID,
    counted: Mapping[MenuItem, int] | None = None,
    tracked: Sequence[LineTake] = (),
) -> Taken:
    """Takes portions for a sale: ``counted`` off the stop-list counts (items without
    a recipe whose ``remaining`` is set), ``tracked`` lines' ingredients off the stock.
    Raises ``StockShort`` (409: the dish, ``remaining`` portions, ``ingredients``
    short) unless the branch allows negative stock, which warns with ``stock_low``."""
    taken = Taken()
    if counted:
        taken.items += counted_stock.stock_take(tenant=tenant, branch_id=branch_id, wanted=counted)
    if not tracked:
        return taken
    explosion = Explosion.load(tenant, branch_id, {line.item.pk for line in tracked})
    effects = effects_of(tenant, {pk for line in tracked for pk in line.modifier_ids})
    needs: list[tuple[LineTake, Need]] = []
    moves: list[Move] = []
    for line in tracked:
        need = explosion.portion(line.item.pk, [e for pk in line.modifier_ids for e in effects.get(pk, ())])
        if need is None:
            continue
        needs.append((line, need))
        taken.lines.add(line.line_id)
        moves += [
            Move(pk, MovementKind.SALE, -q * line.scale, order_line_id=line.line_id, portions=line.quantity)
            for pk, q in sorted(need.items())
        ]
    try:
        posted = stock_post(tenant=tenant, branch_id=branch_id, moves=moves, known=explosion)
    except StockShortage as error:
        raise _short_dish(needs, error) from None
    taken.items += [pk for pk in posted.items if pk not in taken.items]
    taken.events += posted.events
    taken.rows.update(posted.rows)
    return taken


def stock_return(
    *, tenant: Tenant, branch_id: uuid.UUID, item: MenuItem, count: int, line_id: uuid.UUID, stock_taken: bool
) -> Taken:
    """Gives back ``count`` portions of a line that were never started (reduced,
    voided, or its order cancelled): what its sale movements took, pro rata (a line
    that took ingredients, ``stock_taken``), or its stop-list count. A refund calls
    nothing here. ``line_id``: the line the stock was taken for (a split line's
    original: its sale movements name that one)."""
    taken = Taken()
    if count <= 0:
        return taken
    if not stock_taken:
        # A stock-tracked dish's remaining is the storeroom's, not a count to add to.
        if not item.stock_tracked:
            taken.items += counted_stock.stock_return(tenant=tenant, branch_id=branch_id, item=item, count=count)
        return taken
    moves = []
    for ingredient, held in sorted(line_held(tenant, line_id).items()):
        # Pro rata of what the line still holds for the portions it still holds (a
        # re-weighing, ``stock_reweigh``, changed what its portions hold since the sale).
        giving = held.quantity if count >= held.portions else held.quantity / held.portions * count
        if giving > 0:
            moves.append(
                Move(
                    ingredient,
                    MovementKind.VOID,
                    giving,
                    order_line_id=line_id,
                    portions=count,
                    unit_cost=held.unit_cost,
                )
            )
    posted = stock_post(tenant=tenant, branch_id=branch_id, moves=moves, allow_negative=True)
    taken.items += posted.items
    taken.events += posted.events
    taken.rows.update(posted.rows)
    return taken


# The ledger's places (``cafe.store.posting.QUANTITY_PLACES``): a re-weighing's
# difference is rounded to them before it is posted, so the level and the ledger agree.
LEDGER_PLACES = Decimal("0.001")


@dataclass(frozen=True)
class Held:
    """What a line still holds of an ingredient: its sales' take less its voids'
    returns (``quantity``), the portions that covers, and the cost it left at."""

    quantity: Decimal
    portions: int
    unit_cost: Decimal


def line_held(tenant: Tenant, line_id: uuid.UUID) -> dict[uuid.UUID, Held]:
    """What a line holds of each ingredient it took (``Held``), from its movements."""
    rows = (
        tenant.scope(StockMovement)
        .filter(order_line_id=line_id, kind__in=[MovementKind.SALE, MovementKind.VOID])
        .order_by()
        .values_list("ingredient", "kind")
        .annotate(total=Sum("quantity"), covered=Sum("portions"), value=Sum(F("quantity") * F("unit_cost")))
    )
    sold: dict[uuid.UUID, tuple[Decimal, int, Decimal]] = {}
    back: dict[uuid.UUID, tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))
    for ingredient, kind, quantity, portions, value in rows:
        total = quantity.quantize(LEDGER_PLACES)  # SQLite sums decimals as floats
        if kind == MovementKind.SALE:
            sold[ingredient] = (-total, portions or 0, value / quantity if total else Decimal(0))
        else:
            back[ingredient] = (total, portions or 0)
    return {
        ingredient: Held(quantity - back[ingredient][0], portions - back[ingredient][1], cost)
        for ingredient, (quantity, portions, cost) in sold.items()
    }


def stock_reweigh(
    *,
    tenant: Tenant,
    branch_id: uuid.UUID,
    item: MenuItem,
    line_id: uuid.UUID,
    portions: int,
    weight_before: Decimal,
    weight_after: Decimal,
) -> Taken:
    """A weighed line's portions weighed again, ``weight_before`` → ``weight_after``
    kg: for its ``portions`` (those on the bill, started and served ones too: the
    line's weight is the truth for each), what the line holds per portion is scaled to
    the new weight, and the difference is taken (heavier: ``sale`` movements) or
    given back (lighter: ``void`` movements, at the cost it left), naming the line and
    no portions of their own. Scaling what the line took keeps it the recipe, the
    modifiers and the cooking loss it was sold with, whatever the recipe says by now,
    so a later void gives back exactly what the line holds. Heavier beyond the stock
    raises ``StockShort`` as a sale does (nothing written) unless the branch allows
    negative stock. For a line that took ingredients (``OrderItem.stock_taken``);
    ``line_id``: the line the stock was taken for (a split line's original)."""
    taken = Taken()
    if portions <= 0 or weight_after == weight_before:
        return taken
    ratio = (weight_after - weight_before) / weight_before
    note = f"{weight_before:.3f} → {weight_after:.3f} kg"
    need: Need = {}
    moves = []
    for ingredient, held in sorted(line_held(tenant, line_id).items()):
        if held.quantity <= 0 or held.portions <= 0:
            continue
        each = held.quantity / held.portions
        need[ingredient] = each / weight_before
        difference = (each * portions * ratio).quantize(LEDGER_PLACES)
        if difference > 0:
            moves.append(Move(ingredient, MovementKind.SALE, -difference, note=note, order_line_id=line_id))
        elif difference < 0:
            moves.append(
                Move(ingredient, MovementKind.VOID, -difference, held.unit_cost, note=note, order_line_id=line_id)
            )
    try:
        posted = stock_post(tenant=tenant, branch_id=branch_id, moves=moves, allow_negative=True if ratio < 0 else None)
    except StockShortage as error:
        raise _short_dish(
            [(LineTake(line_id, item, portions, weight=weight_after - weight_before), need)], error
        ) from None
    taken.items += posted.items
    taken.events += posted.events
    return taken
