"""``rows_insert``: a few new rows of one model in one plain ``INSERT … VALUES``.

``QuerySet.bulk_create`` builds and compiles an insert query on every call and, on
PostgreSQL (Django 5.2), sends two rows or more as one array per column
(``UNNEST``), which psycopg's client-side binding escapes element by element in
Python: for the event log's JSON messages, a regular-expression callback for every
double quote. For the few rows a request writes (an order's lines and kitchen
tasks, its events) that was about a tenth of the server CPU of taking an order
(docs/benchmarks.md). Here the statement text is made once per model and row
count, and each value goes through its field's ``get_db_prep_save``, as in
``bulk_create``; libpq quotes it whole. Many rows still go through ``bulk_create``,
whose ``UNNEST`` keeps the server's planning short."""

import functools
from collections.abc import Sequence
from typing import TypeVar

from django.db import connections, router
from django.db.models import NOT_PROVIDED, Field, Model

M = TypeVar("M", bound=Model)

# Above this many rows, ``bulk_create`` (one array per column on PostgreSQL).
VALUES_MAX_ROWS = 50


def rows_insert(model: type[M], rows: Sequence[M]) -> Sequence[M]:
    """Inserts ``rows``, new instances of ``model`` with their primary keys set (as
    ``default=uuid4`` does), and marks them saved: ``bulk_create`` without its
    options. Every concrete field is sent (``auto_now`` and ``auto_now_add`` stamped
    by their ``pre_save``); nothing is read back. Runs in the caller's transaction."""
    if len(rows) > VALUES_MAX_ROWS:
        return model._base_manager.bulk_create(rows)
    if not rows:
        return rows
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _fields(model)
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, alias, len(rows)), params)
    for row in rows:
        row._state.adding = False
        row._state.db = alias
    return rows


@functools.cache
def _fields(model: type[Model]) -> list[Field]:
    fields = list(model._meta.concrete_fields)
    made = [field.name for field in fields if field.db_default is not NOT_PROVIDED or field.generated]
    if made:
        raise TypeError(f"rows_insert does not read back {model.__name__}'s {', '.join(made)} (made by the database)")
    return fields


@functools.cache
def _statement(model: type[Model], alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    fields = _fields(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(quote(field.column) for field in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * count)}"
