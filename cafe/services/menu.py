"""The menu: categories and items."""

import uuid
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.models import Category, MenuItem
from cafe.selectors.menu import category_get, menu_item_get
from cafe.services.common import branch_for_write, save_unique
from core.errors import Conflict


def category_create(*, tenant: Tenant, name: str, position: int = 0) -> Category:
    category = Category(company=tenant.company, name=name, position=position)
    save_unique(category, "name", "A category with this name already exists.")
    return category


def category_update(*, tenant: Tenant, category_id: uuid.UUID, **changes: Any) -> Category:
    category = category_get(tenant=tenant, category_id=category_id)
    for field, value in changes.items():
        setattr(category, field, value)
    save_unique(category, "name", "A category with this name already exists.")
    return category


def category_delete(*, tenant: Tenant, category_id: uuid.UUID) -> None:
    category = category_get(tenant=tenant, category_id=category_id)
    if category.items.exists():
        raise Conflict("The category has menu items; move or delete them first.")
    category.delete()


def _menu_item_refs(tenant: Tenant, fields: dict[str, Any]) -> dict[str, Any]:
    if "category" in fields:
        try:
            fields["category"] = category_get(tenant=tenant, category_id=fields["category"])
        except Category.DoesNotExist:
            raise ValidationError({"category": ["Category not found."]}) from None
    if "branch" in fields and not (fields["branch"] is None and tenant.company_wide):
        # None means "every branch" for owners/admins, "my branch" for everyone else.
        fields["branch"] = branch_for_write(tenant, fields["branch"])
    return fields


def menu_item_create(*, tenant: Tenant, **fields: Any) -> MenuItem:
    item = MenuItem(company=tenant.company, **_menu_item_refs(tenant, fields))
    item.save()
    return item


def menu_item_update(*, tenant: Tenant, menu_item_id: uuid.UUID, **changes: Any) -> MenuItem:
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    for field, value in _menu_item_refs(tenant, changes).items():
        setattr(item, field, value)
    item.save()
    return item


def menu_item_delete(*, tenant: Tenant, menu_item_id: uuid.UUID) -> None:
    """Order lines keep their menu item, so an item that was ever ordered stays."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise Conflict("The menu item is on orders; mark it unavailable instead.") from None
