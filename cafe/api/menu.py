from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.models import COMPANY_WIDE_ROLES
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
from cafe import selectors, services
from cafe.api import schema
from cafe.api.base import ResourceViewSet
from cafe.serializers import (
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
    represent,
)
from core.api import valid

BRANCH_ID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


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
@schema.MENU_ITEM_BRANCHES
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
    # A shared item's station and stop-list in a branch: managers set their own branch's.
    action_roles = {"branch": MANAGING_ROLES}

    # A plain list (one row per branch at most), not paged.
    @action(detail=True, methods=["get"], pagination_class=None)
    def branches(self, request, pk) -> Response:
        """A company-wide item's station and stop-list in each branch that has set them."""
        settings = selectors.menu_item_branch_list(tenant=self.tenant, menu_item_id=pk)
        return Response([represent(MenuItemBranchSerializer, setting) for setting in settings])

    @action(detail=True, methods=["put", "patch"], url_path=rf"branches/(?P<branch_id>{BRANCH_ID})")
    def branch(self, request, pk, branch_id) -> Response:
        changes = valid(MenuItemBranchInput, request.data)
        setting = services.menu_item_branch_set(tenant=self.tenant, menu_item_id=pk, branch=branch_id, **changes)
        return Response(represent(MenuItemBranchSerializer, setting))


@schema.STATIONS
class StationViewSet(ResourceViewSet):
    serializer_class = StationSerializer
    input_class = StationInput
    id_name = "station_id"
    # Managers set up their own branch's stations, owners and admins any branch's.
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(selectors.station_list)
    fetch = staticmethod(selectors.station_get)
    create_one = staticmethod(services.station_create)
    update_one = staticmethod(services.station_update)
    delete_one = staticmethod(services.station_delete)


@schema.MODIFIER_GROUPS
class ModifierGroupViewSet(ResourceViewSet):
    serializer_class = ModifierGroupSerializer
    input_class = ModifierGroupInput
    filter_class = ModifierGroupFilter
    id_name = "group_id"
    # As the menu item's: modifier_* refuse managers a shared item's modifiers.
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(selectors.modifier_group_list)
    fetch = staticmethod(selectors.modifier_group_get)
    create_one = staticmethod(services.modifier_group_create)
    update_one = staticmethod(services.modifier_group_update)
    delete_one = staticmethod(services.modifier_group_delete)


@schema.MODIFIERS
class ModifierViewSet(ResourceViewSet):
    serializer_class = ModifierSerializer
    input_class = ModifierInput
    filter_class = ModifierFilter
    id_name = "modifier_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(selectors.modifier_list)
    fetch = staticmethod(selectors.modifier_get)
    create_one = staticmethod(services.modifier_create)
    update_one = staticmethod(services.modifier_update)
    delete_one = staticmethod(services.modifier_delete)
