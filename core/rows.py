"""Writing the few rows of a request without building a query for each:
``rows_insert`` (new rows of one model in one plain ``INSERT … VALUES``),
``row_insert_if_absent`` (one row, unless its unique values are taken) and
``row_update`` (some fields of one row, by primary key); and reading the rows of the
write path's locks from a statement whose text is made once (``columns``,
``rows_read``, ``lock_clause``): building and compiling the same ``SELECT … FOR
UPDATE`` on every request was a good part of an order's server CPU.

``QuerySet.bulk_create`` and ``Model.save`` build and compile a query on every call,
and ``bulk_create`` on PostgreSQL (Django 5.2) sends two rows or more as one array
per column (``UNNEST``), which psycopg's client-side binding escapes element by
element in Python: for the event log's JSON messages, a regular-expression callback
for every double quote. On the order write path that was a good part of the server
CPU of taking an order (docs/benchmarks.md). Here each statement's text is made once
per model and shape, and each value goes through its field's ``pre_save`` and
``get_db_prep_save``, as Django's own writes do; libpq quotes it whole. Neither
sends model signals (the project has no receivers). Many rows still go through
``bulk_create``, whose ``UNNEST`` keeps the server's planning short."""

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError, connections, router
from django.db.models import NOT_PROVIDED, Field, Model, QuerySet

M = TypeVar("M", bound=Model)

# Above this many rows, ``bulk_create`` (one array per column on PostgreSQL).
VALUES_MAX_ROWS = 50


def rows_insert(model: type[M], rows: Sequence[M]) -> Sequence[M]:
    """Inserts ``rows``, new instances of ``model`` with their primary keys set (as
    ``default=uuid4`` does), and marks them saved: ``bulk_create`` without its
    options. Every concrete field is sent (``auto_now`` and ``auto_now_add`` stamped
    by their ``pre_save``); nothing is read back. Runs in the caller's transaction."""
    if len(rows) > VALUES_MAX_ROWS:
        queryset: QuerySet[M] = QuerySet(model=model)  # inserts only: no manager (nor its scope) needed
        return queryset.bulk_create(rows)
    if not rows:
        return rows
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model)
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert(model, alias, len(rows)), params)
    for row in rows:
        row._state.adding = False
        row._state.db = alias
    return rows


def row_insert_if_absent(row: M) -> bool:
    """Inserts ``row`` unless it would break a unique constraint (``INSERT … ON CONFLICT
    DO NOTHING``: no savepoint needed around it). True when it was inserted (and is
    marked saved); False when a row with its unique values exists, waiting first, as
    an insert does, for a transaction that is writing one to end."""
    model = type(row)
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields, returning = _fields(model, auto_key=True), model._meta.pk
    row._prepare_related_fields_for_save(operation_name="row_insert_if_absent")  # type: ignore[attr-defined]
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert(model, alias, 1, auto_key=True), params)
        found = cursor.fetchone()
    if found is None:
        return False
    setattr(row, returning.attname, returning.to_python(found[0]))
    row._state.adding = False
    row._state.db = alias
    return True


def row_update(row: Model, fields: Iterable[str]) -> None:
    """Writes ``fields`` of a saved row (and its ``auto_now`` fields, as
    ``save(update_fields=…)`` does when they are named): one ``UPDATE`` by primary
    key. ``DatabaseError`` when no row has that key, as ``save`` raises."""
    model = type(row)
    alias = row._state.db or router.db_for_write(model)
    connection = connections[alias]
    names = tuple(dict.fromkeys(fields))
    chosen = _update_fields(model, names)
    params = [field.get_db_prep_save(field.pre_save(row, False), connection) for field in chosen]
    params.append(model._meta.pk.get_db_prep_value(row.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(_update(model, alias, names), params)
        if cursor.rowcount != 1:
            raise DatabaseError(f"{model.__name__} {row.pk}: no row was updated.")


@functools.cache
def _fields(model: type[Model], *, auto_key: bool = False) -> list[Field]:
    """The fields sent; ``auto_key``: all but an auto-incremented primary key (read back)."""
    fields = [field for field in model._meta.concrete_fields if not (auto_key and _read_back(field))]
    made = [f.name for f in fields if f.db_default is not NOT_PROVIDED or f.generated or _read_back(f)]
    if made:
        raise TypeError(f"core.rows does not read back {model.__name__}'s {', '.join(made)} (made by the database)")
    return fields


def _read_back(field: Field) -> bool:
    return bool(getattr(field, "db_returning", False))  # an auto-incremented key


@functools.cache
def _insert(model: type[Model], alias: str, count: int, *, auto_key: bool = False) -> str:
    """``auto_key``: one row, unless its unique values are taken; its key read back."""
    quote = connections[alias].ops.quote_name
    fields = _fields(model, auto_key=auto_key)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(field.column) for field in fields)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * count)}"
    if auto_key:
        statement += f" ON CONFLICT DO NOTHING RETURNING {quote(model._meta.pk.column)}"
    return statement


@functools.cache
def _update_fields(model: type[Model], names: tuple[str, ...]) -> list[Field]:
    fields = [model._meta.get_field(name) for name in names]
    writable = [field for field in fields if isinstance(field, Field) and field.concrete and not field.primary_key]
    if len(writable) != len(fields):
        raise TypeError(f"row_update writes concrete fields other than the key, not all of {names} ({model.__name__})")
    return writable


@functools.cache
def _update(model: type[Model], alias: str, names: tuple[str, ...]) -> str:
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in _update_fields(model, names))
    return f"UPDATE {table} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"


@functools.cache
def columns(model: type[Model], alias: str, only: tuple[str, ...] | None = None) -> str:
    """``model``'s concrete columns, qualified by its table, in field order: what
    ``rows_read`` builds an instance from. ``only``: those fields' (and the key's)
    alone, the others left deferred on the instances (read again if touched)."""
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    return ", ".join(f"{table}.{quote(field.column)}" for field in _read_fields(model, only))


@functools.cache
def _read_fields(model: type[Model], only: tuple[str, ...] | None) -> list[Field]:
    fields = list(model._meta.concrete_fields)
    if only is None:
        return fields
    named = {model._meta.get_field(name) for name in only}
    return [field for field in fields if field.primary_key or field in named]


def lock_clause(alias: str, *models: type[Model]) -> str:
    """`` FOR NO KEY UPDATE OF <the models' tables>`` as the database supports it
    (as ``select_for_update(of=…, no_key=True)`` writes it); nothing on SQLite."""
    connection = connections[alias]
    if not connection.features.has_select_for_update:
        return ""
    of = [connection.ops.quote_name(model._meta.db_table) for model in models]
    return " " + connection.ops.for_update_sql(
        of=of if connection.features.has_select_for_update_of else (),
        no_key=connection.features.has_select_for_no_key_update,
    )


def key(model: type[Model], value: Any, alias: str) -> Any:
    """A primary key as a parameter of a hand-written statement (a UUID as the
    database stores it); ``ValidationError`` for one that is no key, as a filter raises."""
    return model._meta.pk.get_db_prep_value(value, connections[alias], prepared=False)


def rows_read(
    alias: str,
    sql: str,
    params: Sequence[Any],
    model: type[M],
    *,
    related: Sequence[tuple[str, type[Model]]] = (),
    extra: Sequence[str] = (),
    only: Mapping[type[Model], tuple[str, ...]] | None = None,
    shared: bool = False,
) -> list[M]:
    """Instances of ``model`` from ``sql``, whose columns are ``columns(model)``, then
    each ``related`` model's (``(field, model)``: cached on the row as
    ``select_related`` does; a related row whose key is NULL (an outer join that found
    none) is None), then one value per name in ``extra``, set as attributes (as
    ``annotate`` does). Each value goes through its field's converters, as Django's
    reads do. ``only``: for a model read in part, the fields its ``columns`` named
    (``columns(model, alias, only)``); the others are deferred, as ``QuerySet.only``
    leaves them. ``shared``: a related row met again (by key) is the instance built
    the first time, not another (for reads that do not change what they read)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    parts = only or {}
    built: dict[tuple[type[Model], Any], Any] = {}
    rows = []
    for values in found:
        row, start = _instance(model, connection, values, 0, parts.get(model))
        for name, other in related:
            part = parts.get(other)
            met = (other, values[start + _key_index(other, part)]) if shared else None
            if met is not None and met in built:
                related_row, start = built[met], start + len(_read_fields(other, part))
            else:
                related_row, start = _instance(other, connection, values, start, part)
                if met is not None:
                    built[met] = related_row
            row._state.fields_cache[name] = related_row
        for name in extra:
            setattr(row, name, values[start])
            start += 1
        rows.append(row)
    return rows


def _instance(
    model: type[M], connection: Any, values: Sequence[Any], start: int, only: tuple[str, ...] | None = None
) -> tuple[Any, int]:
    alias = connection.alias
    converters = _converters(model, alias, only)
    end = start + len(converters)
    if values[start + _key_index(model, only)] is None:  # no row (a left join's missing side): its key is NULL
        return None, end
    own = list(values[start:end])
    for index, (column, chain) in enumerate(converters):
        for converter in chain:
            own[index] = converter(own[index], column, connection)
    return model.from_db(alias, _attnames(model, only), own), end  # type: ignore[arg-type]


@functools.cache
def _attnames(model: type[Model], only: tuple[str, ...] | None) -> frozenset[str] | None:
    """What ``from_db`` is told was read (None: every concrete field)."""
    return None if only is None else frozenset(field.attname for field in _read_fields(model, only))


@functools.cache
def _key_index(model: type[Model], only: tuple[str, ...] | None = None) -> int:
    return [field.primary_key for field in _read_fields(model, only)].index(True)


@functools.cache
def _converters(
    model: type[Model], alias: str, only: tuple[str, ...] | None = None
) -> list[tuple[Any, list[Callable[..., Any]]]]:
    """Per field read (``model.from_db``'s order), its column and the converters
    Django's compiler applies to it."""
    connection = connections[alias]
    table = model._meta.db_table
    chains = []
    for field in _read_fields(model, only):
        column = field.get_col(table)
        chains.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return chains
