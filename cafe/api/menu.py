from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cafe import selectors, services
from cafe.api.base import ResourceViewSet
from cafe.serializers import (
    CategoryInput,
    CategorySerializer,
    MenuItemBranchInput,
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
from core.api import valid

BRANCH_ID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


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


class MenuItemViewSet(ResourceViewSet):
    serializer_class = MenuItemSerializer
    input_class = MenuItemInput
    id_name = "menu_item_id"
    fetch_list = staticmethod(selectors.menu_item_list)
    fetch = staticmethod(selectors.menu_item_get)
    create_one = staticmethod(services.menu_item_create)
    update_one = staticmethod(services.menu_item_update)
    delete_one = staticmethod(services.menu_item_delete)

    @action(detail=True, methods=["get"])
    def branches(self, request, pk) -> Response:
        """A company-wide item's station and stop-list in each branch that has set them."""
        settings = selectors.menu_item_branch_list(tenant=self.tenant, menu_item_id=pk)
        return Response([_branch_setting(setting) for setting in settings])

    @action(detail=True, methods=["put", "patch"], url_path=rf"branches/(?P<branch_id>{BRANCH_ID})")
    def branch(self, request, pk, branch_id) -> Response:
        self.require(self.tenant.may_manage)
        changes = valid(MenuItemBranchInput, request.data)
        setting = services.menu_item_branch_set(tenant=self.tenant, menu_item_id=pk, branch=branch_id, **changes)
        return Response(_branch_setting(setting))


def _branch_setting(setting) -> dict:
    return {
        "menu_item": str(setting.menu_item_id),
        "branch": str(setting.branch_id),
        "station": str(setting.station_id) if setting.station_id else None,
        "is_available": setting.is_available,
        "remaining": setting.remaining,
    }


class StationViewSet(ResourceViewSet):
    serializer_class = StationSerializer
    input_class = StationInput
    id_name = "station_id"
    fetch_list = staticmethod(selectors.station_list)
    fetch = staticmethod(selectors.station_get)
    create_one = staticmethod(services.station_create)
    update_one = staticmethod(services.station_update)
    delete_one = staticmethod(services.station_delete)


class ModifierGroupViewSet(ResourceViewSet):
    serializer_class = ModifierGroupSerializer
    input_class = ModifierGroupInput
    filter_class = ModifierGroupFilter
    id_name = "group_id"
    fetch_list = staticmethod(selectors.modifier_group_list)
    fetch = staticmethod(selectors.modifier_group_get)
    create_one = staticmethod(services.modifier_group_create)
    update_one = staticmethod(services.modifier_group_update)
    delete_one = staticmethod(services.modifier_group_delete)


class ModifierViewSet(ResourceViewSet):
    serializer_class = ModifierSerializer
    input_class = ModifierInput
    filter_class = ModifierFilter
    id_name = "modifier_id"
    fetch_list = staticmethod(selectors.modifier_list)
    fetch = staticmethod(selectors.modifier_get)
    create_one = staticmethod(services.modifier_create)
    update_one = staticmethod(services.modifier_update)
    delete_one = staticmethod(services.modifier_delete)
