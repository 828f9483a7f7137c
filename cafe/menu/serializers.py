"""The menu's shapes: categories, items (as a branch sees them), stations, modifiers,
and their inputs. Output serializers are shared by REST and events."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from cafe.menu.models import Category, MenuItem, SoldBy
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


class ModifierSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    group = serializers.UUIDField(source="group_id")
    name = serializers.CharField()
    price = StrictDecimalField(max_digits=10)
    position = serializers.IntegerField()


class ModifierGroupSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id")
    name = serializers.CharField()
    # A declared field, popped from the class by DRF's metaclass; the stubs see Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]
    max_choices = serializers.IntegerField()
    position = serializers.IntegerField()
    modifiers = ModifierSerializer(many=True, source="modifiers.all")


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
