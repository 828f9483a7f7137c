"""Reads, one module per area. Every query starts from the tenant (``tenant.scope``)."""

from cafe.selectors.menu import category_get, category_list, menu_for_branch, menu_item_get, menu_item_list
from cafe.selectors.orders import order_get, order_list
from cafe.selectors.tables import table_get, table_list

__all__ = [
    "category_get",
    "category_list",
    "menu_for_branch",
    "menu_item_get",
    "menu_item_list",
    "order_get",
    "order_list",
    "table_get",
    "table_list",
]
