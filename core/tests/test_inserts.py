"""``core.inserts.rows_insert`` writes what ``bulk_create`` would: every field as given,
text with quotes, backslashes and any script intact, one statement for a few rows."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Company
from core.inserts import VALUES_MAX_ROWS, rows_insert
from realtime.models import Event

pytestmark = pytest.mark.django_db

AWKWARD = ['{"a": "b\\"c"}', "back\\slash\\\\", "it's", "Чай «Эрл» 🍵", "", "{1,2}", "NULL", "'); DROP TABLE x; --"]


def events(company: Company, count: int, start: int = 1) -> list[Event]:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    return [
        Event(
            company=company,
            seq=start + index,
            branch_id=None if index % 2 else uuid.uuid4(),
            type="order_created",
            message=AWKWARD[index % len(AWKWARD)],
            created_at=when,
        )
        for index in range(count)
    ]


def stored(rows: list[Event]) -> list[tuple]:
    return [(row.id, row.company_id, row.seq, row.branch_id, row.type, row.message, row.created_at) for row in rows]


def test_a_few_rows_are_one_statement_and_read_back_as_given():
    company = Company.objects.create(name="Inserts")
    rows = events(company, len(AWKWARD))
    with CaptureQueriesContext(connection) as captured:
        written = rows_insert(Event, rows)
    assert [query["sql"].split(" VALUES ")[0] for query in captured.captured_queries] == [
        'INSERT INTO "cafe_event" ("id", "company_id", "seq", "branch_id", "type", "message", "created_at")'
    ]
    assert written is rows
    assert all(not row._state.adding and row._state.db == "default" for row in rows)
    assert stored(list(Event.objects.filter(company=company).order_by("seq"))) == stored(rows)


def test_many_rows_go_through_bulk_create():
    company = Company.objects.create(name="Many")
    rows = events(company, VALUES_MAX_ROWS + 1)
    rows_insert(Event, rows)
    assert stored(list(Event.objects.filter(company=company).order_by("seq"))) == stored(rows)


def test_no_rows_write_nothing():
    with CaptureQueriesContext(connection) as captured:
        assert rows_insert(Event, []) == []
    assert captured.captured_queries == []
