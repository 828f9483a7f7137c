"""What the menu's events carry: the REST answers' shapes
(``cafe.menu.serializers``); a test keeps the two in step."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Money, Uuid


class ModifierObject(TypedDict):
    id: Uuid
    group: Uuid
    name: str
    price: Money
    position: int


class ModifierGroupObject(TypedDict):
    id: Uuid
    menu_item: Uuid
    name: str
    required: bool
    max_choices: int
    position: int
    modifiers: list[ModifierObject]


class MenuItemObject(TypedDict):
    id: Uuid
    category: Uuid
    title: str
    price: Money
    is_available: bool
    branch: Uuid | None
    station: Uuid | None
    remaining: int | None
    sold_by: Literal["portion", "weight"]  # weight: price is a kilogram's
    modifier_groups: list[ModifierGroupObject]


class MenuItemData(TypedDict):
    menu_item: MenuItemObject  # as the branch in branch_id sees it (its station and stop-list)
    company_id: Uuid
    branch_id: Uuid
