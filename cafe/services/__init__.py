"""Writes, one module per area. Each public function is one transaction; those
that change what sockets show end by handing their events to ``realtime.emit``."""

from cafe.services.billing import order_discount_remove, order_discount_set, order_pay, order_split_even
from cafe.services.kitchen import order_fire, task_act
from cafe.services.menu import (
    category_create,
    category_delete,
    category_update,
    menu_item_branch_set,
    menu_item_create,
    menu_item_delete,
    menu_item_update,
    modifier_create,
    modifier_delete,
    modifier_group_create,
    modifier_group_delete,
    modifier_group_update,
    modifier_update,
    station_create,
    station_delete,
    station_update,
)
from cafe.services.orders import (
    order_add_items,
    order_create,
    order_finish,
    order_line_update,
    order_line_void,
    order_update,
)
from cafe.services.split import order_merge, order_move, order_split
from cafe.services.tables import table_create, table_delete, table_update
from cafe.services.till import order_refund, shift_cash_move, shift_close, shift_open

__all__ = [
    "category_create",
    "category_delete",
    "category_update",
    "menu_item_branch_set",
    "menu_item_create",
    "menu_item_delete",
    "menu_item_update",
    "modifier_create",
    "modifier_delete",
    "modifier_group_create",
    "modifier_group_delete",
    "modifier_group_update",
    "modifier_update",
    "order_add_items",
    "order_discount_remove",
    "order_discount_set",
    "order_pay",
    "order_split_even",
    "order_create",
    "order_finish",
    "order_fire",
    "order_line_update",
    "order_line_void",
    "order_merge",
    "order_move",
    "order_split",
    "order_update",
    "station_create",
    "station_delete",
    "station_update",
    "task_act",
    "table_create",
    "table_delete",
    "table_update",
    # Till
    "order_refund",
    "shift_cash_move",
    "shift_close",
    "shift_open",
]
