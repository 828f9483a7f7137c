"""The menu: categories and items.

Categories and items with no branch are shared by every branch of the company:
only owners and admins change them. A manager changes their own branch's items
(in the company's categories) and nothing else."""

import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.tenancy import Tenant
from cafe.models import Category, MenuItem
from cafe.selectors.menu import category_get, menu_item_get
from cafe.services.common import branch_for_write, save_unique
from core.errors import Conflict

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SHARED_CATEGORY = gettext_lazy("Categories are shared by every branch: only owners and admins change them.")
SHARED_ITEM = gettext_lazy("This menu item is served in every branch: only owners and admins change it.")
TO_EVERY_BRANCH = gettext_lazy("Only owners and admins put a menu item on every branch's menu.")


def _refuse_branch_roles(tenant: Tenant, message: "StrOrPromise") -> None:
    if not tenant.company_wide:
        raise PermissionDenied(message)


def category_create(*, tenant: Tenant, name: str, position: int = 0) -> Category:
    _refuse_branch_roles(tenant, SHARED_CATEGORY)
    category = Category(company=tenant.company, name=name, position=position)
    save_unique(category, "name", _("A category with this name already exists."))
    return category


def category_update(*, tenant: Tenant, category_id: uuid.UUID, **changes: Any) -> Category:
    category = category_get(tenant=tenant, category_id=category_id)
    _refuse_branch_roles(tenant, SHARED_CATEGORY)
    for field, value in changes.items():
        setattr(category, field, value)
    save_unique(category, "name", _("A category with this name already exists."))
    return category


def category_delete(*, tenant: Tenant, category_id: uuid.UUID) -> None:
    category = category_get(tenant=tenant, category_id=category_id)
    _refuse_branch_roles(tenant, SHARED_CATEGORY)
    if category.items.exists():
        raise Conflict(_("The category has menu items; move or delete them first."))
    category.delete()


def _menu_item_refs(tenant: Tenant, fields: dict[str, Any]) -> dict[str, Any]:
    if "category" in fields:
        try:
            fields["category"] = category_get(tenant=tenant, category_id=fields["category"])
        except Category.DoesNotExist:
            raise ValidationError({"category": [_("Category not found.")]}) from None
    if "branch" in fields:
        # None puts the item on every branch's menu.
        if fields["branch"] is None:
            _refuse_branch_roles(tenant, TO_EVERY_BRANCH)
        else:
            fields["branch"] = branch_for_write(tenant, fields["branch"])
    return fields


def menu_item_create(*, tenant: Tenant, **fields: Any) -> MenuItem:
    """Without a ``branch`` the item goes to a manager's own branch, or to every
    branch when an owner or admin creates it."""
    fields.setdefault("branch", tenant.branch.pk if tenant.branch is not None else None)
    item = MenuItem(company=tenant.company, **_menu_item_refs(tenant, fields))
    item.save()
    return item


def _refuse_shared_item(tenant: Tenant, item: MenuItem) -> None:
    if item.branch_id is None:
        _refuse_branch_roles(tenant, SHARED_ITEM)


def menu_item_update(*, tenant: Tenant, menu_item_id: uuid.UUID, **changes: Any) -> MenuItem:
    """Changes the given fields; without ``branch`` the item stays where it is."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    changes = _menu_item_refs(tenant, changes)
    _refuse_shared_item(tenant, item)
    for field, value in changes.items():
        setattr(item, field, value)
    item.save()
    return item


def menu_item_delete(*, tenant: Tenant, menu_item_id: uuid.UUID) -> None:
    """Order lines keep their menu item, so an item that was ever ordered stays."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    _refuse_shared_item(tenant, item)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise Conflict(_("The menu item is on orders; mark it unavailable instead.")) from None
