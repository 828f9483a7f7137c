"""The cafe's domain models, one module per area."""

from cafe.models.base import TenantOwned
from cafe.models.kitchen import STARTED_STATUSES, TASK_TRANSITIONS, KitchenTask, TaskStatus
from cafe.models.menu import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.models.orders import ORDER_TRANSITIONS, Order, OrderItem, OrderItemEdit, OrderItemModifier, OrderStatus
from cafe.models.tables import Table, TableStatus

__all__ = [
    "ORDER_TRANSITIONS",
    "STARTED_STATUSES",
    "TASK_TRANSITIONS",
    "Category",
    "KitchenTask",
    "MenuItem",
    "MenuItemBranch",
    "Modifier",
    "ModifierGroup",
    "Order",
    "OrderItem",
    "OrderItemEdit",
    "OrderItemModifier",
    "OrderStatus",
    "Station",
    "Table",
    "TableStatus",
    "TaskStatus",
    "TenantOwned",
]
