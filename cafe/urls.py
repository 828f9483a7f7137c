from rest_framework.routers import SimpleRouter

from cafe import api

router = SimpleRouter()
router.register("tables", api.TableViewSet, basename="table")
router.register("categories", api.CategoryViewSet, basename="category")
router.register("menu-items", api.MenuItemViewSet, basename="menu-item")
router.register("orders", api.OrderViewSet, basename="order")

urlpatterns = router.urls
