"""The shapes clients see. Output serializers are shared by REST and events, so a
socket and the API never disagree about an order; input serializers only check
shape and types before a service is called."""

from rest_framework import serializers

from cafe.models import Category, MenuItem, Order, OrderItem, Table, TableStatus

# Output


class TableSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Table
        fields = ["id", "branch", "number", "seats", "status", "status_display"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "position"]


class MenuItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = MenuItem
        fields = ["id", "category", "title", "price", "is_available", "branch"]


class OrderItemSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = OrderItem
        fields = ["id", "menu_item", "title", "price", "quantity", "total"]


class OrderSerializer(serializers.ModelSerializer):
    table_number = serializers.IntegerField(source="table.number", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    items = OrderItemSerializer(many=True, read_only=True)
    total = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id", "branch", "table", "table_number", "guests", "status", "status_display",
            "waiter", "items", "total", "created_at", "updated_at",
        ]  # fmt: skip

    def get_total(self, order: Order) -> str:
        return f"{sum((item.total for item in order.items.all()), 0):.2f}"


# Input

SMALL = {"min_value": 1, "max_value": 10_000}


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
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    is_available = serializers.BooleanField(default=True)
    branch = serializers.UUIDField(required=False, allow_null=True, default=None)


class OrderLineInput(serializers.Serializer):
    menu_item = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class OrderLinesInput(serializers.Serializer):
    items = OrderLineInput(many=True, allow_empty=False, max_length=200)


class OrderCreateInput(serializers.Serializer):
    table = serializers.UUIDField()
    guests = serializers.IntegerField(min_value=1, max_value=1000)
    items = OrderLineInput(many=True, required=False, default=list, max_length=200)


class OrderUpdateInput(serializers.Serializer):
    guests = serializers.IntegerField(min_value=1, max_value=1000)


class OrderFilter(serializers.Serializer):
    status = serializers.ChoiceField(Order._meta.get_field("status").choices, required=False)
    table = serializers.UUIDField(required=False)
    branch = serializers.UUIDField(required=False)


class BranchFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
