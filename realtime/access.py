"""Who may open a socket, on which scope, and whether they still may.

Called by the consumers (join) and the hub (periodic re-check), in the database
thread; tenancy itself is decided by ``accounts.tenancy``."""

import uuid
from dataclasses import dataclass

from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from accounts import devices, tokens
from accounts.models import Branch, Company, User
from accounts.tenancy import BranchNotAllowed, NoCompany, tenant_for
from realtime.catalogue import NARROWINGS, narrowing_allowed
from realtime.eventlog import CatchUp, catch_up_from, db_uuid
from realtime.models import Event


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
    # The id the socket narrowed itself to (``catalogue.NARROWINGS``), as events name it.
    narrowed_to: str | None = None
    # The registered device a PIN session's socket is bound to (accounts.devices).
    device_id: str | None = None


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


def live_devices(*, device_ids: set[str]) -> set[str]:
    """Of the devices sockets are bound to, those not revoked (one query)."""
    return devices.device_states(device_ids=device_ids)


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def revoked_subscriptions(*, subscriptions: list) -> list:
    """The sockets whose user is gone, inactive, no longer has the same scope, or whose
    token was revoked (two queries for any number of sockets)."""
    users = User.objects.select_related("company", "branch").in_bulk({sub.user_id for sub in subscriptions})
    branches = Branch.unscoped.in_bulk({_uuid_or_none(sub.requested_branch) for sub in subscriptions} - {None})
    scopes: dict[tuple[str, str | None], tuple[str, str | None] | None] = {}
    for user_id, requested in {(sub.user_id, sub.requested_branch) for sub in subscriptions}:
        user = users.get(uuid.UUID(user_id))
        try:
            scopes[user_id, requested] = (
                socket_scope(user=user, requested_branch=requested, known_branches=branches) if user else None
            )
        except SocketRefused:
            scopes[user_id, requested] = None
    return [
        sub
        for sub in subscriptions
        if scopes[sub.user_id, sub.requested_branch] != (sub.company_id, sub.branch_id)
        or users[uuid.UUID(sub.user_id)].token_version != sub.token_version
    ]


def socket_open(
    *,
    token: str | None,
    requested_branch: str | None,
    stream: str,
    since: int | None,
    limit: int,
    narrowing: str | None = None,
    device: str | None = None,
) -> tuple[SocketAccess, CatchUp]:
    """Authorises a socket and reads where it starts in the log, in one trip to the
    database thread: one query, and a second only when there are events to catch up on
    (and one when the socket narrows itself: ``narrowing`` is the value of its stream's
    narrowing parameter, refused 4005 unless the domain's check allows it). A device
    session's token needs its live device's credential in ``device`` (one more query),
    else 4003."""
    try:
        access = tokens.read(AccessToken, token)
        user_id, token_version = tokens.claims(access)
        device_id = devices.session_claim(access)
    except tokens.BadToken:
        raise SocketRefused(4003) from None
    requested = _uuid_or_none(requested_branch)
    row = _socket_row(user_id, requested)
    if row is None or row[0].token_version != token_version:
        raise SocketRefused(4003)
    user, requested_company, first_seq = row
    if device_id is not None and not devices.device_matches(device_id=device_id, key=device, branch_id=user.branch_id):
        raise SocketRefused(4003)
    # The requested branch as far as the check needs it: its id and its company.
    # (A branch that does not exist is unknown: refused all the same.)
    known = {requested: Branch(pk=requested, company_id=requested_company)} if requested and requested_company else {}
    company_id, branch_id = socket_scope(user=user, requested_branch=requested_branch, known_branches=known)
    assert user.company is not None  # socket_scope refuses users without one
    narrowed_to = _narrowed_to(user, stream, narrowing, branch_id) if narrowing is not None else None
    start = catch_up_from(
        user.company.event_seq,
        first_seq,
        since=since,
        limit=limit,
        company_id=company_id,
        branch_id=branch_id,
        stream=stream,
    )
    granted = SocketAccess(
        str(user.pk),
        company_id,
        branch_id,
        float(access["exp"]),
        token_version,
        narrowed_to,
        str(device_id) if device_id is not None else None,
    )
    return granted, start


def _narrowed_to(user: User, stream: str, value: str, branch_id: str | None) -> str:
    """The id a socket narrows itself to, as events name it; 4005 unless the stream
    declares a narrowing and the domain's check allows this id for the socket's scope
    (``catalogue.Narrowing``: realtime asks, the domain that owns the objects decides)."""
    pk = _uuid_or_none(value)
    if stream not in NARROWINGS or pk is None or not narrowing_allowed(stream, tenant_for(user), pk, branch_id):
        raise SocketRefused(4005)
    return str(pk)


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
        cursor.execute(_SOCKET_ROW_SQL, [db_uuid(requested), db_uuid(user_id)])
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
