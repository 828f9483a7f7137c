import uuid

from django.db.models import Q, QuerySet

from accounts.tenancy import Tenant
from cafe.models import Category, MenuItem


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
