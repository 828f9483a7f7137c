"""The managers that make a tenant's scope impossible to forget.

Every tenant-owned model (``accounts.models.TenantOwned`` and ``accounts.Branch``)
has two managers:

- ``objects`` (a ``ScopedManager``) refuses to read: ``Order.objects.filter(...)``
  raises ``UnscopedQuery``. Reads start from a tenant, ``tenant.scope(Order)``,
  which narrows to the tenant's company and, for branch-bound staff, their branch.
  Inserts (``create``, ``bulk_create``) read nothing and stay allowed: the
  company is a required column, so it cannot be left out.
- ``unscoped`` (a plain manager, declared first so Django uses it as the default
  manager for admin, related objects, validation and serialisation) sees every
  tenant. Outside of Django's own machinery it is for the few readers that are
  cross-tenant by design; ``accounts/tests/test_scoping.py`` lists the modules
  allowed to name it and fails on any other.

How a model narrows to a branch is declared on the model:
``tenant_branch_field`` (a lookup to the row's branch, or None for
company-wide rows such as categories) and ``tenant_branch_optional`` (a null
branch means "every branch", as for menu items).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.db import connections, models
from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from accounts.tenancy import Tenant

M = TypeVar("M", bound=models.Model)


class UnscopedQuery(Exception):
    """A tenant-owned model was read without a tenant: a programming error."""


def tenant_filter(model: type[models.Model], tenant: Tenant) -> Q:
    """What ``tenant`` may see of ``model``'s rows, as declared on the model."""
    condition = Q(company=tenant.company)
    branch_field: str | None = model.tenant_branch_field  # type: ignore[attr-defined]
    if tenant.branch is None or branch_field is None:
        return condition
    branch = Q(**{branch_field: tenant.branch.pk})
    if getattr(model, "tenant_branch_optional", False):
        branch |= Q(**{f"{branch_field}__isnull": True})
    return condition & branch


def tenant_where(model: type[models.Model], tenant: Tenant, alias: str) -> tuple[str, list[Any]]:
    """``tenant_filter`` as SQL on ``model``'s own table, with its parameters, for the
    few statements written by hand on the write path (``core.rows.rows_read``); only
    for models whose branch is a column of their own (``tenant_branch_field`` a plain
    foreign key)."""
    connection = connections[alias]
    branch_bound = tenant.branch is not None
    condition, company, branch = _tenant_sql(model, alias, branch_bound)
    params = [company.get_db_prep_value(tenant.company_id, connection)]
    if branch is not None:
        params.append(branch.get_db_prep_value(tenant.branch.pk, connection))  # type: ignore[union-attr]
    return condition, params


@functools.cache
def _tenant_sql(
    model: type[models.Model], alias: str, branch_bound: bool
) -> tuple[str, models.Field, models.Field | None]:
    """``tenant_where``'s text (made once per model and shape) and the fields of its parameters."""
    quote = connections[alias].ops.quote_name
    table = quote(model._meta.db_table)
    company = cast(models.Field, model._meta.get_field("company"))
    condition = f"{table}.{quote(company.column)} = %s"
    branch_field: str | None = model.tenant_branch_field  # type: ignore[attr-defined]
    if not branch_bound or branch_field is None:
        return condition, company, None
    branch = cast(models.Field, model._meta.get_field(branch_field))  # a lookup through a relation: FieldDoesNotExist
    column = f"{table}.{quote(branch.column)}"
    if getattr(model, "tenant_branch_optional", False):
        return f"{condition} AND ({column} = %s OR {column} IS NULL)", company, branch
    return f"{condition} AND {column} = %s", company, branch


class TenantScoping(Generic[M]):
    """``for_tenant`` for any manager of a tenant-owned model (``User``'s too)."""

    model: type[M]

    def _all_tenants(self) -> QuerySet[M]:
        return super().get_queryset()  # type: ignore[misc]

    def for_tenant(self, tenant: Tenant) -> QuerySet[M]:
        """The rows ``tenant`` may see; call it through ``tenant.scope(Model)``."""
        return self._all_tenants().filter(tenant_filter(self.model, tenant))


class ScopedManager(TenantScoping[M], models.Manager[M]):
    """``Model.objects`` of a tenant-owned model: reads need ``tenant.scope(Model)``."""

    def get_queryset(self) -> QuerySet[M]:
        raise UnscopedQuery(
            f"{self.model.__name__}.objects reads every company's rows: start from the tenant, "
            f"tenant.scope({self.model.__name__}); cross-tenant readers use {self.model.__name__}.unscoped."
        )

    def create(self, **kwargs: Any) -> M:
        return self._all_tenants().create(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        return self._all_tenants().bulk_create(objs, *args, **kwargs)
