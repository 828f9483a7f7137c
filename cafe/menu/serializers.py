"""The menu's shapes: categories, items (as a branch sees them), stations, modifiers,
and their inputs. Output serializers are shared by REST and events.

A menu item goes out on every sale that changes its stop-list (``menu_item_updated``):
``MenuItemSerializer``, ``ModifierGroupSerializer`` and ``ModifierSerializer`` build
their output by hand (``menu_item_fields``, ``modifier_group_fields``), the same dict
DRF's field-by-field walk makes from their declared fields, which stay what OpenAPI
and the event catalogue describe (cafe/tests/api/test_fast_representation.py
compares the two)."""

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import serializers

from cafe.menu.models import Category, MenuItem, Modifier, ModifierGroup, SoldBy
from core.fields import StrictDecimalField


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "position"]


class StationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    name = serializers.CharField()
    position = serializers.IntegerField()


def _uuid(value: uuid.UUID | str | None) -> str | None:
    return None if value is None else str(value)


def _int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _money(value: Decimal | None) -> str | None:
    # StrictDecimalField's text: two places.
    return None if value is None else f"{value:.2f}"


def _modifier_fields(modifier: Modifier) -> dict[str, Any]:
    return {
        "id": _uuid(modifier.id),
        "group": _uuid(modifier.group_id),
        "name": None if modifier.name is None else str(modifier.name),
        "price": _money(modifier.price),
        "position": _int(modifier.position),
    }


def modifier_group_fields(group: ModifierGroup) -> dict[str, Any]:
    """``ModifierGroupSerializer``'s output, with its modifiers (prefetched)."""
    return {
        "id": _uuid(group.id),
        "menu_item": _uuid(group.menu_item_id),
        "name": None if group.name is None else str(group.name),
        "required": None if group.required is None else bool(group.required),
        "max_choices": _int(group.max_choices),
        "position": _int(group.position),
        "modifiers": [_modifier_fields(modifier) for modifier in group.modifiers.all()],
    }


def menu_item_fields(item: MenuItem) -> dict[str, Any]:
    """``MenuItemSerializer``'s output but its last field, ``modifier_groups`` (the same
    in every branch: an event represents them once per item)."""
    station = getattr(item, "station_here", item.station_id)
    return {
        "id": _uuid(item.id),
        "category": _uuid(item.category_id),
        "title": None if item.title is None else str(item.title),
        "price": _money(item.price),
        "is_available": getattr(item, "available_here", item.is_available),
        "branch": _uuid(item.branch_id),
        "station": str(station) if station else None,
        "remaining": getattr(item, "remaining_here", item.remaining),
        "sold_by": None if item.sold_by is None else str(item.sold_by),
    }


class ModifierSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    group = serializers.UUIDField(source="group_id")
    name = serializers.CharField()
    price = StrictDecimalField(max_digits=10)
    position = serializers.IntegerField()

    def to_representation(self, modifier: Modifier) -> dict[str, Any]:
        """What the declared fields give, built directly (see the top of the module)."""
        return _modifier_fields(modifier)


class ModifierGroupSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id")
    name = serializers.CharField()
    # A declared field, popped from the class by DRF's metaclass; the stubs see Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]
    max_choices = serializers.IntegerField()
    position = serializers.IntegerField()
    modifiers = ModifierSerializer(many=True, source="modifiers.all")

    def to_representation(self, group: ModifierGroup) -> dict[str, Any]:
        """What the declared fields give, built directly (see the top of the module)."""
        return modifier_group_fields(group)


class MenuItemSerializer(serializers.Serializer):
    """A menu item; seen from one branch (``selectors.menu.in_branch``), a company-wide
    item shows that branch's station and stop-list."""

    id = serializers.UUIDField()
    category = serializers.UUIDField(source="category_id")
    title = serializers.CharField()
    price = StrictDecimalField(max_digits=10)
    is_available = serializers.SerializerMethodField()
    branch = serializers.UUIDField(source="branch_id", allow_null=True)
    station = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    # ``weight``: ``price`` is the price of a kilogram and each order line gives its weight.
    sold_by = serializers.ChoiceField(SoldBy.choices)
    modifier_groups = ModifierGroupSerializer(many=True, source="modifier_groups.all")

    def get_is_available(self, item: MenuItem) -> bool:
        return getattr(item, "available_here", item.is_available)

    def get_station(self, item: MenuItem) -> str | None:
        station = getattr(item, "station_here", item.station_id)
        return str(station) if station else None

    def get_remaining(self, item: MenuItem) -> int | None:
        return getattr(item, "remaining_here", item.remaining)

    def to_representation(self, item: MenuItem) -> dict[str, Any]:
        """What the declared fields give, built directly (see the top of the module)."""
        return {
            **menu_item_fields(item),
            "modifier_groups": [modifier_group_fields(group) for group in item.modifier_groups.all()],
        }


class MenuItemBranchSerializer(serializers.Serializer):
    """A company-wide item in one branch: its station there and its stop-list."""

    menu_item = serializers.UUIDField(source="menu_item_id")
    branch = serializers.UUIDField(source="branch_id")
    station = serializers.UUIDField(source="station_id", allow_null=True)
    is_available = serializers.BooleanField()
    remaining = serializers.IntegerField(allow_null=True)


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class MenuItemInput(serializers.Serializer):
    category = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    price = StrictDecimalField(max_digits=10, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX)
    is_available = serializers.BooleanField(default=True)
    # Omitted: a manager's own branch or, for owners and admins, every branch
    # (on create; an update leaves it). null: every branch (owners and admins only).
    branch = serializers.UUIDField(required=False, allow_null=True)
    station = serializers.UUIDField(required=False, allow_null=True)
    remaining = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)
    # Omitted: by the portion (on create; an update leaves it).
    sold_by = serializers.ChoiceField(SoldBy.choices, required=False)


class MenuItemBranchInput(serializers.Serializer):
    """A company-wide item in one branch; fields left out keep their value."""

    station = serializers.UUIDField(required=False, allow_null=True)
    is_available = serializers.BooleanField(required=False)
    remaining = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)


class StationInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierGroupInput(serializers.Serializer):
    menu_item = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    max_choices = serializers.IntegerField(min_value=1, max_value=50, default=1)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierInput(serializers.Serializer):
    group = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    price = StrictDecimalField(
        max_digits=10, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX, default=Decimal(0)
    )
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierGroupFilter(serializers.Serializer):
    menu_item = serializers.UUIDField(required=False)


class ModifierFilter(serializers.Serializer):
    group = serializers.UUIDField(required=False)
