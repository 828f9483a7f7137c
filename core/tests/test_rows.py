"""``core.rows``: ``rows_insert`` writes what ``bulk_create`` would (every field as
given, text with quotes, backslashes and any script intact, one statement for a few
rows) and ``row_update`` what ``save(update_fields=…)`` would."""

import datetime
import uuid

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Branch, Company, User
from cafe.floor.models import Table
from core.models import IdempotencyKey
from core.rows import VALUES_MAX_ROWS, columns, row_insert_if_absent, row_update, rows_insert, rows_read
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


def test_an_update_writes_the_named_fields_and_stamps_auto_now():
    company = Company.objects.create(name="Update")
    [event] = rows_insert(Event, events(company, 1))
    event.type, event.message, event.seq = "order_closed", AWKWARD[0], 99  # seq is not named: not written
    with CaptureQueriesContext(connection) as captured:
        row_update(event, ["type", "message", "type"])
    assert len(captured.captured_queries) == 1
    stored_row = Event.objects.get(pk=event.pk)
    assert (stored_row.type, stored_row.message, stored_row.seq) == ("order_closed", AWKWARD[0], 1)
    table = Table.unscoped.create(company=company, branch=Branch.unscoped.create(company=company, name="B"), number=1)
    before = table.updated_at
    table.status, table.seats = "busy", 12  # seats is not named: not written
    row_update(table, ["status", "updated_at"])
    stored_table = Table.unscoped.get(pk=table.pk)
    assert (stored_table.status, stored_table.seats) == ("busy", 4)
    assert stored_table.updated_at == table.updated_at > before


def test_an_update_of_a_missing_row_fails():
    company = Company.objects.create(name="Gone")
    [event] = rows_insert(Event, events(company, 1))
    Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError):
        row_update(event, ["type"])


def test_an_insert_if_absent_reads_back_its_key_and_yields_to_a_taken_unique_value():
    user = User.objects.create_user("rows@example.test", "x" * 12)
    first = IdempotencyKey(user=user, key="k", fingerprint="a", status_code=0, body={"ok": ['"quoted"']})
    with CaptureQueriesContext(connection) as captured:
        assert row_insert_if_absent(first) is True
    assert len(captured.captured_queries) == 1
    assert first.pk is not None
    assert not first._state.adding
    again = IdempotencyKey(user=user, key="k", fingerprint="b", status_code=0, body={})
    assert row_insert_if_absent(again) is False
    assert again.pk is None
    stored_key = IdempotencyKey.objects.get(user=user, key="k")
    assert (stored_key.pk, stored_key.fingerprint, stored_key.body) == (first.pk, "a", {"ok": ['"quoted"']})


def test_a_read_in_part_defers_the_rest_and_shares_related_rows_when_asked():
    """``rows_read(only=…)`` builds instances of the named fields (and the key), the
    others deferred as ``QuerySet.only`` leaves them; ``shared`` gives a related row met
    again the instance built the first time."""
    company = Company.objects.create(name="In part")
    here, there = (Branch.unscoped.create(company=company, name=name) for name in ("Here", "There"))
    tables = [
        Table.unscoped.create(company=company, branch=branch, number=n)
        for n, branch in ((1, here), (2, here), (3, there))
    ]
    only = {Table: ("branch", "number"), Branch: ("name",)}
    sql = (
        f"SELECT {columns(Table, 'default', only[Table])}, {columns(Branch, 'default', only[Branch])}"
        f" FROM {Table._meta.db_table} INNER JOIN {Branch._meta.db_table}"
        f" ON ({Table._meta.db_table}.branch_id = {Branch._meta.db_table}.id)"
        f" WHERE {Table._meta.db_table}.company_id = %s ORDER BY {Table._meta.db_table}.number"
    )
    params = [Table._meta.get_field("company").get_db_prep_value(company.pk, connection)]
    for shared in (False, True):
        with CaptureQueriesContext(connection) as captured:
            read = rows_read("default", sql, params, Table, related=(("branch", Branch),), only=only, shared=shared)
            seen = [(row.pk, row.number, row.branch_id, row.branch.name) for row in read]
        assert len(captured.captured_queries) == 1
        assert seen == [(table.pk, table.number, table.branch_id, table.branch.name) for table in tables]
        deferred = read[0].get_deferred_fields()
        assert {"company_id", "created_at", "seats"} <= deferred
        assert not deferred & {"id", "branch_id", "number"}
        assert read[0].branch.get_deferred_fields() >= {"company_id", "created_at"}
        assert (read[0].branch is read[1].branch) is shared
        assert read[0].branch is not read[2].branch
    assert read[0].created_at == tables[0].created_at  # a deferred field is read when touched
