from rest_framework.serializers import Serializer

from cafe import selectors, services
from cafe.api import schema
from cafe.api.base import ResourceViewSet
from cafe.serializers import CategoryInput, CategorySerializer, MenuItemInput, MenuItemSerializer


@schema.CATEGORIES
class CategoryViewSet(ResourceViewSet):
    serializer_class = CategorySerializer
    input_class = CategoryInput
    filter_class = Serializer
    id_name = "category_id"
    fetch_list = staticmethod(selectors.category_list)
    fetch = staticmethod(selectors.category_get)
    create_one = staticmethod(services.category_create)
    update_one = staticmethod(services.category_update)
    delete_one = staticmethod(services.category_delete)


@schema.MENU_ITEMS
class MenuItemViewSet(ResourceViewSet):
    serializer_class = MenuItemSerializer
    input_class = MenuItemInput
    id_name = "menu_item_id"
    fetch_list = staticmethod(selectors.menu_item_list)
    fetch = staticmethod(selectors.menu_item_get)
    create_one = staticmethod(services.menu_item_create)
    update_one = staticmethod(services.menu_item_update)
    delete_one = staticmethod(services.menu_item_delete)
