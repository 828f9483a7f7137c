"""Writes, one module per area. Each public function is one transaction; those
that change what sockets show end by handing their events to ``realtime.emit``."""

from cafe.services.menu import (
    category_create,
    category_delete,
    category_update,
    menu_item_create,
    menu_item_delete,
    menu_item_update,
)
from cafe.services.orders import order_add_items, order_create, order_finish, order_update
from cafe.services.tables import table_create, table_delete, table_update

__all__ = [
    "category_create",
    "category_delete",
    "category_update",
    "menu_item_create",
    "menu_item_delete",
    "menu_item_update",
    "order_add_items",
    "order_create",
    "order_finish",
    "order_update",
    "table_create",
    "table_delete",
    "table_update",
]
