from rest_framework.serializers import Serializer

from accounts.models import COMPANY_WIDE_ROLES
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
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
    # Categories are shared by every branch: branch-bound roles only read them.
    read_roles = ALL_ROLES
    write_roles = COMPANY_WIDE_ROLES
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
    # Managers write their own branch's items; menu_item_* refuse them the
    # company-wide ones (branch null).
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(selectors.menu_item_list)
    fetch = staticmethod(selectors.menu_item_get)
    create_one = staticmethod(services.menu_item_create)
    update_one = staticmethod(services.menu_item_update)
    delete_one = staticmethod(services.menu_item_delete)
