"""The menu's event types (registered with ``realtime`` in ``CafeConfig.ready``), their
builder, and the kitchen socket's station narrowing (stations are the menu's)."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from accounts.tenancy import Tenant
from cafe.menu.models import MenuItem, ModifierGroup
from cafe.menu.payloads import MenuItemData, MenuItemObject
from cafe.menu.selectors import station_in_scope
from cafe.menu.serializers import menu_item_fields, modifier_group_fields
from cafe.shared.events import Stream
from realtime.catalogue import Narrowing, event_type
from realtime.emit import PendingEvent, in_event_language

MENU_ITEM_UPDATED = event_type(
    "menu_item_updated",
    {Stream.ORDERS, Stream.KITCHEN},
    MenuItemData,
    "A menu item changed in a branch: price, station, availability or the portions remaining.",
)
MENU_EVENTS = (MENU_ITEM_UPDATED,)


def _station_allowed(tenant: Tenant, station: uuid.UUID, branch_id: str | None) -> bool:
    return station_in_scope(tenant=tenant, station_id=station, branch_id=branch_id)


# `&station=ID` on the kitchen socket: kitchen tasks and menu items name their station.
STATION = Narrowing(
    "station",
    "A station of the socket's branch (or, company-wide, of the company): only events of that station's "
    "portions are sent, and events that name no station (an item served straight by the waiter).",
    allows=_station_allowed,
)


@in_event_language
def menu_item_updated(
    items_by_branch: Iterable[tuple[uuid.UUID, MenuItem]],
    read: Mapping[uuid.UUID, Sequence[ModifierGroup]] | None = None,
) -> list[PendingEvent[MenuItemData]]:
    """One event per (branch, item as that branch sees it: ``cafe.menu.selectors.menu_item_views``).
    An item's modifier groups are represented once and shared by its branches' payloads:
    those in ``read`` (by item id, their modifiers prefetched: an order's, read with its
    menu), or the item's prefetched ones."""
    groups: dict[uuid.UUID, list[Any]] = {}
    events = []
    for branch_id, item in items_by_branch:
        if item.pk not in groups:
            found = read.get(item.pk) if read is not None else None
            chosen = found if found is not None else item.modifier_groups.all()
            groups[item.pk] = [modifier_group_fields(group) for group in chosen]
        menu_item = {**menu_item_fields(item), "modifier_groups": groups[item.pk]}
        events.append(
            PendingEvent(
                MENU_ITEM_UPDATED,
                branch_id,
                MenuItemData(
                    menu_item=cast(MenuItemObject, menu_item),
                    company_id=str(item.company_id),
                    branch_id=str(branch_id),
                ),
            )
        )
    return events
