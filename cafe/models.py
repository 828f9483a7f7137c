"""The app's model registry: Django imports ``cafe.models`` to find the models,
which live in their areas (``cafe/<area>/models.py``). Nothing in an area
imports this module; tests, the admin and the demo data may."""

from cafe.bill.models import CashMovement, Payment, Refund, RefundLine, Shift, Tender
from cafe.floor.models import Table, TableStatus
from cafe.menu.models import Category, MenuItem, MenuItemBranch, Modifier, ModifierGroup, Station
from cafe.orders.models import (
    ORDER_TRANSITIONS,
    STARTED_STATUSES,
    TASK_TRANSITIONS,
    DiscountKind,
    KitchenTask,
    Order,
    OrderItem,
    OrderItemEdit,
    OrderItemModifier,
    OrderStatus,
    PickupCounter,
    Service,
    TaskStatus,
)

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
    "Tender",
]
