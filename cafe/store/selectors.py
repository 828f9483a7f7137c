"""Reads of the storeroom, each starting from the tenant's scope."""

import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from accounts.tenancy import Tenant
from cafe.store.models import Ingredient, ModifierEffect, Recipe, RecipeLine, StockLevel, StockMovement, StockSettings


def ingredient_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Ingredient]:
    return tenant.scope(Ingredient).order_by("name", "id")


def ingredient_get(*, tenant: Tenant, ingredient_id: uuid.UUID, lock: bool = False) -> Ingredient:
    rows = tenant.scope(Ingredient)
    if lock:
        rows = rows.select_for_update(of=("self",), no_key=True)
    return rows.get(pk=ingredient_id)


def _recipes(tenant: Tenant) -> QuerySet[Recipe]:
    lines = tenant.scope(RecipeLine).select_related("ingredient").order_by("position", "created_at", "id")
    return tenant.scope(Recipe).prefetch_related(Prefetch("lines", queryset=lines))


def recipe_list(
    *,
    tenant: Tenant,
    branch: uuid.UUID | None = None,
    menu_item: uuid.UUID | None = None,
    semi_finished: uuid.UUID | None = None,
) -> QuerySet[Recipe]:
    rows = _recipes(tenant)
    if branch is not None:
        rows = rows.filter(Q(branch=branch) | Q(branch__isnull=True))
    if menu_item is not None:
        rows = rows.filter(menu_item=menu_item)
    if semi_finished is not None:
        rows = rows.filter(semi_finished=semi_finished)
    return rows.order_by("created_at", "id")


def recipe_get(*, tenant: Tenant, recipe_id: uuid.UUID) -> Recipe:
    return with_effects(tenant, [_recipes(tenant).get(pk=recipe_id)])[0]


def stock_levels(*, tenant: Tenant, branch: uuid.UUID) -> QuerySet[StockLevel]:
    """A branch's stock: every ingredient it has a level (or a threshold) for."""
    return tenant.scope(StockLevel).filter(branch=branch).select_related("ingredient").order_by("ingredient__name")


def stock_movements(
    *, tenant: Tenant, branch: uuid.UUID, ingredient: uuid.UUID | None = None
) -> QuerySet[StockMovement]:
    rows = tenant.scope(StockMovement).filter(branch=branch).select_related("ingredient")
    if ingredient is not None:
        rows = rows.filter(ingredient=ingredient)
    return rows.order_by("-created_at", "-id")


def stock_settings(*, tenant: Tenant, branch: uuid.UUID) -> StockSettings:
    """A branch's settings (unsaved defaults when it has none)."""
    found = tenant.scope(StockSettings).filter(branch=branch).first()
    return found or StockSettings(company_id=tenant.company_id, branch_id=branch)


def with_effects(tenant: Tenant, recipes: Iterable[Recipe]) -> list[Recipe]:
    """Sets ``effects`` on each dish's recipe: its modifiers' effects (one query)."""
    recipes = list(recipes)
    items = {recipe.menu_item_id for recipe in recipes if recipe.menu_item_id}
    found: dict[uuid.UUID, list[ModifierEffect]] = defaultdict(list)
    if items:
        rows = tenant.scope(ModifierEffect).filter(modifier__group__menu_item__in=list(items))
        for effect in rows.select_related("modifier__group").order_by("created_at", "id"):
            found[effect.modifier.group.menu_item_id].append(effect)
    for recipe in recipes:
        recipe.effects = found.get(recipe.menu_item_id, []) if recipe.menu_item_id else []  # type: ignore[attr-defined]
    return recipes
