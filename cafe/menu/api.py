from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.models import COMPANY_WIDE_ROLES
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
from cafe.menu.schema import CATEGORIES, MENU_ITEM_BRANCHES, MENU_ITEMS, MODIFIER_GROUPS, MODIFIERS, STATIONS
from cafe.menu.selectors import (
    category_get,
    category_list,
    menu_item_branch_list,
    menu_item_get,
    menu_item_list,
    modifier_get,
    modifier_group_get,
    modifier_group_list,
    modifier_list,
    station_get,
    station_list,
)
from cafe.menu.serializers import (
    CategoryInput,
    CategorySerializer,
    MenuItemBranchInput,
    MenuItemBranchSerializer,
    MenuItemInput,
    MenuItemSerializer,
    ModifierFilter,
    ModifierGroupFilter,
    ModifierGroupInput,
    ModifierGroupSerializer,
    ModifierInput,
    ModifierSerializer,
    StationInput,
    StationSerializer,
)
from cafe.menu.services import (
    category_create,
    category_delete,
    category_update,
    menu_item_branch_set,
    menu_item_create,
    menu_item_delete,
    menu_item_update,
    modifier_create,
    modifier_delete,
    modifier_group_create,
    modifier_group_delete,
    modifier_group_update,
    modifier_update,
    station_create,
    station_delete,
    station_update,
)
from cafe.shared.api import ResourceViewSet
from cafe.shared.serializers import represent
from core.api import UUID_PATTERN, valid


@CATEGORIES
class CategoryViewSet(ResourceViewSet):
    serializer_class = CategorySerializer
    input_class = CategoryInput
    filter_class = Serializer
    id_name = "category_id"
    # Categories are shared by every branch: branch-bound roles only read them.
    read_roles = ALL_ROLES
    write_roles = COMPANY_WIDE_ROLES
    fetch_list = staticmethod(category_list)
    fetch = staticmethod(category_get)
    create_one = staticmethod(category_create)
    update_one = staticmethod(category_update)
    delete_one = staticmethod(category_delete)


@MENU_ITEMS
@MENU_ITEM_BRANCHES
class MenuItemViewSet(ResourceViewSet):
    serializer_class = MenuItemSerializer
    input_class = MenuItemInput
    id_name = "menu_item_id"
    # Managers write their own branch's items; menu_item_* refuse them the
    # company-wide ones (branch null).
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(menu_item_list)
    fetch = staticmethod(menu_item_get)
    create_one = staticmethod(menu_item_create)
    update_one = staticmethod(menu_item_update)
    delete_one = staticmethod(menu_item_delete)
    # A shared item's station and stop-list in a branch: managers set their own branch's.
    action_roles = {"branch": MANAGING_ROLES}

    # A plain list (one row per branch at most), not paged.
    @action(detail=True, methods=["get"], pagination_class=None)
    def branches(self, request, pk) -> Response:
        """A company-wide item's station and stop-list in each branch that has set them."""
        settings = menu_item_branch_list(tenant=self.tenant, menu_item_id=pk)
        return Response([represent(MenuItemBranchSerializer, setting) for setting in settings])

    @action(detail=True, methods=["put", "patch"], url_path=rf"branches/(?P<branch_id>{UUID_PATTERN})")
    def branch(self, request, pk, branch_id) -> Response:
        changes = valid(MenuItemBranchInput, request.data)
        setting = menu_item_branch_set(tenant=self.tenant, menu_item_id=pk, branch=branch_id, **changes)
        return Response(represent(MenuItemBranchSerializer, setting))


@STATIONS
class StationViewSet(ResourceViewSet):
    serializer_class = StationSerializer
    input_class = StationInput
    id_name = "station_id"
    # Managers set up their own branch's stations, owners and admins any branch's.
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(station_list)
    fetch = staticmethod(station_get)
    create_one = staticmethod(station_create)
    update_one = staticmethod(station_update)
    delete_one = staticmethod(station_delete)


@MODIFIER_GROUPS
class ModifierGroupViewSet(ResourceViewSet):
    serializer_class = ModifierGroupSerializer
    input_class = ModifierGroupInput
    filter_class = ModifierGroupFilter
    id_name = "group_id"
    # As the menu item's: modifier_* refuse managers a shared item's modifiers.
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(modifier_group_list)
    fetch = staticmethod(modifier_group_get)
    create_one = staticmethod(modifier_group_create)
    update_one = staticmethod(modifier_group_update)
    delete_one = staticmethod(modifier_group_delete)


@MODIFIERS
class ModifierViewSet(ResourceViewSet):
    serializer_class = ModifierSerializer
    input_class = ModifierInput
    filter_class = ModifierFilter
    id_name = "modifier_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(modifier_list)
    fetch = staticmethod(modifier_get)
    create_one = staticmethod(modifier_create)
    update_one = staticmethod(modifier_update)
    delete_one = staticmethod(modifier_delete)
