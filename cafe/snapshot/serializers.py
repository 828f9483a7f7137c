"""The snapshot's shape: each part as its own REST answer shows it."""

from rest_framework import serializers

from cafe.floor.serializers import TableSerializer
from cafe.menu.serializers import CategorySerializer, MenuItemSerializer, StationSerializer
from cafe.orders.serializers import KitchenTaskSerializer, OrderSerializer


class SnapshotBranchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class SnapshotSerializer(serializers.Serializer):
    seq = serializers.IntegerField(
        help_text="The company's last event when these rows were read: open the sockets with `since` set to it."
    )
    branch = SnapshotBranchSerializer()
    tables = TableSerializer(many=True)
    categories = CategorySerializer(many=True)
    stations = StationSerializer(many=True)
    menu = MenuItemSerializer(many=True, help_text="As this branch sees it: station, stop-list and what is left.")
    orders = OrderSerializer(many=True, help_text="The branch's open orders.")
    tasks = KitchenTaskSerializer(many=True, help_text="Its kitchen's portions not yet served or cancelled.")


class SnapshotFilter(serializers.Serializer):
    branch = serializers.UUIDField(
        required=False, help_text="Required for owners and admins; branch staff get their own branch."
    )
