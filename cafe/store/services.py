"""Writes of the storeroom's catalogue: ingredients, their per-branch threshold, a
branch's settings, recipes and what modifiers do to them. Stock itself changes
only through ``cafe.store.posting.stock_post`` (and sales through
``cafe.store.taking``). A recipe write turns stock tracking on for its dish (off
with its last recipe) and sets the dish's ``remaining`` in every branch, with
``menu_item_updated`` for each branch whose value changed."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import Branch
from accounts.tenancy import Tenant, branch_for_write
from cafe.menu.events import menu_item_updated
from cafe.menu.models import MenuItem, MenuItemBranch, Modifier
from cafe.menu.selectors import menu_item_views
from cafe.shared.services import save_unique
from cafe.store.models import (
    EffectAction,
    Ingredient,
    IngredientKind,
    ModifierEffect,
    Recipe,
    RecipeLine,
    StockLevel,
    StockSettings,
)
from cafe.store.posting import items_using, levels_locked, portions_set
from cafe.store.recipes import MAX_DEPTH
from cafe.store.selectors import ingredient_get, recipe_get
from cafe.store.units import units_compatible
from core.errors import Conflict, room_for_one_more
from realtime.emit import PendingEvent, emit

# A recipe has at most this many lines; a modifier at most this many effects.
RECIPE_MAX_LINES = 50
MODIFIER_MAX_EFFECTS = 10


def _company_only(tenant: Tenant) -> None:
    if not tenant.company_wide:
        raise PermissionDenied(_("Only an owner or admin changes the company's ingredients and recipes."))


def ingredient_create(
    *, tenant: Tenant, name: str, unit: str, kind: str = IngredientKind.INGREDIENT, made_to_order: bool = False
) -> Ingredient:
    _company_only(tenant)
    # Counted without a lock, as the guest book is: concurrent creations may pass it by a few.
    room_for_one_more(
        tenant.scope(Ingredient),
        settings.INGREDIENTS_MAX_PER_COMPANY,
        _("A company keeps at most %(limit)s ingredients (INGREDIENTS_MAX_PER_COMPANY)."),
    )
    ingredient = Ingredient(company=tenant.company, name=name, unit=unit, kind=kind, made_to_order=made_to_order)
    _check_ingredient(ingredient)
    save_unique(ingredient, "name", _("An ingredient with this name already exists."))
    return ingredient


def _check_ingredient(ingredient: Ingredient) -> None:
    if ingredient.made_to_order and ingredient.kind != IngredientKind.SEMI_FINISHED:
        raise ValidationError({"made_to_order": [_("Only a semi-finished good is made to order.")]})


@transaction.atomic
def ingredient_update(*, tenant: Tenant, ingredient_id: uuid.UUID, **changes: Any) -> Ingredient:
    """Its unit stays once stock has moved (the ledger is in it) or a recipe names it
    in a unit that would no longer convert."""
    _company_only(tenant)
    ingredient = ingredient_get(tenant=tenant, ingredient_id=ingredient_id, lock=True)
    unit = changes.get("unit", ingredient.unit)
    if unit != ingredient.unit and (
        ingredient.movements.exists()
        or any(
            not units_compatible(used, unit)
            for used in tenant.scope(RecipeLine).filter(ingredient=ingredient).values_list("unit", flat=True)
        )
    ):
        raise Conflict(_("The unit of an ingredient with stock movements or recipes in other units cannot change."))
    if changes.get("kind", ingredient.kind) != IngredientKind.SEMI_FINISHED and ingredient.recipes.exists():
        raise Conflict(_("A semi-finished good with a recipe stays one; delete its recipe first."))
    for field, value in changes.items():
        setattr(ingredient, field, value)
    _check_ingredient(ingredient)
    save_unique(ingredient, "name", _("An ingredient with this name already exists."))
    return ingredient


@transaction.atomic
def ingredient_delete(*, tenant: Tenant, ingredient_id: uuid.UUID) -> None:
    """Only an ingredient no recipe, modifier or stock movement names."""
    _company_only(tenant)
    ingredient = ingredient_get(tenant=tenant, ingredient_id=ingredient_id, lock=True)
    try:
        with transaction.atomic():
            ingredient.delete()
    except ProtectedError:
        raise Conflict(
            _("%(name)s is used by recipes, modifiers or stock movements; it cannot be deleted.")
            % {"name": ingredient.name}
        ) from None


@transaction.atomic
def ingredient_threshold_set(
    *, tenant: Tenant, ingredient_id: uuid.UUID, branch: uuid.UUID | None = None, low_threshold: Decimal | None
) -> StockLevel:
    """The branch's low-stock threshold of an ingredient (null: none); a manager sets
    their own branch's. ``stock_low`` goes out when stock next crosses it."""
    if not tenant.may_manage:
        raise PermissionDenied(_("Only a manager sets the low-stock threshold."))
    ingredient = ingredient_get(tenant=tenant, ingredient_id=ingredient_id)
    home = branch_for_write(tenant, branch)
    level = levels_locked(tenant, home.pk, [ingredient.pk])[ingredient.pk]
    level.low_threshold = low_threshold
    level.save(update_fields=["low_threshold", "updated_at"])
    return level


@transaction.atomic
def stock_settings_set(*, tenant: Tenant, branch: uuid.UUID | None = None, allow_negative: bool) -> StockSettings:
    if not tenant.may_manage:
        raise PermissionDenied(_("Only a manager changes the branch's stock settings."))
    home = branch_for_write(tenant, branch)
    found, _created = tenant.scope(StockSettings).update_or_create(
        branch=home, defaults={"allow_negative": allow_negative, "company": tenant.company}
    )
    return found


# Recipes


def _line_errors(tenant: Tenant, lines: Sequence[dict[str, Any]], made: Ingredient | None) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if len(lines) > RECIPE_MAX_LINES:
        return {"lines": [_("A recipe has at most %(limit)s lines.") % {"limit": RECIPE_MAX_LINES}]}
    known = tenant.scope(Ingredient).in_bulk([line["ingredient"] for line in lines])
    seen: set[uuid.UUID] = set()
    for index, line in enumerate(lines):
        ingredient = known.get(line["ingredient"])
        if ingredient is None:
            errors[str(index)] = {"ingredient": [_("Ingredient not found.")]}
        elif made is not None and ingredient.pk == made.pk:
            errors[str(index)] = {"ingredient": [_("A semi-finished good cannot be made of itself.")]}
        elif ingredient.pk in seen:
            errors[str(index)] = {"ingredient": [_("Name each ingredient once.")]}
        elif not units_compatible(line["unit"], ingredient.unit):
            errors[str(index)] = {
                "unit": [_("%(unit)s does not convert to %(base)s.") % {"unit": line["unit"], "base": ingredient.unit}]
            }
        if ingredient is not None:
            seen.add(ingredient.pk)
    return {"lines": errors} if errors else {}


def _nesting_error(tenant: Tenant, made: Ingredient, inner: set[uuid.UUID]) -> str | None:
    """Made-to-order semi-finished goods inside ``made``'s new lines: none may contain
    ``made`` itself, nor nest deeper than ``MAX_DEPTH``."""
    level = set(tenant.scope(Ingredient).filter(pk__in=list(inner), made_to_order=True).values_list("pk", flat=True))
    for _depth in range(MAX_DEPTH):
        if made.pk in level:
            return _("A semi-finished good cannot be made of itself.")
        if not level:
            return None
        level = set(
            tenant.scope(RecipeLine)
            .filter(recipe__semi_finished__in=list(level), ingredient__made_to_order=True)
            .values_list("ingredient", flat=True)
        )
    return _("Semi-finished goods nest at most %(limit)s deep.") % {"limit": MAX_DEPTH} if level else None


def _effects(tenant: Tenant, item: MenuItem, effects: Sequence[dict[str, Any]]) -> list[ModifierEffect]:
    modifiers = tenant.scope(Modifier).filter(group__menu_item=item).in_bulk()
    names = [e["ingredient"] for e in effects] + [e["replacement"] for e in effects if e.get("replacement")]
    known = tenant.scope(Ingredient).in_bulk(names)
    errors: dict[str, Any] = {}
    rows = []
    for index, effect in enumerate(effects):
        problems: dict[str, list[str]] = {}
        modifier = modifiers.get(effect["modifier"])
        ingredient = known.get(effect["ingredient"])
        replacement = known.get(effect["replacement"]) if effect.get("replacement") else None
        quantity, unit = effect.get("quantity"), effect.get("unit") or ""
        if modifier is None:
            problems["modifier"] = [_("Not a modifier of this menu item.")]
        if ingredient is None:
            problems["ingredient"] = [_("Ingredient not found.")]
        if effect["action"] == EffectAction.ADD and quantity is None:
            problems["quantity"] = [_("Say how much it adds.")]
        if effect["action"] == EffectAction.REPLACE and replacement is None:
            problems["replacement"] = [_("Name the ingredient it puts in instead.")]
        target = replacement if effect["action"] == EffectAction.REPLACE else ingredient
        if unit and target is not None and not units_compatible(unit, target.unit):
            problems["unit"] = [_("%(unit)s does not convert to %(base)s.") % {"unit": unit, "base": target.unit}]
        if (
            effect["action"] == EffectAction.REPLACE
            and quantity is None
            and ingredient is not None
            and replacement is not None
            and not units_compatible(ingredient.unit, replacement.unit)
        ):
            problems["quantity"] = [_("Say how much of the replacement: its unit differs.")]
        if problems:
            errors[str(index)] = problems
            continue
        rows.append(
            ModifierEffect(
                company_id=tenant.company_id,
                modifier=modifier,
                action=effect["action"],
                ingredient=ingredient,
                replacement=replacement,
                quantity=quantity if effect["action"] != EffectAction.REMOVE else None,
                unit=unit,
            )
        )
    per_modifier: dict[uuid.UUID, int] = {}
    for row in rows:
        per_modifier[row.modifier_id] = per_modifier.get(row.modifier_id, 0) + 1
    if any(count > MODIFIER_MAX_EFFECTS for count in per_modifier.values()):
        errors["all"] = [_("A modifier has at most %(limit)s effects.") % {"limit": MODIFIER_MAX_EFFECTS}]
    if errors:
        raise ValidationError({"modifier_effects": errors})
    return rows


def _branches_of(tenant: Tenant, recipe: Recipe) -> list[Branch]:
    """The branches whose stop-list a recipe decides."""
    if recipe.branch_id is not None:
        return [recipe.branch]  # type: ignore[list-item]
    if recipe.menu_item is not None and recipe.menu_item.branch_id is not None:
        return [recipe.menu_item.branch]  # type: ignore[list-item]
    return list(tenant.branches().order_by("pk")) if tenant.company_wide else [tenant.branch]  # type: ignore[list-item]


def _follow(tenant: Tenant, recipe: Recipe) -> list[PendingEvent[Any]]:
    """Sets the stop-list of the dishes a recipe decides, in its branches."""
    events: list[PendingEvent[Any]] = []
    for branch in _branches_of(tenant, recipe):
        if recipe.menu_item_id is not None:
            changed = list(portions_set(tenant, branch.pk, [recipe.menu_item_id]))
        else:
            changed = list(portions_set(tenant, branch.pk, items_using(tenant, branch.pk, [recipe.semi_finished_id])))  # type: ignore[list-item]
        if changed:
            events += menu_item_updated(menu_item_views(tenant=tenant, item_ids=changed, branch_id=branch.pk))
    return events


def _check_recipe_rights(tenant: Tenant, recipe: Recipe) -> None:
    """A company recipe is an owner's or admin's; a manager writes their branch's
    recipes (a branch override, or a recipe of their branch's own dish)."""
    if tenant.company_wide:
        return
    if not tenant.may_manage:
        raise PermissionDenied(_("Only a manager changes recipes."))
    if recipe.branch_id is None:
        raise PermissionDenied(_("Only an owner or admin changes the company's recipes; add one for your branch."))


def _write_recipe(
    tenant: Tenant, recipe: Recipe, lines: Sequence[dict[str, Any]] | None, effects: Sequence[dict[str, Any]] | None
) -> Recipe:
    errors = _line_errors(tenant, lines, recipe.semi_finished) if lines is not None else {}
    if errors:
        raise ValidationError(errors)
    if lines is not None and recipe.semi_finished is not None:
        nesting = _nesting_error(tenant, recipe.semi_finished, {line["ingredient"] for line in lines})
        if nesting:
            raise ValidationError({"lines": [nesting]})
    message = _("This has a recipe here already; change that one.")
    save_unique(recipe, "menu_item" if recipe.menu_item_id else "semi_finished", message)
    if lines is not None:
        tenant.scope(RecipeLine).filter(recipe=recipe).delete()
        RecipeLine.objects.bulk_create(
            [
                RecipeLine(
                    company_id=tenant.company_id,
                    recipe=recipe,
                    ingredient_id=line["ingredient"],
                    quantity=line["quantity"],
                    unit=line["unit"],
                    loss_percent=line.get("loss_percent", Decimal(0)),
                    position=index,
                )
                for index, line in enumerate(lines)
            ]
        )
    if effects is not None and recipe.menu_item is not None:
        rows = _effects(tenant, recipe.menu_item, effects)
        tenant.scope(ModifierEffect).filter(modifier__group__menu_item=recipe.menu_item).delete()
        ModifierEffect.objects.bulk_create(rows)
    return recipe


def _tracking(tenant: Tenant, item: MenuItem | None) -> None:
    """A dish tracks stock while it has a recipe; without one its ``remaining`` is
    cleared in every branch (no limit) and the counted stop-list is back."""
    if item is None:
        return
    tracked = tenant.scope(Recipe).filter(menu_item=item).exists()
    if tracked != item.stock_tracked:
        item.stock_tracked = tracked
        fields = ["stock_tracked"]
        if not tracked:
            item.remaining = None
            fields.append("remaining")
            tenant.scope(MenuItemBranch).filter(menu_item=item).update(remaining=None)
        item.save(update_fields=fields)


@transaction.atomic
def recipe_create(
    *,
    tenant: Tenant,
    lines: Sequence[dict[str, Any]],
    menu_item: uuid.UUID | None = None,
    semi_finished: uuid.UUID | None = None,
    branch: uuid.UUID | None = None,
    output: Decimal = Decimal(1),
    modifier_effects: Sequence[dict[str, Any]] = (),
) -> Recipe:
    """A dish's or a semi-finished good's recipe, for the company (no ``branch``) or one
    branch that differs. The dish then tracks stock: its ``remaining`` follows it."""
    if (menu_item is None) == (semi_finished is None):
        raise ValidationError({"menu_item": [_("Name either a menu item or a semi-finished good.")]})
    recipe = Recipe(company=tenant.company, output=output)
    if menu_item is not None:
        item = tenant.scope(MenuItem).select_related("branch").filter(pk=menu_item).first()
        if item is None:
            raise ValidationError({"menu_item": [_("Menu item not found.")]})
        recipe.menu_item = item
        if item.branch_id is not None and branch is not None and branch != item.branch_id:
            raise ValidationError({"branch": [_("A branch's own dish has its recipe in that branch only.")]})
        # A branch's own dish: its recipe is that branch's; a manager's: their branch's.
        if item.branch_id is not None:
            branch = item.branch_id
        elif branch is None and tenant.branch is not None:
            branch = tenant.branch.pk
        if output != 1:
            raise ValidationError({"output": [_("A dish's recipe is for one portion.")]})
    else:
        semi = (
            tenant.scope(Ingredient).filter(pk=semi_finished or uuid.uuid4(), kind=IngredientKind.SEMI_FINISHED).first()
        )
        if semi is None:
            raise ValidationError({"semi_finished": [_("Semi-finished good not found.")]})
        recipe.semi_finished = semi
    if branch is not None:
        recipe.branch = branch_for_write(tenant, branch)
    _check_recipe_rights(tenant, recipe)
    _write_recipe(tenant, recipe, lines, modifier_effects if menu_item is not None else None)
    _tracking(tenant, recipe.menu_item)
    emit(company_id=tenant.company_id, events=_follow(tenant, recipe))
    return recipe_get(tenant=tenant, recipe_id=recipe.pk)


@transaction.atomic
def recipe_update(*, tenant: Tenant, recipe_id: uuid.UUID, **changes: Any) -> Recipe:
    """New lines (and modifier effects) replace the old ones; what it makes and where stay."""
    recipe = (
        tenant.scope(Recipe)
        .select_related("menu_item", "semi_finished", "branch")
        .select_for_update(of=("self",), no_key=True)
        .get(pk=recipe_id)
    )
    _check_recipe_rights(tenant, recipe)
    for field in ("menu_item", "semi_finished", "branch"):
        if field in changes and changes.pop(field) != getattr(recipe, f"{field}_id"):
            raise ValidationError({field: [_("A recipe stays with what it makes and where; add a new one.")]})
    if "output" in changes:
        if recipe.menu_item_id is not None and changes["output"] != 1:
            raise ValidationError({"output": [_("A dish's recipe is for one portion.")]})
        recipe.output = changes["output"]
    _write_recipe(tenant, recipe, changes.get("lines"), changes.get("modifier_effects"))
    emit(company_id=tenant.company_id, events=_follow(tenant, recipe))
    return recipe_get(tenant=tenant, recipe_id=recipe.pk)


@transaction.atomic
def recipe_delete(*, tenant: Tenant, recipe_id: uuid.UUID) -> None:
    """A dish without any recipe left stops tracking stock (its modifiers' effects go
    with its company recipe)."""
    recipe = (
        tenant.scope(Recipe)
        .select_related("menu_item", "semi_finished", "branch")
        .select_for_update(of=("self",), no_key=True)
        .get(pk=recipe_id)
    )
    _check_recipe_rights(tenant, recipe)
    branches = _branches_of(tenant, recipe)
    item = recipe.menu_item
    recipe.delete()
    if item is not None and recipe.branch_id is None:
        tenant.scope(ModifierEffect).filter(modifier__group__menu_item=item).delete()
    _tracking(tenant, item)
    events: list[PendingEvent[Any]] = []
    for branch in branches:
        if item is not None:
            changed = list(portions_set(tenant, branch.pk, [item.pk])) if item.stock_tracked else [item.pk]
        else:
            changed = list(portions_set(tenant, branch.pk, items_using(tenant, branch.pk, [recipe.semi_finished_id])))  # type: ignore[list-item]
        if changed:
            events += menu_item_updated(menu_item_views(tenant=tenant, item_ids=changed, branch_id=branch.pk))
    emit(company_id=tenant.company_id, events=events)
