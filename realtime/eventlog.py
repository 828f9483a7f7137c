"""Reads of the event log: where a company is, and a socket's catch-up."""

from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery

from accounts.models import Company
from realtime.catalogue import TYPES_BY_STREAM
from realtime.models import Event


def latest_seq(*, company_id: str) -> int:
    return Company.objects.values_list("event_seq", flat=True).get(pk=company_id)


def latest_seqs(*, company_ids: list[str]) -> dict[str, int]:
    return {str(pk): seq for pk, seq in Company.objects.filter(pk__in=company_ids).values_list("pk", "event_seq")}


def companies_ahead(*, seqs: dict[str, int]) -> dict[str, int]:
    """The latest seq of each company whose log has gone past the seq given for it:
    one query, whose answer holds only the companies that moved (a process following
    10,000 companies reads a few rows a poll, not 10,000)."""
    if not seqs:
        return {}
    if connection.vendor != "postgresql":
        latest = latest_seqs(company_ids=list(seqs))
        return {company: seq for company, seq in latest.items() if seq > seqs[company]}
    table = Company._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.event_seq FROM {table} c"
            " JOIN unnest(%s::uuid[], %s::bigint[]) AS known(id, seq) ON c.id = known.id"
            " WHERE c.event_seq > known.seq",
            [list(seqs), list(seqs.values())],
        )
        return {str(pk): seq for pk, seq in cursor.fetchall()}


# (latest seq, whether the log reaches back to `since`, the first page after it)
CatchUp = tuple[int, bool, list[tuple[int, str]]]


def catch_up(*, company_id: str, branch_id: str | None, stream: str, since: int | None, limit: int) -> CatchUp:
    """For a socket joining or resuming: the company's latest seq, whether the log
    still holds every event after ``since`` (else: resync), and the first page of
    its scope's events after it."""
    if since is None:
        return latest_seq(company_id=company_id), True, []
    latest, first = (
        Company.objects.filter(pk=company_id)
        .annotate(first=_first_seq(OuterRef("pk")))
        .values_list("event_seq", "first")
        .get()
    )
    return catch_up_from(
        latest, first, since=since, limit=limit, company_id=company_id, branch_id=branch_id, stream=stream
    )


def _first_seq(company) -> Subquery:
    """The oldest seq the company's log still holds (None when empty)."""
    return Subquery(Event.objects.filter(company=company).order_by("seq").values("seq")[:1])


def catch_up_from(latest: int, first: int | None, *, since: int | None, limit: int, **scope: Any) -> CatchUp:
    """``catch_up`` once the latest seq and the oldest one in the log are known."""
    if since is None or since == latest:
        return latest, True, []
    if since > latest or first is None or first > since + 1:
        return latest, False, []
    return latest, True, event_backlog(**scope, after=since, upto=latest, limit=limit)


def event_backlog(
    *,
    company_id: str,
    branch_id: str | None,
    stream: str,
    after: int,
    upto: int,
    limit: int,
    max_bytes: int | None = None,
) -> list[tuple[int, str]]:
    """A socket's events after ``after`` (in SQL, as ``_SOCKET_ROW_SQL``): a page of at
    most ``limit`` events, ending with the first that brings it to ``max_bytes``
    (``PAGE_BYTES``); ``more_after`` tells whether another page may follow."""
    table = Event._meta.db_table
    types = TYPES_BY_STREAM[stream]
    if not types:  # a stream registered before any event goes to it
        return []
    sql = (
        f"SELECT seq, message FROM {table} WHERE company_id = %s AND seq > %s AND seq <= %s"
        f" AND type IN ({', '.join(['%s'] * len(types))})"
    )
    params = [db_uuid(company_id), after, upto, *types]
    if branch_id is not None:
        sql += " AND branch_id = %s"
        params.append(db_uuid(branch_id))
    with connection.cursor() as cursor:
        cursor.execute(*_sized_page(sql, params, limit, max_bytes))
        return cursor.fetchall()


# A page is cut by size as well as by count, in the query: the messages past the cut
# never leave the database. Sizes are the UTF-8 bytes of the message (PostgreSQL
# reads them from the value's header, without decompressing it).
PAGE_BYTES = 256 * 1024


def _sized_page(sql: str, params: list, limit: int, max_bytes: int | None, order: str = "seq") -> tuple[str, list]:
    """``sql`` (``SELECT seq, ..., message FROM ... WHERE ...``) as a page: by ``order``, at
    most ``limit`` rows, and only the rows before which the page holds under ``max_bytes``."""
    size = "octet_length(message)" if connection.vendor == "postgresql" else "length(CAST(message AS BLOB))"
    columns = sql[len("SELECT ") : sql.index(" FROM ")]
    sized = sql.replace(
        " FROM ", f", SUM({size}) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) - {size} AS bytes_before FROM ", 1
    )
    return (
        f"SELECT {columns} FROM ({sized} ORDER BY {order} LIMIT %s) page WHERE bytes_before < %s ORDER BY {order}",
        [*params, limit, PAGE_BYTES if max_bytes is None else max_bytes],
    )


def more_after(page: list[tuple], *, limit: int, max_bytes: int | None = None) -> bool:
    """Whether a page read by ``event_backlog`` or ``events_after`` may be followed by
    another: it was cut by count, or by size (its messages, the last field of each row,
    reach ``max_bytes`` in UTF-8)."""
    if len(page) >= limit:
        return True
    max_bytes = PAGE_BYTES if max_bytes is None else max_bytes
    chars = sum(len(row[-1]) for row in page)
    if chars >= max_bytes or chars * 4 < max_bytes:  # UTF-8 takes 1 to 4 bytes a character
        return chars >= max_bytes
    return sum(len(row[-1].encode()) for row in page) >= max_bytes


def db_uuid(value: object) -> Any:
    """A uuid (or its text) as this database stores it."""
    return Event._meta.pk.get_db_prep_value(value, connection)


def events_after(
    *, company_id: str, after: int, upto: int, limit: int, max_bytes: int | None = None
) -> list[tuple[int, str | None, str, str]]:
    """A company's events after ``after``, paged as ``event_backlog``."""
    table = Event._meta.db_table
    sql = f"SELECT seq, branch_id, type, message FROM {table} WHERE company_id = %s AND seq > %s AND seq <= %s"
    with connection.cursor() as cursor:
        cursor.execute(*_sized_page(sql, [db_uuid(company_id), after, upto], limit, max_bytes))
        rows = cursor.fetchall()
    to_uuid = Event._meta.get_field("branch_id").to_python
    return [(seq, str(to_uuid(branch)) if branch else None, type, message) for seq, branch, type, message in rows]


def events_after_many(
    *, bounds: dict[str, tuple[int, int]], limit: int, max_bytes: int | None = None
) -> list[tuple[str, int, str | None, str, str]]:
    """The events of several companies, each after and up to its own ``(after, upto)``,
    by company then seq, in one query paged as ``event_backlog``: the hub's gap fill for
    every company a log poll found behind (after a Redis outage, all of them)."""
    if not bounds:
        return []
    table = Event._meta.db_table
    columns = "SELECT company_id, seq, branch_id, type, message FROM"
    params: list[Any]
    if connection.vendor == "postgresql":
        sql = (
            f"{columns} {table} JOIN unnest(%s::uuid[], %s::bigint[], %s::bigint[]) AS bound(company, after, upto)"
            " ON company_id = bound.company AND seq > bound.after AND seq <= bound.upto"
        )
        params = [list(bounds), [after for after, _ in bounds.values()], [upto for _, upto in bounds.values()]]
    else:
        sql = f"{columns} {table} WHERE " + " OR ".join(["(company_id = %s AND seq > %s AND seq <= %s)"] * len(bounds))
        params = [value for company, (after, upto) in bounds.items() for value in (db_uuid(company), after, upto)]
    with connection.cursor() as cursor:
        cursor.execute(*_sized_page(sql, params, limit, max_bytes, order="company_id, seq"))
        rows = cursor.fetchall()
    to_uuid = Event._meta.get_field("branch_id").to_python
    return [
        (str(to_uuid(company)), seq, str(to_uuid(branch)) if branch else None, type, message)
        for company, seq, branch, type, message in rows
    ]
