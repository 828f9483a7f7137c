"""Availability: the free start times of a branch's day for a party, with the tables
or table combinations that seat it, smallest fit first. One SQL query works it out,
whatever the number of tables and bookings:

* **slots**: from each opening interval of the day (``cafe.floor.hours``), a start
  every ``booking_step`` minutes from the interval's opening, up to (not at) its
  closing, and none in the past; a recursive CTE in epoch seconds (the same text on
  PostgreSQL and SQLite);
* **blocked**: each slot × each holding booking of the branch's tables whose
  ``[starts_at, blocks_until)`` (its end plus the buffer) overlaps the new one's
  ``[start, start + duration + buffer)`` (slots × the day's bookings, not × tables);
* **free**: each slot × each table of the branch, less the blocked pairs;
* **options**: a free table seating the party alone, or two or three free tables of
  one hall (``zone``; a table in no hall is never joined) that seat it together
  while every table is needed (without any one of them the rest would not), so a
  party of 6 is never offered a 6 plus a 2;
* ranked per slot by spare seats, then number of tables, then table numbers; the
  first ``OPTIONS_PER_SLOT`` are kept. So three tables are only looked for at a
  start whose single tables and pairs leave room for them: a triple of ``s``
  seats comes after every single or pair of ``s`` seats or fewer, so once five of
  those seat the party (``bar``: the fifth's seats), only triples of fewer seats
  can enter, and none when that is the party's size (the usual case).

A branch with no opening hours at all is open all day (as ``is_open_at`` says)."""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import Branch
from cafe.floor.hours import Interval, open_intervals
from cafe.floor.models import OpeningException, OpeningHours, Table
from cafe.shared.business_day import UTC, day_span, zone

# The bounds of a question (validated by the API, documented in docs/security.md).
GUESTS_MAX = 100
DURATION_MIN = 15
DURATION_MAX = 12 * 60
# At most this many options per start time: the host needs the best few.
OPTIONS_PER_SLOT = 5
# Most tables joined for one party, all of one hall.
TABLES_JOINED_MAX = 3
# A step below this is read as this: a day has at most 288 start times.
STEP_MIN = 5

_EPOCH = {
    "postgresql": "CAST(FLOOR(EXTRACT(EPOCH FROM {})) AS BIGINT)",
    "sqlite": "CAST(strftime('%%s', {}) AS INTEGER)",
}
# No table, typed as a table id (PostgreSQL types a bare NULL as text in a UNION).
_NO_TABLE = {"postgresql": "CAST(NULL AS uuid)", "sqlite": "NULL"}

_QUERY = """
WITH RECURSIVE
spans (opens, closes) AS (VALUES {spans}),
slots (start, closes) AS (
    SELECT opens, closes FROM spans
    UNION ALL
    SELECT start + %(step)s, closes FROM slots WHERE start + %(step)s < closes
),
held (table_id, starts, ends) AS MATERIALIZED (
    SELECT bt.table_id, {starts}, {ends}
    FROM cafe_bookingtable bt JOIN cafe_table t ON t.id = bt.table_id
    WHERE t.branch_id = %(branch)s AND bt.holding
      AND bt.starts_at < %(window_end)s AND bt.blocks_until > %(window_start)s
),
blocked (start, table_id) AS (
    SELECT s.start, h.table_id
    FROM slots s JOIN held h ON h.starts < s.start + %(span)s AND h.ends > s.start
),
free (start, id, number, zone_id, seats) AS (
    SELECT s.start, t.id, t.number, t.zone_id, t.seats
    FROM slots s CROSS JOIN cafe_table t
    WHERE t.branch_id = %(branch)s AND s.start >= %(now)s
      AND NOT EXISTS (SELECT 1 FROM blocked b WHERE b.start = s.start AND b.table_id = t.id)
),
few (start, seats, tables, first_id, second_id, third_id, n1, n2, n3) AS (
    SELECT start, seats, 1, id, {no_table}, {no_table}, number, 0, 0
    FROM free WHERE seats >= %(guests)s
    UNION ALL
    SELECT a.start, a.seats + b.seats, 2, a.id, b.id, {no_table}, a.number, b.number, 0
    FROM free a JOIN free b ON b.start = a.start AND b.zone_id = a.zone_id AND b.number > a.number
    WHERE a.seats < %(guests)s AND b.seats < %(guests)s AND a.seats + b.seats >= %(guests)s
),
bar (start, seats) AS (
    SELECT start, seats FROM (
        SELECT start, seats, ROW_NUMBER() OVER (PARTITION BY start ORDER BY seats) AS place FROM few
    ) counted
    WHERE place = %(options)s
),
open_for_three (start, below) AS (
    SELECT s.start, COALESCE(bar.seats, %(no_bar)s)
    FROM slots s LEFT JOIN bar ON bar.start = s.start
    WHERE s.start >= %(now)s AND COALESCE(bar.seats, %(no_bar)s) > %(guests)s
),
options (start, seats, tables, first_id, second_id, third_id, n1, n2, n3) AS (
    SELECT * FROM few
    UNION ALL
    SELECT a.start, a.seats + b.seats + c.seats, 3, a.id, b.id, c.id, a.number, b.number, c.number
    FROM open_for_three o
    JOIN free a ON a.start = o.start
    JOIN free b ON b.start = a.start AND b.zone_id = a.zone_id AND b.number > a.number
    JOIN free c ON c.start = a.start AND c.zone_id = a.zone_id AND c.number > b.number
    WHERE a.seats + b.seats < %(guests)s AND a.seats + c.seats < %(guests)s AND b.seats + c.seats < %(guests)s
      AND a.seats + b.seats + c.seats >= %(guests)s AND a.seats + b.seats + c.seats < o.below
),
ranked AS (
    SELECT start, seats, first_id, second_id, third_id,
           ROW_NUMBER() OVER (PARTITION BY start ORDER BY seats, tables, n1, n2, n3) AS place
    FROM options
)
SELECT start, seats, first_id, second_id, third_id FROM ranked
WHERE place <= %(options)s
ORDER BY start, place
"""


@dataclass(frozen=True)
class Option:
    tables: tuple[Table, ...]
    seats: int


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime  # in the branch's time zone
    options: list[Option]


@dataclass(frozen=True)
class Availability:
    branch: Branch
    date: datetime.date
    guests: int
    duration: int
    step: int
    slots: list[Slot]


def _open_spans(branch: Branch, day: datetime.date) -> list[Interval]:
    has_hours = OpeningHours.unscoped.filter(branch=branch).exists()
    if not has_hours and not OpeningException.unscoped.filter(branch=branch).exists():
        return [day_span(branch, day)]
    return open_intervals(branch, day)


def _epoch(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def availability(
    *,
    branch: Branch,
    day: datetime.date,
    guests: int,
    duration: int | None = None,
    now: datetime.datetime | None = None,
) -> Availability:
    """The free start times of ``branch`` on its local ``day`` for ``guests`` staying
    ``duration`` minutes (the branch's ``booking_duration`` by default), each with at
    most ``OPTIONS_PER_SLOT`` ways to seat them, smallest fit first. ``branch`` is one
    the caller may see (the edge checked it)."""
    duration = duration or branch.booking_duration
    step = max(branch.booking_step, STEP_MIN)
    spans = _open_spans(branch, day)
    answer = Availability(branch=branch, date=day, guests=guests, duration=duration, step=step, slots=[])
    if not spans:
        return answer
    span_seconds = (duration + branch.booking_buffer) * 60
    vendor = connection.vendor
    epoch = _EPOCH[vendor]
    spans_sql = ", ".join(f"(CAST(%(opens{i})s AS BIGINT), CAST(%(closes{i})s AS BIGINT))" for i in range(len(spans)))
    sql = _QUERY.format(
        spans=spans_sql,
        starts=epoch.format("bt.starts_at"),
        ends=epoch.format("bt.blocks_until"),
        no_table=_NO_TABLE[vendor],
    )
    window_start, window_end = spans[0][0], spans[-1][1] + datetime.timedelta(seconds=span_seconds)
    ops = connection.ops
    params: dict[str, Any] = {
        "step": step * 60,
        "span": span_seconds,
        "guests": guests,
        "options": OPTIONS_PER_SLOT,
        # Above any three tables' seats (a table has at most 1000).
        "no_bar": 10_000,
        "now": _epoch(now or timezone.now()),
        "branch": Branch._meta.pk.get_db_prep_value(branch.pk, connection),
        "window_start": ops.adapt_datetimefield_value(window_start),
        "window_end": ops.adapt_datetimefield_value(window_end),
    }
    for i, (opens, closes) in enumerate(spans):
        params[f"opens{i}"], params[f"closes{i}"] = _epoch(opens), _epoch(closes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    table_ids = {uuid.UUID(str(pk)) for row in rows for pk in row[2:] if pk is not None}
    tables = {table.pk: table for table in Table.unscoped.filter(pk__in=table_ids).select_related("zone")}
    here = zone(branch)
    for start, seats, *ids in rows:
        moment = datetime.datetime.fromtimestamp(start, UTC).astimezone(here)
        if not answer.slots or answer.slots[-1].start != moment:
            answer.slots.append(Slot(start=moment, options=[]))
        chosen = tuple(tables[uuid.UUID(str(pk))] for pk in ids if pk is not None)
        answer.slots[-1].options.append(Option(tables=chosen, seats=int(seats)))
    return answer
