"""The shapes of the storeroom's REST answers and inputs. Quantities are decimal
strings in the ingredient's base unit (recipe lines: in their own unit); costs
(``avg_cost``, ``value``, a movement's ``unit_cost``) are shown to owners, admins
and managers only (null for other staff)."""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from cafe.shared.serializers import BranchFilter
from cafe.store.models import EffectAction, IngredientKind, MovementKind
from cafe.store.units import Unit
from core.fields import StrictDecimalField, StrictQuantityField

QUANTITY_MAX = Decimal("1000000000")


def _quantity(**kwargs: Any) -> StrictQuantityField:
    return StrictQuantityField(max_digits=15, **kwargs)


class IngredientSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    kind = serializers.ChoiceField(choices=IngredientKind.choices)
    made_to_order = serializers.BooleanField(help_text="A semi-finished good made for each sale from its recipe.")


class IngredientInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    unit = serializers.ChoiceField(choices=Unit.choices, help_text="Its base unit: stock and costs are counted in it.")
    kind = serializers.ChoiceField(choices=IngredientKind.choices, default=IngredientKind.INGREDIENT)
    made_to_order = serializers.BooleanField(default=False)


class ThresholdInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    low_threshold = _quantity(min_value=Decimal(0), max_value=QUANTITY_MAX, allow_null=True)


class RecipeLineSerializer(serializers.Serializer):
    ingredient = serializers.UUIDField(source="ingredient_id")
    name = serializers.CharField(source="ingredient.name")
    quantity = _quantity()
    unit = serializers.ChoiceField(choices=Unit.choices)
    loss_percent = StrictDecimalField(max_digits=5)


class ModifierEffectSerializer(serializers.Serializer):
    modifier = serializers.UUIDField(source="modifier_id")
    action = serializers.ChoiceField(choices=EffectAction.choices)
    ingredient = serializers.UUIDField(source="ingredient_id")
    replacement = serializers.UUIDField(source="replacement_id", allow_null=True)
    quantity = _quantity(allow_null=True)
    unit = serializers.CharField()


class RecipeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id", allow_null=True)
    semi_finished = serializers.UUIDField(source="semi_finished_id", allow_null=True)
    branch = serializers.UUIDField(source="branch_id", allow_null=True, help_text="Null: the company's recipe.")
    output = _quantity(help_text="What one batch makes, in the semi-finished good's unit (1 for a dish).")
    lines = RecipeLineSerializer(many=True)
    modifier_effects = serializers.SerializerMethodField()

    def get_modifier_effects(self, recipe: Any) -> list[dict[str, Any]]:
        return [ModifierEffectSerializer(effect).data for effect in getattr(recipe, "effects", [])]


class RecipeLineInput(serializers.Serializer):
    ingredient = serializers.UUIDField()
    quantity = _quantity(min_value=Decimal("0.001"), max_value=QUANTITY_MAX)
    unit = serializers.ChoiceField(choices=Unit.choices)
    loss_percent = StrictDecimalField(
        max_digits=5, min_value=Decimal(0), max_value=Decimal("99.99"), default=Decimal(0)
    )


class ModifierEffectInput(serializers.Serializer):
    modifier = serializers.UUIDField()
    action = serializers.ChoiceField(choices=EffectAction.choices)
    ingredient = serializers.UUIDField()
    replacement = serializers.UUIDField(required=False, allow_null=True)
    quantity = _quantity(min_value=Decimal("0.001"), max_value=QUANTITY_MAX, required=False, allow_null=True)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, allow_blank=True)


class RecipeInput(serializers.Serializer):
    menu_item = serializers.UUIDField(required=False, allow_null=True)
    semi_finished = serializers.UUIDField(required=False, allow_null=True)
    branch = serializers.UUIDField(required=False, allow_null=True)
    output = _quantity(min_value=Decimal("0.001"), max_value=QUANTITY_MAX, default=Decimal(1))
    lines = RecipeLineInput(many=True, allow_empty=False, max_length=50)  # type: ignore[call-arg]
    modifier_effects = ModifierEffectInput(many=True, required=False, max_length=200)  # type: ignore[call-arg]


class RecipeFilter(BranchFilter):
    menu_item = serializers.UUIDField(required=False)
    semi_finished = serializers.UUIDField(required=False)


class StockLevelSerializer(serializers.Serializer):
    ingredient = serializers.UUIDField(source="ingredient_id")
    name = serializers.CharField(source="ingredient.name")
    unit = serializers.CharField(source="ingredient.unit")
    branch = serializers.UUIDField(source="branch_id")
    on_hand = _quantity()
    low_threshold = _quantity(allow_null=True)
    low = serializers.SerializerMethodField(help_text="At or below its threshold.")
    avg_cost = serializers.SerializerMethodField(
        help_text="Moving average per base unit; null for staff below manager."
    )
    value = serializers.SerializerMethodField(help_text="on_hand × avg_cost; null for staff below manager.")

    def get_low(self, level: Any) -> bool:
        return level.low_threshold is not None and level.on_hand <= level.low_threshold

    def _costs(self) -> bool:
        return bool(self.context.get("costs"))

    def get_avg_cost(self, level: Any) -> str | None:
        return str(level.avg_cost) if self._costs() else None

    def get_value(self, level: Any) -> str | None:
        return str((level.on_hand * level.avg_cost).quantize(Decimal("0.01"))) if self._costs() else None


class StockFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False, help_text="Required of owners and admins.")
    low = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        help_text="`true`: only ingredients at or below their threshold; `false`: only the others.",
    )


class MovementFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False, help_text="Required of owners and admins.")
    ingredient = serializers.UUIDField(required=False)


class MovementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    ingredient = serializers.UUIDField(source="ingredient_id")
    name = serializers.CharField(source="ingredient.name")
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    quantity = _quantity(help_text="Signed, in the ingredient's base unit.")
    unit_cost = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    on_hand_after = _quantity()
    user = serializers.UUIDField(source="user_id", allow_null=True)
    note = serializers.CharField()
    order_line = serializers.UUIDField(source="order_line_id", allow_null=True)
    portions = serializers.IntegerField(allow_null=True)
    document = serializers.UUIDField(source="document_id", allow_null=True)
    created_at = serializers.DateTimeField()


class StockSettingsSerializer(serializers.Serializer):
    branch = serializers.UUIDField(source="branch_id")
    allow_negative = serializers.BooleanField(help_text="Sell past zero with a warning (stock_low) instead of a 409.")


class StockSettingsInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    allow_negative = serializers.BooleanField()


class BranchOnly(serializers.Serializer):
    branch = serializers.UUIDField(required=False, help_text="Required of owners and admins.")
