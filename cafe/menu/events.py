"""The menu's events: ``menu_item_updated``, the item as each branch sees it."""

import uuid
from collections.abc import Iterable
from typing import Any, cast

from cafe.menu.models import MenuItem
from cafe.menu.serializers import MenuItemSerializer, ModifierGroupSerializer
from cafe.shared.serializers import represent
from realtime.catalogue import (
    MENU_ITEM_UPDATED,
    MenuItemData,
    MenuItemObject,
)
from realtime.emit import PendingEvent, in_event_language


class _ItemWithoutGroups(MenuItemSerializer):
    """``MenuItemSerializer`` up to its last field, ``modifier_groups``, which is the
    same in every branch and is represented once per item."""

    modifier_groups = None  # type: ignore[assignment]


@in_event_language
def menu_item_updated(items_by_branch: Iterable[tuple[uuid.UUID, MenuItem]]) -> list[PendingEvent[MenuItemData]]:
    """One event per (branch, item as that branch sees it: ``selectors.menu_item_views``).
    An item's modifier groups are represented once and shared by its branches' payloads."""
    groups: dict[uuid.UUID, list[Any]] = {}
    events = []
    for branch_id, item in items_by_branch:
        if item.pk not in groups:
            groups[item.pk] = [represent(ModifierGroupSerializer, group) for group in item.modifier_groups.all()]
        menu_item = {**represent(_ItemWithoutGroups, item), "modifier_groups": groups[item.pk]}
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
