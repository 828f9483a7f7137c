import uuid

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from cafe.models import Table


def table_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[Table]:
    tables = tenant.scope(Table)
    return tables.filter(branch=branch) if branch else tables


def table_get(*, tenant: Tenant, table_id: uuid.UUID, lock: bool = False) -> Table:
    tables = tenant.scope(Table)
    return (tables.select_for_update() if lock else tables).get(pk=table_id)
