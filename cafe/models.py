"""The app's model registry: Django imports ``cafe.models`` to find the models,
which live in their areas (``cafe/<area>/models.py``). Nothing in an area
imports this module; tests, the admin and the demo data may."""

from cafe.bill.models import CashMovement, Payment, Refund, RefundLine, Shift, Tender
from cafe.bookings.models import Booking, BookingSource, BookingStatus, BookingTable
from cafe.floor.models import OpeningException, OpeningHours, Table, TableShape, TableStatus, Zone
from cafe.guests.models import Guest
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
from cafe.timeclock.models import ClockBreak, ClockCorrection, ClockEntry

__all__ = [
    "ORDER_TRANSITIONS",
    "STARTED_STATUSES",
    "TASK_TRANSITIONS",
    "Booking",
    "BookingSource",
    "BookingStatus",
    "BookingTable",
    "CashMovement",
    "Category",
    "ClockBreak",
    "ClockCorrection",
    "ClockEntry",
    "DiscountKind",
    "Guest",
    "KitchenTask",
    "MenuItem",
    "MenuItemBranch",
    "Modifier",
    "ModifierGroup",
    "OpeningException",
    "OpeningHours",
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
    "TableShape",
    "TableStatus",
    "TaskStatus",
    "Tender",
    "Zone",
]
