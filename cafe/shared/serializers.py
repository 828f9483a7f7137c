"""What every area's serializers share: ``Money`` (a sum as a two-place string),
``represent`` (serialising without a serializer per call), the bound of a sum a
client sends (``AMOUNT_MAX``) and the branch filter."""

import functools
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import StrictDecimalField


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "350.00"})
class Money(serializers.Field):
    """A sum as a string with two decimals. Unlike ``DecimalField`` it has no
    ``max_digits`` to overflow: a line total of a large price times a large
    quantity answered 500."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


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

# The most one sum a client sends (a tender, a tip, an amount discount, a float, a
# count, a cash movement, a refund) may be: far above any real bill or drawer, and
# well inside the money columns (16 digits) however many are added up.
AMOUNT_MAX = Decimal("10000000.00")


def amount_field(**kwargs: Any) -> StrictDecimalField:
    """A sum a client sends, up to ``AMOUNT_MAX``: a plain ASCII decimal (``core.fields``)."""
    return StrictDecimalField(max_digits=12, max_value=AMOUNT_MAX, **kwargs)


class BranchFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
