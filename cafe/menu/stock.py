"""The stop-list's stock: portions left of an item in a branch (``remaining``; null
when it is not counted), taken by orders and given back when portions are never
started. One conditional UPDATE per item, in item id order (the stock rank of
``cafe.orders.locking``'s protocol), so two tablets can never both sell the last
portion and concurrent orders queue on the rows instead of deadlocking."""

import uuid
from collections.abc import Mapping
from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from accounts.tenancy import Tenant
from cafe.menu.models import MenuItem, MenuItemBranch
from core.errors import Conflict


class StockShort(Conflict):
    """409 naming what is left: ``{"detail", "menu_item", "remaining"}``."""

    def __init__(self, item: MenuItem, remaining: int) -> None:
        super().__init__(_("Only %(remaining)s left of %(item)s.") % {"remaining": remaining, "item": item.title})
        detail: dict[str, Any] = {"detail": self.detail, "menu_item": str(item.pk), "remaining": remaining}
        self.detail = detail


def _counted(tenant: Tenant, branch_id: uuid.UUID, item: MenuItem) -> QuerySet:
    """Where an item's count lives in a branch (on the item, or on its branch row), if counted."""
    rows = (
        tenant.scope(MenuItem).filter(pk=item.pk)
        if item.branch_id is not None
        else tenant.scope(MenuItemBranch).filter(menu_item=item, branch=branch_id)
    )
    return rows.filter(remaining__isnull=False)


def stock_take(*, tenant: Tenant, branch_id: uuid.UUID, wanted: Mapping[MenuItem, int]) -> list[uuid.UUID]:
    """Takes portions off the counts, or raises ``StockShort`` for the first item
    short of them. Returns the items whose count changed (``menu_item_updated`` is due)."""
    changed = []
    for item, count in sorted(wanted.items(), key=lambda pair: pair[0].pk):
        rows = _counted(tenant, branch_id, item)
        if rows.filter(remaining__gte=count).update(remaining=F("remaining") - count):
            changed.append(item.pk)
        elif (left := rows.values_list("remaining", flat=True).first()) is not None:
            raise StockShort(item, left)
    return changed


def stock_return(*, tenant: Tenant, branch_id: uuid.UUID, item: MenuItem, count: int) -> list[uuid.UUID]:
    """Gives back portions that were never started (a line reduced or voided, an
    order cancelled); a refund gives nothing back. Returns the item if its count changed."""
    if count > 0 and _counted(tenant, branch_id, item).update(remaining=F("remaining") + count):
        return [item.pk]
    return []
