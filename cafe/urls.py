from rest_framework.routers import SimpleRouter

from cafe.api.kitchen import KitchenTaskViewSet
from cafe.api.menu import CategoryViewSet, MenuItemViewSet, ModifierGroupViewSet, ModifierViewSet, StationViewSet
from cafe.api.orders import OrderViewSet
from cafe.api.reports import ReportViewSet
from cafe.api.tables import TableViewSet
from cafe.api.till import ShiftViewSet

router = SimpleRouter()
router.register("tables", TableViewSet, basename="table")
router.register("categories", CategoryViewSet, basename="category")
router.register("menu-items", MenuItemViewSet, basename="menu-item")
router.register("orders", OrderViewSet, basename="order")
router.register("stations", StationViewSet, basename="station")
router.register("modifier-groups", ModifierGroupViewSet, basename="modifier-group")
router.register("modifiers", ModifierViewSet, basename="modifier")
router.register("kitchen/tasks", KitchenTaskViewSet, basename="kitchen-task")
router.register("reports", ReportViewSet, basename="report")
router.register("shifts", ShiftViewSet, basename="shift")

urlpatterns = router.urls
