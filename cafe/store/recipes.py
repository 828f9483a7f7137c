"""Recipes exploded into what one portion takes from stock: a branch's own recipe
where it has one, else the company's; a modifier's effects (add, remove, replace)
applied to the dish's lines; made-to-order semi-finished goods replaced by their
own recipes (scaled by what the batch makes), stocked ones taken as they are; each
line's cooking loss added (``quantity / (1 − loss/100)``). A handful of queries
for any number of items: one per level of semi-finished goods, never one per item
or ingredient."""

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.tenancy import Tenant
from cafe.store.models import EffectAction, Ingredient, IngredientKind, ModifierEffect, Recipe, RecipeLine
from cafe.store.statements import recipe_lines
from cafe.store.units import unit_convert

# Semi-finished goods inside semi-finished goods, at most this deep (deeper ones are
# taken off their own stock); recipe writes refuse deeper nesting.
MAX_DEPTH = 4
HUNDRED = Decimal(100)

# Ingredient id → quantity in its base unit.
Need = dict[uuid.UUID, Decimal]


def line_need(quantity: Decimal, unit: str, loss_percent: Decimal, ingredient: Ingredient) -> Decimal:
    """What the stock gives for a recipe line, in the ingredient's base unit."""
    base = unit_convert(quantity, from_unit=unit, to_unit=ingredient.unit)
    return base * HUNDRED / (HUNDRED - loss_percent) if loss_percent else base


def _made_to_order(ingredient: Ingredient) -> bool:
    return ingredient.kind == IngredientKind.SEMI_FINISHED and ingredient.made_to_order


def _effective(found: dict[uuid.UUID, Recipe], key: uuid.UUID, recipe: Recipe) -> None:
    """The branch's own recipe wins over the company's."""
    if recipe.branch_id is not None or key not in found:
        found[key] = recipe


@dataclass
class Explosion:
    """The effective recipes of some menu items in a branch, and of every made-to-order
    semi-finished good of the company (a few, each of a few lines), read in one query."""

    items: dict[uuid.UUID, Recipe] = field(default_factory=dict)
    semis: dict[uuid.UUID, Recipe] = field(default_factory=dict)
    ingredients: dict[uuid.UUID, Ingredient] = field(default_factory=dict)
    # Each recipe's lines (by recipe id), in their order.
    lines: dict[uuid.UUID, list[RecipeLine]] = field(default_factory=lambda: defaultdict(list))
    # The items asked for (None: built by hand).
    loaded: set[uuid.UUID] | None = None

    @classmethod
    def load(cls, tenant: Tenant, branch_id: uuid.UUID, item_ids: Collection[uuid.UUID]) -> "Explosion":
        """One query: the lines of the items' recipes and of the made-to-order
        semi-finished goods' (here, or the company's), with their recipes and ingredients."""
        found = cls(loaded=set(item_ids))
        if not item_ids:
            return found
        rows = recipe_lines(tenant, branch_id, list(item_ids))
        recipes: dict[uuid.UUID, Recipe] = {}
        for line in rows:
            recipe = recipes.setdefault(line.recipe_id, line.recipe)
            found.lines[recipe.pk].append(line)
            found.ingredients[line.ingredient_id] = line.ingredient
        for recipe in recipes.values():
            if recipe.menu_item_id is not None:
                _effective(found.items, recipe.menu_item_id, recipe)
            else:
                _effective(found.semis, recipe.semi_finished_id, recipe)  # type: ignore[arg-type]
        return found

    def covers(self, item_ids: Collection[uuid.UUID]) -> bool:
        """Whether the items' recipes were read here (an item without one counts)."""
        return self.loaded is not None and set(item_ids) <= self.loaded

    def _add(self, need: Need, ingredient: Ingredient, quantity: Decimal, depth: int = 0) -> None:
        recipe = self.semis.get(ingredient.pk) if _made_to_order(ingredient) and depth < MAX_DEPTH else None
        if recipe is None:
            need[ingredient.pk] += quantity
            return
        scale = quantity / recipe.output
        for line in self.lines[recipe.pk]:
            self._add(
                need,
                line.ingredient,
                line_need(line.quantity, line.unit, line.loss_percent, line.ingredient) * scale,
                depth + 1,
            )

    def portion(self, item_id: uuid.UUID, effects: Sequence[ModifierEffect] = ()) -> Need | None:
        """What one portion of the item takes (None: it has no recipe in the branch)."""
        recipe = self.items.get(item_id)
        if recipe is None:
            return None
        lines = [
            (line.ingredient, line_need(line.quantity, line.unit, line.loss_percent, line.ingredient))
            for line in self.lines[recipe.pk]
        ]
        for effect in effects:
            if effect.action == EffectAction.ADD:
                added = effect.quantity or Decimal(0)
                unit = effect.unit or effect.ingredient.unit
                lines.append((effect.ingredient, unit_convert(added, from_unit=unit, to_unit=effect.ingredient.unit)))
            elif effect.action == EffectAction.REMOVE:
                lines = [(ingredient, q) for ingredient, q in lines if ingredient.pk != effect.ingredient_id]
            else:
                replacement = effect.replacement
                if replacement is None:  # the database's check holds it
                    continue
                replaced = []
                for ingredient, q in lines:
                    if ingredient.pk != effect.ingredient_id:
                        replaced.append((ingredient, q))
                    elif effect.quantity is not None:
                        replaced.append(
                            (
                                replacement,
                                unit_convert(
                                    effect.quantity,
                                    from_unit=effect.unit or replacement.unit,
                                    to_unit=replacement.unit,
                                ),
                            )
                        )
                    else:
                        replaced.append(
                            (replacement, unit_convert(q, from_unit=ingredient.unit, to_unit=replacement.unit))
                        )
                lines = replaced
        need: Need = defaultdict(Decimal)
        for ingredient, quantity in lines:
            self._add(need, ingredient, quantity)
        return {pk: q for pk, q in need.items() if q}


def effects_of(tenant: Tenant, modifier_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[ModifierEffect]]:
    """The recipe effects of the modifiers (one query; none without modifiers)."""
    found: dict[uuid.UUID, list[ModifierEffect]] = defaultdict(list)
    if not modifier_ids:
        return found
    rows = tenant.scope(ModifierEffect).filter(modifier__in=list(modifier_ids))
    for effect in rows.select_related("ingredient", "replacement").order_by("created_at", "id"):
        found[effect.modifier_id].append(effect)
    return found


def portions_possible(need: Need, on_hand: dict[uuid.UUID, Decimal]) -> int:
    """Whole portions the stock allows for a portion's ``need``."""
    counts = [int(max(on_hand.get(pk, Decimal(0)), Decimal(0)) // q) for pk, q in need.items() if q > 0]
    return min(counts) if counts else 0
