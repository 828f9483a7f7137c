"""The menu's OpenAPI description: categories, items, stations, modifier groups,
modifiers and an item's settings per branch."""

from drf_spectacular.utils import OpenApiExample

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
from cafe.shared.schema import BRANCH, BRANCH_ID, CATEGORY, GROUP, MENU_ITEM, MODIFIER, STATION
from cafe.shared.serializers import BranchFilter
from core.schema import document, operation, resource

CATEGORY_EXAMPLE = {"id": CATEGORY, "name": "Hot drinks", "position": 1}
MENU_ITEM_EXAMPLE = {
    "id": MENU_ITEM,
    "category": CATEGORY,
    "title": "Cappuccino",
    "price": "350.00",
    "is_available": True,
    "branch": None,
    "station": None,
    "remaining": None,
    "sold_by": "portion",
    "modifier_groups": [],
}


STATION_EXAMPLE = {"id": STATION, "branch": BRANCH, "name": "Hot kitchen", "position": 1}
MODIFIER_EXAMPLE = {"id": MODIFIER, "group": GROUP, "name": "Oat milk", "price": "40.00", "position": 0}
MODIFIER_GROUP_EXAMPLE = {
    "id": GROUP,
    "menu_item": MENU_ITEM,
    "name": "Milk",
    "required": True,
    "max_choices": 1,
    "position": 0,
    "modifiers": [MODIFIER_EXAMPLE],
}
MENU_ITEM_BRANCH_EXAMPLE = {
    "menu_item": MENU_ITEM,
    "branch": BRANCH,
    "station": STATION,
    "is_available": True,
    "remaining": 12,
}


CATEGORIES = resource(
    tag="menu",
    noun="category",
    plural="categories",
    output=CategorySerializer,
    input=CategoryInput,
    example=CATEGORY_EXAMPLE,
    request_example={"name": "Hot drinks", "position": 1},
    write_errors=(409,),
)

MENU_ITEMS = resource(
    tag="menu",
    noun="menu item",
    output=MenuItemSerializer,
    input=MenuItemInput,
    filters=BranchFilter,
    example=MENU_ITEM_EXAMPLE,
    request_example={"category": CATEGORY, "title": "Cappuccino", "price": "350.00"},
    write_errors=(409,),
)


STATIONS = resource(
    tag="kitchen",
    noun="station",
    output=StationSerializer,
    input=StationInput,
    filters=BranchFilter,
    example=STATION_EXAMPLE,
    request_example={"name": "Hot kitchen", "position": 1},
    write_errors=(409,),
    writers="owner, admin and manager (a manager in their own branch; owners and admins name the `branch`); "
    "deleting a station with kitchen tasks answers 409",
)

MODIFIER_GROUPS = resource(
    tag="menu",
    noun="modifier group",
    output=ModifierGroupSerializer,
    input=ModifierGroupInput,
    filters=ModifierGroupFilter,
    example=MODIFIER_GROUP_EXAMPLE,
    request_example={"menu_item": MENU_ITEM, "name": "Milk", "required": True, "max_choices": 1},
    writers="owner, admin and manager (a manager only for their own branch's items, 403 for shared ones); "
    "sends `menu_item_updated`",
)

MODIFIERS = resource(
    tag="menu",
    noun="modifier",
    output=ModifierSerializer,
    input=ModifierInput,
    filters=ModifierFilter,
    example=MODIFIER_EXAMPLE,
    request_example={"group": GROUP, "name": "Oat milk", "price": "40.00"},
    writers="owner, admin and manager (a manager only for their own branch's items, 403 for shared ones); "
    "sends `menu_item_updated`",
)

MENU_ITEM_BRANCHES = document(
    branches=operation(
        tag="menu",
        summary="A shared item in each branch",
        response=MenuItemBranchSerializer(many=True),
        detail=True,
        # drf-spectacular wraps the example of a many=True answer in a list itself.
        examples=[OpenApiExample("Settings", MENU_ITEM_BRANCH_EXAMPLE, response_only=True)],
        description="A company-wide item's station and stop-list in each branch (of those the caller may see) "
        "that has set them.",
    ),
    branch=operation(
        tag="menu",
        summary="Set a shared item's station and stop-list in a branch",
        request=MenuItemBranchInput,
        response=MenuItemBranchSerializer,
        detail=True,
        parameters=[BRANCH_ID],
        examples=[
            OpenApiExample("Station and count", {"station": STATION, "remaining": 12}, request_only=True),
            OpenApiExample("Settings", MENU_ITEM_BRANCH_EXAMPLE, response_only=True),
        ],
        description="Fields left out keep their value. Owner, admin, and a manager for their own branch "
        "(another branch answers 400). A branch item keeps these on the item itself (400). Sends "
        "`menu_item_updated`.",
    ),
)
