"""The storeroom's reads on a sale's write path, as statements written once per
shape (``core.rows``) instead of querysets built and compiled on every order: the
recipes (``recipe_lines``), the levels locked (``levels_read``), the dishes using
some ingredients (``uses_read``) and the stop-list rows of stock-tracked dishes
locked (``own_items_locked``, ``shared_rows_locked``) and written (``remaining_write``). Each keeps the rows, the tenant
scope (``tenant_where``, the SQL of ``tenant.scope``), the order and the locks of
the queryset it replaces (docs/inventory.md, docs/benchmarks.md)."""

import datetime
import functools
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field, Model

from accounts.scoping import tenant_where
from accounts.tenancy import Tenant
from cafe.menu.models import MenuItem, MenuItemBranch
from cafe.store.models import Ingredient, Recipe, RecipeLine, StockLevel, StockMovement
from core.rows import VALUES_MAX_ROWS, columns, key, lock_clause, rows_insert, rows_read


def _quoted(alias: str, model: type[Model], name: str | None = None) -> str:
    """``model``'s table, or its column for the field ``name``, quoted and qualified."""
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    return table if name is None else f"{table}.{quote(cast(Field, model._meta.get_field(name)).column)}"


def _uuid(value: Any) -> uuid.UUID | None:
    """A key read by a hand-written statement (SQLite gives its hex text)."""
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _keys(model: type[Model], values: Sequence[uuid.UUID], alias: str) -> list[Any]:
    return [key(model, value, alias) for value in values]


def recipe_lines(tenant: Tenant, branch_id: uuid.UUID, item_ids: Sequence[uuid.UUID]) -> list[RecipeLine]:
    """The lines of the items' recipes and of the made-to-order semi-finished goods'
    (the branch's or the company's), each with its recipe and ingredient, in
    ``(recipe, position, created_at, id)`` order: ``Explosion.load``'s one query.
    Only what an explosion reads is read (``_EXPLODED``); the rest is deferred."""
    alias = router.db_for_read(RecipeLine)
    ids = sorted(set(item_ids))
    line_scope, line_params = _line_company(tenant, alias)
    recipe_scope, recipe_params = tenant_where(Recipe, tenant, alias)
    sql = _recipe_lines_sql(alias, len(ids)).format(scope=f"{line_scope} AND {recipe_scope}")
    params = [*_keys(MenuItem, ids, alias), key(Recipe, branch_id, alias), *line_params, *recipe_params]
    related = (("recipe", Recipe), ("ingredient", Ingredient))
    return rows_read(alias, sql, params, RecipeLine, related=related, only=_EXPLODED, shared=True)


# What ``Explosion`` reads of the recipes (their stamps and company are left deferred).
_EXPLODED: dict[type[Model], tuple[str, ...]] = {
    RecipeLine: ("recipe", "ingredient", "quantity", "unit", "loss_percent"),
    Recipe: ("menu_item", "semi_finished", "branch", "output"),
    Ingredient: ("name", "unit", "kind", "made_to_order"),
}


@functools.cache
def _recipe_lines_sql(alias: str, count: int) -> str:
    line, recipe, ingredient = (_quoted(alias, model) for model in (RecipeLine, Recipe, Ingredient))
    semi = connections[alias].ops.quote_name("semi")
    made = connections[alias].ops.quote_name(Ingredient._meta.get_field("made_to_order").column)
    keys = ", ".join(["%s"] * count)
    return (
        f"SELECT {', '.join(columns(model, alias, only) for model, only in _EXPLODED.items())}"
        f" FROM {line} INNER JOIN {recipe} ON ({_quoted(alias, RecipeLine, 'recipe')} = {_quoted(alias, Recipe, 'id')})"
        f" INNER JOIN {ingredient} ON ({_quoted(alias, RecipeLine, 'ingredient')} = {_quoted(alias, Ingredient, 'id')})"
        f" LEFT OUTER JOIN {ingredient} {semi} ON ({_quoted(alias, Recipe, 'semi_finished')} = {semi}.{_id(alias)})"
        f" WHERE ({_quoted(alias, Recipe, 'menu_item')} IN ({keys}) OR {semi}.{made})"
        f" AND ({_quoted(alias, Recipe, 'branch')} IS NULL OR {_quoted(alias, Recipe, 'branch')} = %s)"
        f" AND {{scope}} ORDER BY {_quoted(alias, RecipeLine, 'recipe')} ASC, {_quoted(alias, RecipeLine, 'position')}"
        f" ASC, {_quoted(alias, RecipeLine, 'created_at')} ASC, {_quoted(alias, RecipeLine, 'id')} ASC"
    )


def _id(alias: str) -> str:
    return connections[alias].ops.quote_name("id")


def _line_company(tenant: Tenant, alias: str) -> tuple[str, list[Any]]:
    """A recipe line's own tenant column (its branch is its recipe's, scoped on the recipe)."""
    field = cast(Field, RecipeLine._meta.get_field("company"))
    return f"{_quoted(alias, RecipeLine, 'company')} = %s", [
        field.get_db_prep_value(tenant.company_id, connections[alias])
    ]


def levels_read(
    tenant: Tenant,
    branch_id: uuid.UUID,
    ingredient_ids: Sequence[uuid.UUID],
    ingredients: Mapping[uuid.UUID, Ingredient] | None = None,
) -> list[StockLevel]:
    """The branch's levels of the ingredients with their ingredients, locked in id
    order (``FOR NO KEY UPDATE OF`` the levels); their stamps left deferred (``_LEVELS``).
    ``ingredients``: the ingredients already read (a sale's, with its recipes), not read
    again when they are all there."""
    alias = router.db_for_write(StockLevel)
    scope, params = tenant_where(StockLevel, tenant, alias)
    wanted = [key(StockLevel, branch_id, alias), *_keys(Ingredient, ingredient_ids, alias), *params]
    if ingredients is None or any(pk not in ingredients for pk in ingredient_ids):
        sql = _levels_sql(alias, len(ingredient_ids)).format(scope=scope)
        return rows_read(alias, sql, wanted, StockLevel, related=(("ingredient", Ingredient),), only=_LEVELS)
    sql = _levels_sql(alias, len(ingredient_ids), joined=False).format(scope=scope)
    levels = rows_read(alias, sql, wanted, StockLevel, only=_LEVELS)
    for level in levels:
        level._state.fields_cache["ingredient"] = ingredients[level.ingredient_id]
    return levels


# What a posting reads of the levels and their ingredients (their stamps are left deferred).
_LEVELS: dict[type[Model], tuple[str, ...]] = {
    StockLevel: ("company", "branch", "ingredient", "on_hand", "avg_cost", "low_threshold"),
    Ingredient: ("company", "name", "unit", "kind", "made_to_order"),
}


@functools.cache
def _levels_sql(alias: str, count: int, joined: bool = True) -> str:
    level, ingredient = _quoted(alias, StockLevel), _quoted(alias, Ingredient)
    keys = ", ".join(["%s"] * count)
    chosen = ", ".join(columns(model, alias, only) for model, only in _LEVELS.items() if joined or model is StockLevel)
    join = (
        f" INNER JOIN {ingredient} ON ({_quoted(alias, StockLevel, 'ingredient')} = {_quoted(alias, Ingredient, 'id')})"
    )
    return (
        f"SELECT {chosen} FROM {level}{join if joined else ''}"
        f" WHERE {_quoted(alias, StockLevel, 'branch')} = %s AND {_quoted(alias, StockLevel, 'ingredient')} IN ({keys})"
        f" AND {{scope}} ORDER BY {_quoted(alias, StockLevel, 'id')} ASC{lock_clause(alias, StockLevel)}"
    )


def uses_read(
    tenant: Tenant, branch_id: uuid.UUID, ingredient_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]]:
    """``(ingredient, menu item, semi-finished good, the menu item's branch)`` of the recipe lines (the
    branch's or the company's recipes) naming the ingredients, or naming or making a
    made-to-order semi-finished good, whose recipe is a semi-finished good's or a
    stock-tracked dish's of the branch: ``items_using``'s one query."""
    alias = router.db_for_read(RecipeLine)
    line_scope, line_params = _line_company(tenant, alias)
    recipe_scope, recipe_params = tenant_where(Recipe, tenant, alias)
    sql = _uses_sql(alias, len(ingredient_ids)).format(scope=f"{line_scope} AND {recipe_scope}")
    branch = key(Recipe, branch_id, alias)
    params = [*_keys(Ingredient, ingredient_ids, alias), branch, branch, *line_params, *recipe_params]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [(_uuid(used), _uuid(dish), _uuid(made), _uuid(where)) for used, dish, made, where in cursor.fetchall()]  # type: ignore[misc]


@functools.cache
def _uses_sql(alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    line, recipe, ingredient, item = (_quoted(alias, model) for model in (RecipeLine, Recipe, Ingredient, MenuItem))
    semi, used, dish = quote("semi"), quote("used"), quote("dish")
    made = quote(Ingredient._meta.get_field("made_to_order").column)
    tracked = quote(MenuItem._meta.get_field("stock_tracked").column)
    branch = quote(MenuItem._meta.get_field("branch").column)
    keys = ", ".join(["%s"] * count)
    named = f"{_quoted(alias, RecipeLine, 'ingredient')} IN ({keys})" if count else "1 = 0"
    recipe_branch = _quoted(alias, Recipe, "branch")
    return (
        f"SELECT {_quoted(alias, RecipeLine, 'ingredient')}, {_quoted(alias, Recipe, 'menu_item')},"
        f" {_quoted(alias, Recipe, 'semi_finished')}, {dish}.{branch}"
        f" FROM {line} INNER JOIN {recipe} ON ({_quoted(alias, RecipeLine, 'recipe')} = {_quoted(alias, Recipe, 'id')})"
        f" INNER JOIN {ingredient} {used} ON ({_quoted(alias, RecipeLine, 'ingredient')} = {used}.{_id(alias)})"
        f" LEFT OUTER JOIN {ingredient} {semi} ON ({_quoted(alias, Recipe, 'semi_finished')} = {semi}.{_id(alias)})"
        f" LEFT OUTER JOIN {item} {dish} ON ({_quoted(alias, Recipe, 'menu_item')} = {dish}.{_id(alias)})"
        f" WHERE ({named} OR {used}.{made} OR {semi}.{made})"
        f" AND ({recipe_branch} IS NULL OR {recipe_branch} = %s)"
        f" AND ({_quoted(alias, Recipe, 'menu_item')} IS NULL"
        f" OR ({dish}.{tracked} AND ({dish}.{branch} IS NULL OR {dish}.{branch} = %s)))"
        f" AND {{scope}}"
    )


def own_items_locked(tenant: Tenant, branch_id: uuid.UUID, item_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, MenuItem]:
    """The stock-tracked items of the branch itself among ``item_ids`` (not the
    company-wide ones), whole, their rows locked in id order: the row a
    ``menu_item_updated`` reports is read under the lock that writes its ``remaining``."""
    alias = router.db_for_write(MenuItem)
    scope, params = tenant_where(MenuItem, tenant, alias)
    sql = _own_items_sql(alias, len(item_ids)).format(scope=scope)
    wanted = [*_keys(MenuItem, item_ids, alias), key(MenuItem, branch_id, alias), *params]
    found = rows_read(alias, sql, wanted, MenuItem, only={MenuItem: _REPORTED})
    return {item.pk: item for item in found}


# What a ``menu_item_updated`` reports of a dish, and its ``remaining`` (its stamps are left deferred).
_REPORTED = (
    "company",
    "category",
    "title",
    "price",
    "is_available",
    "branch",
    "station",
    "remaining",
    "sold_by",
    "stock_tracked",
)


@functools.cache
def _own_items_sql(alias: str, count: int, chosen: str | None = None) -> str:
    """The lock of ``own_items_locked``, selecting ``chosen`` (its columns by default)."""
    keys = ", ".join(["%s"] * count)
    tracked = _quoted(alias, MenuItem, "stock_tracked")
    return (
        f"SELECT {chosen or columns(MenuItem, alias, _REPORTED)}"
        f" FROM {_quoted(alias, MenuItem)} WHERE {_quoted(alias, MenuItem, 'id')} IN ({keys}) AND {tracked}"
        f" AND {_quoted(alias, MenuItem, 'branch')} = %s AND {{scope}}"
        f" ORDER BY {_quoted(alias, MenuItem, 'id')} ASC{lock_clause(alias, MenuItem)}"
    )


def own_items_set(
    tenant: Tenant, branch_id: uuid.UUID, values: Sequence[tuple[uuid.UUID, int | None]]
) -> list[MenuItem] | None:
    """``own_items_locked`` and ``remaining_write`` in one statement, for remaining
    values known before the rows are locked: locks the stock-tracked items of the
    branch itself among the given ones in id order, sets their ``remaining``, and
    returns those whose value changed, whole as ``own_items_locked`` reads them, in id
    order. On PostgreSQL only (None elsewhere: the caller locks, then writes)."""
    alias = router.db_for_write(MenuItem)
    if connections[alias].vendor != "postgresql":
        return None
    scope, scope_params = tenant_where(MenuItem, tenant, alias)
    ids = [key(MenuItem, pk, alias) for pk, _remaining in values]
    params = [*ids, key(MenuItem, branch_id, alias), *scope_params]
    for pk, remaining in values:
        params += [key(MenuItem, pk, alias), remaining]
    sql = _own_items_set_sql(alias, len(values)).format(scope=scope)
    found = rows_read(alias, sql, params, MenuItem, only={MenuItem: _REPORTED})
    return sorted(found, key=lambda item: item.pk)


@functools.cache
def _own_items_set_sql(alias: str, count: int) -> str:
    table, pk, column = _quoted(alias, MenuItem), _quoted(alias, MenuItem, "id"), _quoted(alias, MenuItem, "remaining")
    rows = ", ".join(["(%s::uuid, %s::integer)"] * count)
    return (
        f"WITH locked AS ({_own_items_sql(alias, count, pk)})"
        f" UPDATE {table} SET {connections[alias].ops.quote_name('remaining')} = v.remaining"
        f" FROM locked, (VALUES {rows}) AS v(id, remaining)"
        f" WHERE {pk} = locked.id AND locked.id = v.id AND {column} IS DISTINCT FROM v.remaining"
        f" RETURNING {columns(MenuItem, alias, _REPORTED)}"
    )


def shared_rows_locked(tenant: Tenant, branch_id: uuid.UUID, item_ids: Sequence[uuid.UUID]) -> list[MenuItemBranch]:
    """The branch's rows (``MenuItemBranch``) of the company-wide items ``item_ids``,
    locked in id order (``FOR NO KEY UPDATE OF`` the rows)."""
    alias = router.db_for_write(MenuItemBranch)
    scope, params = tenant_where(MenuItemBranch, tenant, alias)
    sql = _shared_rows_sql(alias, len(item_ids)).format(scope=scope)
    wanted = [key(MenuItemBranch, branch_id, alias), *_keys(MenuItem, item_ids, alias), *params]
    return rows_read(alias, sql, wanted, MenuItemBranch)


@functools.cache
def _shared_rows_sql(alias: str, count: int) -> str:
    keys = ", ".join(["%s"] * count)
    return (
        f"SELECT {columns(MenuItemBranch, alias)} FROM {_quoted(alias, MenuItemBranch)}"
        f" WHERE {_quoted(alias, MenuItemBranch, 'branch')} = %s"
        f" AND {_quoted(alias, MenuItemBranch, 'menu_item')} IN ({keys}) AND {{scope}}"
        f" ORDER BY {_quoted(alias, MenuItemBranch, 'id')} ASC{lock_clause(alias, MenuItemBranch)}"
    )


def remaining_write(
    tenant: Tenant, model: type[MenuItem] | type[MenuItemBranch], values: Sequence[tuple[uuid.UUID, int | None]]
) -> None:
    """Sets ``remaining`` of rows the caller holds locked (by primary key): one
    statement, on PostgreSQL an ``UPDATE … FROM (VALUES …)`` whose text is made once
    per count, elsewhere ``bulk_update``."""
    if not values:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        rows = [model(pk=pk, remaining=remaining) for pk, remaining in values]
        tenant.scope(model).bulk_update(rows, ["remaining"])
        return
    params: list[Any] = [value for pair in values for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(_remaining_sql(model, alias, len(values)), params)


@functools.cache
def _remaining_sql(model: type[Model], alias: str, count: int) -> str:
    table = _quoted(alias, model)
    rows = ", ".join(["(%s::uuid, %s::integer)"] * count)
    return f"UPDATE {table} AS t SET remaining = v.remaining FROM (VALUES {rows}) AS v(id, remaining) WHERE t.id = v.id"


def stock_write(
    tenant: Tenant, movements: Sequence[StockMovement], levels: Sequence[StockLevel], now: datetime.datetime
) -> None:
    """Writes a posting: inserts its movements (new instances, keys set), as
    ``core.rows.rows_insert`` does (each value through its field's ``pre_save``, the
    stamps set on the instances, which are marked saved), and the levels' new on hand
    and average cost (``updated_at`` = ``now``), levels this transaction holds locked.

    On PostgreSQL one statement whose text depends only on the number of levels: the
    levels' ``UPDATE … FROM (VALUES …)`` (Django's ``bulk_update`` builds a ``CASE``
    per field and row, and compiles it on every call) with the movements' insert as
    its ``WITH``, the movements as one JSON document unpacked by the statement
    (``json_array_elements``), so a sale of many ingredients is not a statement of a
    hundred parameters that psycopg parses again on every order (it caches statements
    of at most 50) and adapts value by value in Python. Elsewhere, or for many
    movements, ``rows_insert`` and ``bulk_update``."""
    for level in levels:
        level.updated_at = now
    alias = router.db_for_write(StockMovement)
    connection = connections[alias]
    if connection.vendor != "postgresql" or len(movements) > VALUES_MAX_ROWS or not movements or not levels:
        rows_insert(StockMovement, movements)
        levels_write(tenant, levels, now)
        return
    names, stamps = _movement_attnames(), _movement_stamps()
    document = []
    for movement in movements:
        movement._prepare_related_fields_for_save(operation_name="stock_write")  # type: ignore[attr-defined]
        for stamp in stamps:
            stamp.pre_save(movement, True)
        # The posting's own values (keys, quantized Decimals, stamps: what the fields'
        # ``get_db_prep_save`` gives on PostgreSQL), written as JSON text.
        document.append([getattr(movement, name) for name in names])
    params: list[Any] = [json.dumps(document, separators=(",", ":"), default=_json_text), now]
    for level in levels:
        params += [level.pk, level.on_hand, level.avg_cost]
    with connection.cursor() as cursor:
        cursor.execute(_stock_write_sql(alias, len(levels)), params)
    for movement in movements:
        movement._state.adding = False
        movement._state.db = alias


def levels_write(tenant: Tenant, levels: Sequence[StockLevel], now: datetime.datetime) -> None:
    """The levels' new on hand and average cost, one statement (``stock_write``'s
    ``UPDATE`` on PostgreSQL, ``bulk_update`` elsewhere)."""
    if not levels:
        return
    for level in levels:
        level.updated_at = now
    alias = router.db_for_write(StockLevel)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        tenant.scope(StockLevel).bulk_update(list(levels), ["on_hand", "avg_cost", "updated_at"])
        return
    params: list[Any] = [now]
    for level in levels:
        params += [level.pk, level.on_hand, level.avg_cost]
    with connection.cursor() as cursor:
        cursor.execute(_levels_update_sql(alias, len(levels)), params)


def _json_text(value: Any) -> str:
    """A value JSON has no type for (a UUID, a Decimal, a datetime), as text its column reads back exactly."""
    return value.isoformat() if isinstance(value, datetime.datetime) else str(value)


@functools.cache
def _movement_fields() -> list[Field]:
    return list(StockMovement._meta.concrete_fields)


@functools.cache
def _movement_attnames() -> list[str]:
    return [field.attname for field in _movement_fields()]


@functools.cache
def _movement_stamps() -> list[Field]:
    """The fields whose ``pre_save`` sets the value (``auto_now``, ``auto_now_add``)."""
    return [
        field
        for field in _movement_fields()
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]


@functools.cache
def _movements_sql(alias: str) -> str:
    connection = connections[alias]
    fields = _movement_fields()
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = ", ".join(f"(e->>{index})::{_read_as(field, connection)}" for index, field in enumerate(fields))
    table = _quoted(alias, StockMovement)
    return f"INSERT INTO {table} ({names}) SELECT {values} FROM json_array_elements(%s::json) AS e"


@functools.cache
def _levels_update_sql(alias: str, count: int) -> str:
    values = ", ".join(["(%s::uuid, %s::numeric, %s::numeric)"] * count)
    return (
        f"UPDATE {_quoted(alias, StockLevel)} AS level SET on_hand = v.on_hand, avg_cost = v.avg_cost,"
        f" updated_at = %s FROM (VALUES {values}) AS v(id, on_hand, avg_cost) WHERE level.id = v.id"
    )


@functools.cache
def _stock_write_sql(alias: str, levels: int) -> str:
    return f"WITH moved AS ({_movements_sql(alias)}) {_levels_update_sql(alias, levels)}"


def _read_as(field: Field, connection: Any) -> str:
    """The type a JSON value is read as: text and numbers without the column's length
    or scale, which the insert then checks (or rounds) as it would a parameter's."""
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField"):
        return "text"
    if kind == "DecimalField":
        return "numeric"
    return cast(str, field.cast_db_type(connection))  # type: ignore[attr-defined]
