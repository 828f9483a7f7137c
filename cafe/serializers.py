"""The shapes clients see. Output serializers are shared by REST and events, so a
socket and the API never disagree about an order; input serializers only check
shape and types before a service is called."""

import functools
from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.models import Category, MenuItem, Order, OrderStatus, TableStatus

# Output


class TableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    number = serializers.IntegerField()
    seats = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "position"]


class MenuItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MenuItem
        fields = ["id", "category", "title", "price", "is_available", "branch"]


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "350.00"})
class Money(serializers.Field):
    """A sum as a string with two decimals. Unlike ``DecimalField`` it has no
    ``max_digits`` to overflow: a line total of a large price times a large
    quantity answered 500."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


# Orders are serialised on every write (for the event and the answer): plain
# serializers skip ModelSerializer's per-instance model introspection.


class OrderItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id")
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    total = Money()


class OrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    table = serializers.UUIDField(source="table_id")
    table_number = serializers.IntegerField(source="table.number")
    guests = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    waiter = serializers.UUIDField(source="waiter_id", allow_null=True)
    items = OrderItemSerializer(many=True, source="items.all")
    total = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_total(self, order: Order) -> str:
        return f"{sum((item.total for item in order.items.all()), 0):.2f}"


def represent(serializer_class: type[serializers.Serializer], instance: object) -> dict:
    """``serializer_class(instance).data`` without building a serializer per call: a new
    one deep-copies its declared fields (and its nested ones) every time, about half
    the cost of serialising an order. The shared instance only reads its fields."""
    return _bound(serializer_class).to_representation(instance)


@functools.cache
def _bound(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer_class()


# Input

SMALL: dict[str, Any] = {"min_value": 1, "max_value": 10_000}


class TableInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    number = serializers.IntegerField(**SMALL)
    seats = serializers.IntegerField(min_value=1, max_value=1000, default=4)
    status = serializers.ChoiceField([TableStatus.FREE, TableStatus.RESERVED], required=False)


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class MenuItemInput(serializers.Serializer):
    category = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX
    )
    is_available = serializers.BooleanField(default=True)
    # Omitted: a manager's own branch or, for owners and admins, every branch
    # (on create; an update leaves it). null: every branch (owners and admins only).
    branch = serializers.UUIDField(required=False, allow_null=True)


class OrderLineInput(serializers.Serializer):
    menu_item = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class OrderLinesInput(serializers.Serializer):
    # DRF takes max_length with many=True (a ListSerializer); the stubs do not know it yet.
    items = OrderLineInput(many=True, allow_empty=False, max_length=200)  # type: ignore[call-arg]


class OrderCreateInput(serializers.Serializer):
    table = serializers.UUIDField()
    guests = serializers.IntegerField(min_value=1, max_value=1000)
    items = OrderLineInput(many=True, required=False, default=list, max_length=200)  # type: ignore[call-arg]


class OrderUpdateInput(serializers.Serializer):
    guests = serializers.IntegerField(min_value=1, max_value=1000)


class OrderFilter(serializers.Serializer):
    status = serializers.ChoiceField(OrderStatus.choices, required=False)
    table = serializers.UUIDField(required=False)
    branch = serializers.UUIDField(required=False)


class BranchFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
