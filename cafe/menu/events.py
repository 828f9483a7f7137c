"""TODO"""

import uuid
from collections.abc import Iterable
from typing import cast

from cafe.menu.models import MenuItem
from cafe.menu.serializers import MenuItemSerializer
from cafe.shared.serializers import represent
from realtime.catalogue import (
    MENU_ITEM_UPDATED,
    MenuItemData,
    MenuItemObject,
)
from realtime.emit import PendingEvent, in_event_language


@in_event_language
def menu_item_updated(items_by_branch: Iterable[tuple[uuid.UUID, MenuItem]]) -> list[PendingEvent[MenuItemData]]:
    """One event per (branch, item as that branch sees it: ``selectors.menu.in_branch``)."""
    return [
        PendingEvent(
            MENU_ITEM_UPDATED,
            branch_id,
            MenuItemData(
                menu_item=cast(MenuItemObject, represent(MenuItemSerializer, item)),
                company_id=str(item.company_id),
                branch_id=str(branch_id),
            ),
        )
        for branch_id, item in items_by_branch
    ]
