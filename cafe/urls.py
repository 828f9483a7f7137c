"""The cafe's routes: each area's view sets, under ``/api/cafe/``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cafe.bill.api import OrderBillViewSet, ReportViewSet, ShiftViewSet
from cafe.bookings.availability_api import AvailabilityViewSet
from cafe.floor.api import TableViewSet
from cafe.menu.api import CategoryViewSet, MenuItemViewSet, ModifierGroupViewSet, ModifierViewSet, StationViewSet
from cafe.orders.api import KitchenTaskViewSet, OrderViewSet

router = SimpleRouter()
router.register("tables", TableViewSet, basename="table")
router.register("categories", CategoryViewSet, basename="category")
router.register("menu-items", MenuItemViewSet, basename="menu-item")
router.register("orders", OrderViewSet, basename="order")
# The bill's actions on an order: orders/{id}/pay/, discount/, split-even/, checks/, refund/.
router.register("orders", OrderBillViewSet, basename="order-bill")
router.register("stations", StationViewSet, basename="station")
router.register("modifier-groups", ModifierGroupViewSet, basename="modifier-group")
router.register("modifiers", ModifierViewSet, basename="modifier")
router.register("kitchen/tasks", KitchenTaskViewSet, basename="kitchen-task")
router.register("reports", ReportViewSet, basename="report")
router.register("shifts", ShiftViewSet, basename="shift")

urlpatterns = [
    # Before the bookings' routes (their detail route takes only a UUID, so neither hides the other).
    path("bookings/availability/", AvailabilityViewSet.as_view({"get": "retrieve"}), name="booking-availability"),
    *router.urls,
]
