"""The cafe's domain models, one module per area."""

from cafe.models.base import TenantOwned
from cafe.models.menu import Category, MenuItem
from cafe.models.orders import ORDER_TRANSITIONS, Order, OrderItem, OrderStatus
from cafe.models.tables import Table, TableStatus

__all__ = [
    "ORDER_TRANSITIONS",
    "Category",
    "MenuItem",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Table",
    "TableStatus",
    "TenantOwned",
]
