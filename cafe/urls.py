"""The cafe's routes: each area's view sets, under ``/api/cafe/``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cafe.bill.api import OrderBillViewSet, ReportViewSet, ShiftViewSet
from cafe.bookings.api import BookingViewSet
from cafe.bookings.availability_api import AvailabilityViewSet
from cafe.bookings.guest_api import GuestViewSet
from cafe.floor.api import OpeningExceptionViewSet, OpeningHoursViewSet, TableViewSet, ZoneViewSet
from cafe.menu.api import CategoryViewSet, MenuItemViewSet, ModifierGroupViewSet, ModifierViewSet, StationViewSet
from cafe.orders.api import KitchenTaskViewSet, OrderViewSet, PickupBoardView
from cafe.purchasing.api import CountViewSet, PurchaseViewSet, SupplierViewSet, TransferViewSet, WriteOffViewSet
from cafe.snapshot.api import SnapshotViewSet
from cafe.store.api import IngredientViewSet, RecipeViewSet, StockViewSet
from cafe.timeclock.api import TimeClockViewSet

router = SimpleRouter()
router.register("tables", TableViewSet, basename="table")
router.register("zones", ZoneViewSet, basename="zone")
router.register("opening-hours", OpeningHoursViewSet, basename="opening-hours")
router.register("opening-exceptions", OpeningExceptionViewSet, basename="opening-exception")
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
router.register("timeclock", TimeClockViewSet, basename="timeclock")
# The guest book (its edge sits in the bookings area: cafe/bookings/guest_api.py).
router.register("guests", GuestViewSet, basename="guest")
router.register("bookings", BookingViewSet, basename="booking")
# The storeroom (docs/inventory.md).
router.register("ingredients", IngredientViewSet, basename="ingredient")
router.register("recipes", RecipeViewSet, basename="recipe")
router.register("stock", StockViewSet, basename="stock")
# The storeroom's documents (docs/inventory.md).
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("purchases", PurchaseViewSet, basename="purchase")
router.register("write-offs", WriteOffViewSet, basename="write-off")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("stock-counts", CountViewSet, basename="stock-count")

urlpatterns = [
    path("pickup-board/", PickupBoardView.as_view(), name="pickup-board"),
    # Before the bookings' routes (their detail route takes only a UUID, so neither hides the other).
    path("snapshot/", SnapshotViewSet.as_view({"get": "retrieve"}), name="snapshot"),
    path("bookings/availability/", AvailabilityViewSet.as_view({"get": "retrieve"}), name="booking-availability"),
    *router.urls,
]
