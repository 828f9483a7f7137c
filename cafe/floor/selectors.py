import uuid

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from cafe.floor.models import Table


def table_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Table]:
    tables = tenant.scope(Table)
    return tables.filter(branch=branch) if branch else tables


def table_get(*, tenant: Tenant, table_id: uuid.UUID, lock: bool = False) -> Table:
    """``lock``: FOR NO KEY UPDATE, like every row lock of the domain (no primary key
    ever changes). A plain FOR UPDATE would also block the foreign-key checks of
    other transactions' rows pointing here (an order updated twice is checked again
    at commit), and deadlock with them (docs/bill.md, "Concurrency")."""
    tables = tenant.scope(Table).select_related("branch")  # its bill settings, for a new order
    return (tables.select_for_update(of=("self",), no_key=True) if lock else tables).get(pk=table_id)
