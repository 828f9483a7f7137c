"""The cafe's domain models, one module per area."""

from cafe.models.base import TenantOwned
from cafe.models.billing import CashMovement, Payment, PickupCounter, Refund, RefundLine, Shift, Tender
from cafe.models.kitchen import STARTED_STATUSES, TASK_TRANSITIONS, KitchenTask, TaskStatus
from cafe.models.menu import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.models.orders import (
    ORDER_TRANSITIONS,
    DiscountKind,
    Order,
    OrderItem,
    OrderItemEdit,
    OrderItemModifier,
    OrderStatus,
    Service,
)
from cafe.models.tables import Table, TableStatus

__all__ = [
    "ORDER_TRANSITIONS",
    "STARTED_STATUSES",
    "TASK_TRANSITIONS",
    "CashMovement",
    "Category",
    "DiscountKind",
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
    "Payment",
    "PickupCounter",
    "Refund",
    "RefundLine",
    "Service",
    "Shift",
    "Station",
    "Table",
    "TableStatus",
    "TaskStatus",
    "TenantOwned",
    "Tender",
]
