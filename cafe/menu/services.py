"""The menu: categories, items, stations, modifiers and the stop-list. Changes to
what a tablet shows of an item end with ``menu_item_updated`` for each branch
that serves it.

Categories and items with no branch (and their modifiers) are shared by every
branch of the company: only owners and admins change them. A manager changes
their own branch's items, stations and modifiers, and their branch's station and
stop-list of a shared item (``menu_item_branch_set``), and nothing else."""

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.tenancy import Tenant, branch_for_write
from cafe.menu.events import menu_item_updated
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.menu.selectors import (
    category_get,
    menu_item_get,
    menu_item_views,
    modifier_get,
    modifier_group_get,
    station_get,
)
from cafe.shared.services import save_unique
from core.errors import Conflict, room_for_one_more
from realtime.emit import emit

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


# Stations


def station_create(*, tenant: Tenant, name: str, position: int = 0, branch: uuid.UUID | None = None) -> Station:
    station = Station(company=tenant.company, branch=branch_for_write(tenant, branch), name=name, position=position)
    save_unique(station, "name", _("A station with this name already exists in this branch."))
    return station


def station_update(*, tenant: Tenant, station_id: uuid.UUID, **changes: Any) -> Station:
    station = station_get(tenant=tenant, station_id=station_id)
    if "branch" in changes and changes.pop("branch") != station.branch_id:
        raise ValidationError({"branch": [_("A station cannot move to another branch.")]})
    for field, value in changes.items():
        setattr(station, field, value)
    save_unique(station, "name", _("A station with this name already exists in this branch."))
    return station


def station_delete(*, tenant: Tenant, station_id: uuid.UUID) -> None:
    """Menu items of the station go back to being served straight by the waiter."""
    station = station_get(tenant=tenant, station_id=station_id)
    try:
        with transaction.atomic():
            station.delete()
    except ProtectedError:
        raise Conflict(_("The station has kitchen tasks; it cannot be deleted.")) from None


# Menu items


def _station_in(tenant: Tenant, station_id: uuid.UUID | None, branch_id: uuid.UUID) -> Station | None:
    if station_id is None:
        return None
    station = tenant.scope(Station).filter(branch=branch_id, pk=station_id).first()
    if station is None:
        raise ValidationError({"station": [_("Station not found in this branch.")]})
    return station


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


def _refuse_counting_stock(item: MenuItem, changes: dict[str, Any]) -> None:
    """A dish with a recipe (``stock_tracked``) has its ``remaining`` from the stock
    (``cafe.store``): it is not a count to set."""
    if item.stock_tracked and "remaining" in changes:
        raise ValidationError({"remaining": [_("This dish has a recipe: its remaining portions follow the stock.")]})


def _check_branch_fields(tenant: Tenant, item: MenuItem, station_id: uuid.UUID | None) -> None:
    """A branch item keeps its station and stop-list count; a company-wide item has
    them per branch (``menu_item_branch_set``)."""
    if item.branch_id is None:
        per_branch = _("A company-wide item has this per branch: PATCH menu-items/{id}/branches/{branch}/.")
        if station_id is not None:
            raise ValidationError({"station": [per_branch]})
        if item.remaining is not None:
            raise ValidationError({"remaining": [per_branch]})
        item.station = None
    else:
        item.station = _station_in(tenant, station_id, item.branch_id)


def _report(tenant: Tenant, item_id: uuid.UUID, branch_id: uuid.UUID | None = None) -> None:
    emit(
        company_id=tenant.company_id,
        events=menu_item_updated(menu_item_views(tenant=tenant, item_ids=[item_id], branch_id=branch_id)),
    )


def menu_item_create(*, tenant: Tenant, station: uuid.UUID | None = None, **fields: Any) -> MenuItem:
    """Without a ``branch`` the item goes to a manager's own branch, or to every
    branch when an owner or admin creates it."""
    fields.setdefault("branch", tenant.branch.pk if tenant.branch is not None else None)
    item = MenuItem(company=tenant.company, **_menu_item_refs(tenant, fields))
    _check_branch_fields(tenant, item, station)
    item.save()
    return menu_item_get(tenant=tenant, menu_item_id=item.pk)


def _refuse_shared_item(tenant: Tenant, item: MenuItem) -> None:
    if item.branch_id is None:
        _refuse_branch_roles(tenant, SHARED_ITEM)


@transaction.atomic
def menu_item_update(*, tenant: Tenant, menu_item_id: uuid.UUID, **changes: Any) -> MenuItem:
    """Changes the given fields, also the stop-list of a branch item (``is_available``,
    ``remaining``); without ``branch`` the item stays where it is."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    item = tenant.scope(MenuItem).select_for_update(no_key=True).get(pk=item.pk)
    _refuse_counting_stock(item, changes)
    station_given = "station" in changes
    station = changes.pop("station", item.station_id)
    moved = "branch" in changes
    changes = _menu_item_refs(tenant, changes)
    _refuse_shared_item(tenant, item)
    for field, value in changes.items():
        setattr(item, field, value)
    if moved and not station_given and item.station is not None and item.branch_id != item.station.branch_id:
        station = None
    _check_branch_fields(tenant, item, station)
    item.save()
    _report(tenant, item.pk)
    return menu_item_get(tenant=tenant, menu_item_id=item.pk)


def menu_item_delete(*, tenant: Tenant, menu_item_id: uuid.UUID) -> None:
    """Order lines keep their menu item, so an item that was ever ordered stays."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    _refuse_shared_item(tenant, item)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise Conflict(_("The menu item is on orders; mark it unavailable instead.")) from None


@transaction.atomic
def menu_item_branch_set(
    *, tenant: Tenant, menu_item_id: uuid.UUID, branch: uuid.UUID, **changes: Any
) -> MenuItemBranch:
    """A company-wide item's station and stop-list in one branch; fields not given keep their value."""
    item = menu_item_get(tenant=tenant, menu_item_id=menu_item_id)
    if item.branch_id is not None:
        raise ValidationError({"branch": [_("A branch item keeps its station and stop-list on the item itself.")]})
    branch_obj = branch_for_write(tenant, branch)
    _refuse_counting_stock(item, changes)
    if "station" in changes:
        changes["station"] = _station_in(tenant, changes["station"], branch_obj.pk)
    setting, _created = (
        tenant.scope(MenuItemBranch)
        .select_for_update(no_key=True)
        .get_or_create(menu_item=item, branch=branch_obj, defaults={"company": tenant.company})
    )
    for field, value in changes.items():
        setattr(setting, field, value)
    setting.save()
    _report(tenant, item.pk, branch_obj.pk)
    return setting


# Modifiers


def _modifier_group_refs(tenant: Tenant, fields: dict[str, Any]) -> dict[str, Any]:
    if "menu_item" in fields:
        try:
            fields["menu_item"] = menu_item_get(tenant=tenant, menu_item_id=fields["menu_item"])
        except MenuItem.DoesNotExist:
            raise ValidationError({"menu_item": [_("Menu item not found.")]}) from None
    return fields


@transaction.atomic
def modifier_group_create(*, tenant: Tenant, **fields: Any) -> ModifierGroup:
    group = ModifierGroup(company=tenant.company, **_modifier_group_refs(tenant, fields))
    _refuse_shared_item(tenant, group.menu_item)
    save_unique(group, "name", _("This menu item already has a group with this name."))
    _report(tenant, group.menu_item_id)
    return modifier_group_get(tenant=tenant, group_id=group.pk)


@transaction.atomic
def modifier_group_update(*, tenant: Tenant, group_id: uuid.UUID, **changes: Any) -> ModifierGroup:
    group = modifier_group_get(tenant=tenant, group_id=group_id)
    _refuse_shared_item(tenant, group.menu_item)
    if "menu_item" in changes and changes.pop("menu_item") != group.menu_item_id:
        raise ValidationError({"menu_item": [_("A modifier group cannot move to another menu item.")]})
    for field, value in changes.items():
        setattr(group, field, value)
    save_unique(group, "name", _("This menu item already has a group with this name."))
    _report(tenant, group.menu_item_id)
    return modifier_group_get(tenant=tenant, group_id=group.pk)


@transaction.atomic
def modifier_group_delete(*, tenant: Tenant, group_id: uuid.UUID) -> None:
    """Lines that chose its modifiers keep their copies."""
    group = modifier_group_get(tenant=tenant, group_id=group_id)
    _refuse_shared_item(tenant, group.menu_item)
    group.delete()
    _report(tenant, group.menu_item_id)


def _check_modifier_room(tenant: Tenant, menu_item_id: uuid.UUID) -> None:
    """An item has at most ``MENU_ITEM_MAX_MODIFIERS`` modifiers, counted across its
    groups (each change to the item is an event with all of them, for every branch):
    counted with the item row locked, so two concurrent creations cannot both pass."""
    list(tenant.scope(MenuItem).select_for_update(no_key=True).filter(pk=menu_item_id).values_list("pk"))
    room_for_one_more(
        tenant.scope(Modifier).filter(group__menu_item=menu_item_id),
        settings.MENU_ITEM_MAX_MODIFIERS,
        _("A menu item has at most %(limit)s modifiers (MENU_ITEM_MAX_MODIFIERS)."),
    )


@transaction.atomic
def modifier_create(*, tenant: Tenant, group: uuid.UUID, **fields: Any) -> Modifier:
    try:
        group_obj = modifier_group_get(tenant=tenant, group_id=group)
    except ModifierGroup.DoesNotExist:
        raise ValidationError({"group": [_("Modifier group not found.")]}) from None
    _refuse_shared_item(tenant, group_obj.menu_item)
    _check_modifier_room(tenant, group_obj.menu_item_id)
    modifier = Modifier(company=tenant.company, group=group_obj, **fields)
    save_unique(modifier, "name", _("This group already has a modifier with this name."))
    _report(tenant, group_obj.menu_item_id)
    return modifier


@transaction.atomic
def modifier_update(*, tenant: Tenant, modifier_id: uuid.UUID, **changes: Any) -> Modifier:
    modifier = modifier_get(tenant=tenant, modifier_id=modifier_id)
    _refuse_shared_item(tenant, modifier.group.menu_item)
    if "group" in changes and changes.pop("group") != modifier.group_id:
        raise ValidationError({"group": [_("A modifier cannot move to another group.")]})
    for field, value in changes.items():
        setattr(modifier, field, value)
    save_unique(modifier, "name", _("This group already has a modifier with this name."))
    _report(tenant, modifier.group.menu_item_id)
    return modifier


@transaction.atomic
def modifier_delete(*, tenant: Tenant, modifier_id: uuid.UUID) -> None:
    modifier = modifier_get(tenant=tenant, modifier_id=modifier_id)
    _refuse_shared_item(tenant, modifier.group.menu_item)
    menu_item_id = modifier.group.menu_item_id
    modifier.delete()
    _report(tenant, menu_item_id)
