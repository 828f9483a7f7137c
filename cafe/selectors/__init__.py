"""Reads, one module per area. Every query starts from the tenant (``tenant.scope``)."""

from cafe.selectors.kitchen import task_get, task_list
from cafe.selectors.menu import (
    category_get,
    category_list,
    in_branch,
    menu_for_branch,
    menu_item_branch_list,
    menu_item_get,
    menu_item_list,
    modifier_get,
    modifier_group_get,
    modifier_group_list,
    modifier_list,
    station_get,
    station_list,
)
from cafe.selectors.orders import order_get, order_list
from cafe.selectors.tables import table_get, table_list
from cafe.selectors.till import cash_movement_list, shift_current, shift_get, shift_list, shift_report

__all__ = [
    "category_get",
    "category_list",
    "in_branch",
    "menu_for_branch",
    "menu_item_branch_list",
    "menu_item_get",
    "menu_item_list",
    "modifier_get",
    "modifier_group_get",
    "modifier_group_list",
    "modifier_list",
    "station_get",
    "station_list",
    "task_get",
    "task_list",
    "order_get",
    "order_list",
    "table_get",
    "table_list",
    # Till
    "cash_movement_list",
    "shift_current",
    "shift_get",
    "shift_list",
    "shift_report",
]
