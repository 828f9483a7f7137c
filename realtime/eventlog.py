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
    *, company_id: str, branch_id: str | None, stream: str, after: int, upto: int, limit: int
) -> list[tuple[int, str]]:
    """A socket's events after ``after`` (in SQL, as ``_SOCKET_ROW_SQL``)."""
    table = Event._meta.db_table
    types = TYPES_BY_STREAM[stream]
    sql = (
        f"SELECT seq, message FROM {table} WHERE company_id = %s AND seq > %s AND seq <= %s"
        f" AND type IN ({', '.join(['%s'] * len(types))})"
    )
    params = [db_uuid(company_id), after, upto, *types]
    if branch_id is not None:
        sql += " AND branch_id = %s"
        params.append(db_uuid(branch_id))
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY seq LIMIT %s", [*params, limit])
        return cursor.fetchall()


def db_uuid(value: object) -> Any:
    """A uuid (or its text) as this database stores it."""
    return Event._meta.pk.get_db_prep_value(value, connection)


def events_after(*, company_id: str, after: int, upto: int, limit: int) -> list[tuple[int, str | None, str, str]]:
    rows = (
        Event.objects.filter(company_id=company_id, seq__gt=after, seq__lte=upto)
        .order_by("seq")
        .values_list("seq", "branch_id", "type", "message")[:limit]
    )
    return [(seq, str(branch) if branch else None, type, message) for seq, branch, type, message in rows]
