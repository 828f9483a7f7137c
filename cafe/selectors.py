"""Reads. Every query starts from the tenant (``tenant.scope``) or, for the
real-time hub, from a company id the hub was given by an authorised socket."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from rest_framework_simplejwt.tokens import AccessToken

from accounts import tokens
from accounts.models import Branch, Company, User
from accounts.tenancy import BranchNotAllowed, NoCompany, Tenant, tenant_for
from cafe.models import Category, Event, MenuItem, Order, Table


def table_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Table]:
    tables = tenant.scope(Table.objects.all())
    return tables.filter(branch=branch) if branch else tables


def table_get(*, tenant: Tenant, table_id: uuid.UUID, lock: bool = False) -> Table:
    tables = tenant.scope(Table.objects.all())
    return (tables.select_for_update() if lock else tables).get(pk=table_id)


def category_list(*, tenant: Tenant) -> QuerySet[Category]:
    return Category.objects.filter(company=tenant.company)


def category_get(*, tenant: Tenant, category_id: uuid.UUID) -> Category:
    return category_list(tenant=tenant).get(pk=category_id)


def menu_item_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[MenuItem]:
    """Items a tenant may see: company-wide items and those of their branches."""
    items = MenuItem.objects.filter(company=tenant.company).select_related("category")
    if not tenant.company_wide:
        branch = tenant.branch.pk
    return items.filter(Q(branch__isnull=True) | Q(branch=branch)) if branch else items


def menu_item_get(*, tenant: Tenant, menu_item_id: uuid.UUID) -> MenuItem:
    return menu_item_list(tenant=tenant).get(pk=menu_item_id)


def menu_for_branch(*, company_id: uuid.UUID, branch_id: uuid.UUID) -> QuerySet[MenuItem]:
    return MenuItem.objects.filter(Q(branch__isnull=True) | Q(branch=branch_id), company=company_id)


def order_list(*, tenant: Tenant, **filters: Any) -> QuerySet[Order]:
    orders = tenant.scope(Order.objects.all()).filter(**filters)
    return orders.select_related("table").prefetch_related("items")


def order_get(*, tenant: Tenant, order_id: uuid.UUID, lock: bool = False) -> Order:
    if lock:
        return tenant.scope(Order.objects.select_for_update(of=("self",)).select_related("table")).get(pk=order_id)
    return order_list(tenant=tenant).get(pk=order_id)


# Sockets


class SocketRefused(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SocketAccess:
    user_id: str
    company_id: str
    branch_id: str | None
    expires_at: float
    token_version: int = 0


def socket_scope(
    *, user: User, requested_branch: str | None, known_branches: dict | None = None
) -> tuple[str, str | None]:
    """(company, branch or None for the whole company) a user's socket covers."""
    if not user.is_active:
        raise SocketRefused(4003)
    try:
        tenant = tenant_for(user)
        branch = tenant.socket_branch(requested_branch, known_branches)
    except NoCompany:
        raise SocketRefused(4004) from None
    except BranchNotAllowed:
        raise SocketRefused(4005) from None
    return str(tenant.company_id), str(branch.pk) if branch else None


def user_states(*, user_ids: set[str]) -> dict[str, tuple]:
    """What a socket's rights depend on, per user: activity, company, branch, role,
    token version (bumped when the user's tokens are revoked)."""
    rows = User.objects.filter(pk__in=user_ids).values_list(
        "pk", "is_active", "company_id", "branch_id", "role", "token_version"
    )
    return {str(pk): tuple(state) for pk, *state in rows}


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def revoked_subscriptions(*, subscriptions: list) -> list:
    """The sockets whose user is gone, inactive, no longer has the same scope, or whose
    token was revoked (two queries for any number of sockets)."""
    users = User.objects.select_related("company", "branch").in_bulk({sub.user_id for sub in subscriptions})
    branches = Branch.objects.in_bulk({_uuid_or_none(sub.requested_branch) for sub in subscriptions} - {None})
    scopes: dict[tuple[str, str | None], tuple[str, str | None] | None] = {}
    for user_id, requested in {(sub.user_id, sub.requested_branch) for sub in subscriptions}:
        user = users.get(uuid.UUID(user_id))
        try:
            scopes[user_id, requested] = user and socket_scope(
                user=user, requested_branch=requested, known_branches=branches
            )
        except SocketRefused:
            scopes[user_id, requested] = None
    return [
        sub
        for sub in subscriptions
        if scopes[sub.user_id, sub.requested_branch] != (sub.company_id, sub.branch_id)
        or users[uuid.UUID(sub.user_id)].token_version != sub.token_version
    ]


# The event log


def latest_seq(*, company_id: str) -> int:
    return Company.objects.values_list("event_seq", flat=True).get(pk=company_id)


def latest_seqs(*, company_ids: list[str]) -> dict[str, int]:
    return {str(pk): seq for pk, seq in Company.objects.filter(pk__in=company_ids).values_list("pk", "event_seq")}


# (latest seq, whether the log reaches back to `since`, the first page after it)
CatchUp = tuple[int, bool, list[tuple[int, str]]]


def socket_open(
    *, token: str | None, requested_branch: str | None, stream: str, since: int | None, limit: int
) -> tuple[SocketAccess, CatchUp]:
    """Authorises a socket and reads where it starts in the log, in one trip to the
    database thread: one query, and a second only when there are events to catch up on."""
    try:
        access = tokens.read(AccessToken, token)
        user_id, token_version = tokens.claims(access)
    except tokens.BadToken:
        raise SocketRefused(4003) from None
    requested = _uuid_or_none(requested_branch)
    row = _socket_row(user_id, requested)
    if row is None or row[0].token_version != token_version:
        raise SocketRefused(4003)
    user, requested_company, first_seq = row
    # The requested branch as far as the check needs it: its id and its company.
    known = {requested: Branch(pk=requested, company_id=requested_company)} if requested else {}
    company_id, branch_id = socket_scope(user=user, requested_branch=requested_branch, known_branches=known)
    start = _catch_up_from(
        user.company.event_seq,
        first_seq,
        since=since,
        limit=limit,
        company_id=company_id,
        branch_id=branch_id,
        stream=stream,
    )
    return SocketAccess(str(user.pk), company_id, branch_id, float(access["exp"]), token_version), start


# Joining sockets and their catch-up are the hot path of a reconnect storm, where
# thousands of sockets join at once: in SQL, because building and compiling these
# queries through the ORM cost more CPU than all the rest of a join.
_SOCKET_ROW_SQL = f"""
SELECT u.id, u.is_active, u.role, u.company_id, u.branch_id, u.token_version, c.event_seq,
    (SELECT b.company_id FROM {Branch._meta.db_table} b WHERE b.id = %s),
    (SELECT e.seq FROM {Event._meta.db_table} e WHERE e.company_id = u.company_id ORDER BY e.seq LIMIT 1)
FROM {User._meta.db_table} u LEFT JOIN {Company._meta.db_table} c ON c.id = u.company_id
WHERE u.id = %s"""


def _socket_row(user_id: uuid.UUID, requested: uuid.UUID | None) -> tuple[User, uuid.UUID | None, int | None] | None:
    """The user with what tenancy needs of their company and branch, the requested
    branch's company, and the oldest seq the company's log still holds."""
    with connection.cursor() as cursor:
        cursor.execute(_SOCKET_ROW_SQL, [_db_uuid(requested), _db_uuid(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, is_active, role, company_id, branch_id, token_version, event_seq, requested_company, first_seq = row
    to_uuid = User._meta.pk.to_python
    company = Company(pk=to_uuid(company_id), event_seq=event_seq) if company_id else None
    branch = Branch(pk=to_uuid(branch_id), company=company) if branch_id else None
    user = User(pk=to_uuid(pk), is_active=bool(is_active), role=role, company=company, branch=branch)
    user.token_version = token_version
    return user, to_uuid(requested_company) if requested_company else None, first_seq


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
    return _catch_up_from(
        latest, first, since=since, limit=limit, company_id=company_id, branch_id=branch_id, stream=stream
    )


def _first_seq(company) -> Subquery:
    """The oldest seq the company's log still holds (None when empty)."""
    return Subquery(Event.objects.filter(company=company).order_by("seq").values("seq")[:1])


def _catch_up_from(latest: int, first: int | None, *, since: int | None, limit: int, **scope: str | None) -> CatchUp:
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
    sql = f"SELECT seq, message FROM {table} WHERE company_id = %s AND seq > %s AND seq <= %s AND streams LIKE %s"
    params = [_db_uuid(company_id), after, upto, f"%{stream}%"]
    if branch_id is not None:
        sql += " AND branch_id = %s"
        params.append(_db_uuid(branch_id))
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY seq LIMIT %s", [*params, limit])
        return cursor.fetchall()


def _db_uuid(value: object) -> object:
    """A uuid (or its text) as this database stores it."""
    return Event._meta.pk.get_db_prep_value(value, connection)


def events_after(*, company_id: str, after: int, upto: int, limit: int) -> list[tuple[int, str | None, str, str]]:
    rows = (
        Event.objects.filter(company=company_id, seq__gt=after, seq__lte=upto)
        .order_by("seq")
        .values_list("seq", "branch_id", "streams", "message")[:limit]
    )
    return [(seq, str(branch) if branch else None, streams, message) for seq, branch, streams, message in rows]
