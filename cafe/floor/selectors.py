import datetime
import uuid

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from cafe.floor.models import OpeningException, OpeningHours, Table, Zone


def table_list(
    *, tenant: Tenant, branch: uuid.UUID | None = None, zone: uuid.UUID | str | None = None
) -> QuerySet[Table]:
    """``zone``: a zone's id, or ``"none"`` for the tables on no plan."""
    tables = tenant.scope(Table)
    if branch:
        tables = tables.filter(branch=branch)
    if zone == "none":
        tables = tables.filter(zone__isnull=True)
    elif isinstance(zone, uuid.UUID):
        tables = tables.filter(zone=zone)
    return tables


def table_get(*, tenant: Tenant, table_id: uuid.UUID, lock: bool = False) -> Table:
    """``lock``: FOR NO KEY UPDATE, like every row lock of the domain (no primary key
    ever changes). A plain FOR UPDATE would also block the foreign-key checks of
    other transactions' rows pointing here (an order updated twice is checked again
    at commit), and deadlock with them (docs/bill.md, "Concurrency")."""
    tables = tenant.scope(Table).select_related("branch")  # its bill settings, for a new order
    return (tables.select_for_update(of=("self",), no_key=True) if lock else tables).get(pk=table_id)


def zone_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Zone]:
    zones = tenant.scope(Zone)
    return zones.filter(branch=branch) if branch else zones


def zone_get(*, tenant: Tenant, zone_id: uuid.UUID, lock: bool = False) -> Zone:
    zones = tenant.scope(Zone)
    return (zones.select_for_update(no_key=True) if lock else zones).get(pk=zone_id)


def opening_hours_list(
    *, tenant: Tenant, branch: uuid.UUID | None = None, weekday: int | None = None
) -> QuerySet[OpeningHours]:
    rows = tenant.scope(OpeningHours)
    if branch:
        rows = rows.filter(branch=branch)
    return rows if weekday is None else rows.filter(weekday=weekday)


def opening_hours_get(*, tenant: Tenant, hours_id: uuid.UUID, lock: bool = False) -> OpeningHours:
    rows = tenant.scope(OpeningHours)
    return (rows.select_for_update(no_key=True) if lock else rows).get(pk=hours_id)


def opening_exception_list(
    *,
    tenant: Tenant,
    branch: uuid.UUID | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[OpeningException]:
    rows = tenant.scope(OpeningException)
    if branch:
        rows = rows.filter(branch=branch)
    if since:
        rows = rows.filter(date__gte=since)
    return rows.filter(date__lte=until) if until else rows


def opening_exception_get(*, tenant: Tenant, exception_id: uuid.UUID, lock: bool = False) -> OpeningException:
    rows = tenant.scope(OpeningException)
    return (rows.select_for_update(no_key=True) if lock else rows).get(pk=exception_id)
