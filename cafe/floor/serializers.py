"""The floor's shapes: a table as REST answers and events show it, and its input."""

from rest_framework import serializers

from cafe.floor.models import TableStatus
from cafe.shared.serializers import SMALL


class TableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    number = serializers.IntegerField()
    seats = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")


class TableInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    number = serializers.IntegerField(**SMALL)
    seats = serializers.IntegerField(min_value=1, max_value=1000, default=4)
    status = serializers.ChoiceField([TableStatus.FREE, TableStatus.RESERVED], required=False)
