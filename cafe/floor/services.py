"""Tables: set-up by managers, status by any staff member."""

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.tenancy import Tenant
from cafe.floor.events import TABLE_CREATED, TABLE_DELETED, TABLE_UPDATED, table_event, table_status_changed
from cafe.floor.models import TABLE_TRANSITIONS, Table, TableStatus
from cafe.floor.selectors import table_get
from cafe.shared.services import branch_for_write, save_unique
from core.errors import Conflict
from core.rows import row_update
from realtime.emit import PendingEvent, emit


@transaction.atomic
def table_create(
    *, tenant: Tenant, number: int, seats: int, branch: uuid.UUID | None = None, status: str = TableStatus.FREE
) -> Table:
    table = Table(
        company=tenant.company, branch=branch_for_write(tenant, branch), number=number, seats=seats, status=status
    )
    save_unique(table, "number", _("A table with this number already exists in this branch."))
    emit(company_id=tenant.company_id, events=[table_event(TABLE_CREATED, table)])
    return table


@transaction.atomic
def table_update(*, tenant: Tenant, table_id: uuid.UUID, **changes: Any) -> Table:
    """Changes number, seats or status (to ``reserved`` or ``free``); a table with
    open orders stays ``busy``. Owners, admins and managers change anything; other
    staff only the status."""
    table = table_get(tenant=tenant, table_id=table_id, lock=True)
    if not tenant.may_manage and set(changes) != {"status"}:
        raise PermissionDenied(
            _("Only owners, admins and managers change a table; other staff change its status only.")
        )
    if "branch" in changes and changes.pop("branch") != table.branch_id:
        raise ValidationError({"branch": [_("A table cannot move to another branch.")]})
    status = changes.pop("status", table.status)
    if status != table.status and table.status == TableStatus.BUSY:
        raise Conflict(_("The table has open orders; it stays busy until they end."))
    for field, value in changes.items():
        setattr(table, field, value)
    pending: list[PendingEvent[Any]] = table_status_set(table, status, save=False)
    save_unique(table, "number", _("A table with this number already exists in this branch."))
    emit(company_id=tenant.company_id, events=[*pending, table_event(TABLE_UPDATED, table)])
    return table


def table_status_set(table: Table, status: str, *, save: bool = True) -> list[PendingEvent[Any]]:
    """The one place a table's status changes, as ``TABLE_TRANSITIONS`` allows (409
    otherwise); ``table_status_changed`` only when it really changes. Runs with the
    table locked, inside the caller's transaction; ``save=False`` leaves the save to
    the caller, which writes the row once."""
    if status == table.status:
        return []
    if status not in TABLE_TRANSITIONS[table.status]:
        raise Conflict(
            _("The table is %(status)s; it cannot become %(to)s.")
            % {"status": table.get_status_display().lower(), "to": TableStatus(status).label.lower()}
        )
    table.status = status
    if save:
        row_update(table, ["status", "updated_at"])
    return [table_status_changed(table)]


@transaction.atomic
def table_delete(*, tenant: Tenant, table_id: uuid.UUID) -> None:
    table = table_get(tenant=tenant, table_id=table_id, lock=True)
    if table.orders.exists():
        raise Conflict(_("The table has orders; it cannot be deleted."))
    event = table_event(TABLE_DELETED, table)
    table.delete()
    emit(company_id=tenant.company_id, events=[event])
