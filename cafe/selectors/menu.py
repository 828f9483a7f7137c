import uuid

from django.db.models import Q, QuerySet

from accounts.tenancy import Tenant
from cafe.models import Category, MenuItem


def category_list(*, tenant: Tenant) -> QuerySet[Category]:
    return tenant.scope(Category)


def category_get(*, tenant: Tenant, category_id: uuid.UUID) -> Category:
    return category_list(tenant=tenant).get(pk=category_id)


def menu_item_list(*, tenant: Tenant, branch: uuid.UUID | None = None) -> QuerySet[MenuItem]:
    """Items a tenant may see: company-wide items and those of their branches."""
    items = tenant.scope(MenuItem).select_related("category")
    if branch is None or not tenant.company_wide:
        return items
    return items.filter(Q(branch__isnull=True) | Q(branch=branch))


def menu_item_get(*, tenant: Tenant, menu_item_id: uuid.UUID) -> MenuItem:
    return menu_item_list(tenant=tenant).get(pk=menu_item_id)


def menu_for_branch(*, tenant: Tenant, branch_id: uuid.UUID) -> QuerySet[MenuItem]:
    """The items served in one branch of the tenant's (the branch of an order being written)."""
    return tenant.scope(MenuItem).filter(Q(branch__isnull=True) | Q(branch=branch_id))
