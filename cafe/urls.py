from rest_framework.routers import SimpleRouter

from cafe.api.menu import CategoryViewSet, MenuItemViewSet
from cafe.api.orders import OrderViewSet
from cafe.api.tables import TableViewSet

router = SimpleRouter()
router.register("tables", TableViewSet, basename="table")
router.register("categories", CategoryViewSet, basename="category")
router.register("menu-items", MenuItemViewSet, basename="menu-item")
router.register("orders", OrderViewSet, basename="order")

urlpatterns = router.urls
