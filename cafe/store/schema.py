"""The storeroom's OpenAPI declarations (docs/inventory.md)."""

from drf_spectacular.utils import OpenApiExample

from cafe.shared.schema import BRANCH, LINE, MENU_ITEM, MODIFIER
from cafe.store.serializers import (
    BranchOnly,
    IngredientInput,
    IngredientSerializer,
    MovementFilter,
    MovementSerializer,
    RecipeFilter,
    RecipeInput,
    RecipeSerializer,
    StockFilter,
    StockLevelSerializer,
    StockSettingsInput,
    StockSettingsSerializer,
    ThresholdInput,
)
from core.schema import document, operation, resource

INGREDIENT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
SAUCE = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
RECIPE = "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f"
MOVEMENT = "d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80"

INGREDIENT_EXAMPLE = {"id": INGREDIENT, "name": "Mozzarella", "unit": "g", "kind": "ingredient", "made_to_order": False}
LEVEL_EXAMPLE = {
    "ingredient": INGREDIENT,
    "name": "Mozzarella",
    "unit": "g",
    "branch": BRANCH,
    "on_hand": "1850.000",
    "low_threshold": "500.000",
    "low": False,
    "avg_cost": "0.9500",
    "value": "1757.50",
}

INGREDIENTS = resource(
    tag="storeroom",
    noun="ingredient",
    output=IngredientSerializer,
    input=IngredientInput,
    example=INGREDIENT_EXAMPLE,
    request_example={"name": "Mozzarella", "unit": "g"},
    write_errors=(409,),
    writers="owner and admin (ingredients are the company's; every role reads them). `unit` is the base unit "
    "(kg, g, l, ml, pcs) its stock and cost are counted in; it cannot change once stock has moved (409). A "
    "`semi_finished` good has its own recipe and is either stocked or `made_to_order`. An ingredient that a "
    "recipe, modifier or movement names cannot be deleted (409)",
)

INGREDIENT_THRESHOLD = document(
    threshold=operation(
        tag="storeroom",
        summary="Set an ingredient's low-stock threshold in a branch",
        request=ThresholdInput,
        response=StockLevelSerializer,
        detail=True,
        idempotent=True,
        examples=[
            OpenApiExample("Threshold", {"branch": BRANCH, "low_threshold": "500"}, request_only=True),
            OpenApiExample("Its stock", LEVEL_EXAMPLE, response_only=True),
        ],
        description="Owner, admin, or the branch's manager (`branch`: a manager's own by default). `stock_low` goes "
        "out on the orders and kitchen sockets when stock next falls to it or below. Null: no threshold.",
    ),
)

RECIPE_EXAMPLE = {
    "id": RECIPE,
    "menu_item": MENU_ITEM,
    "semi_finished": None,
    "branch": None,
    "output": "1.000",
    "lines": [
        {"ingredient": INGREDIENT, "name": "Mozzarella", "quantity": "120.000", "unit": "g", "loss_percent": "0.00"},
        {"ingredient": SAUCE, "name": "Tomato sauce", "quantity": "80.000", "unit": "ml", "loss_percent": "5.00"},
    ],
    "modifier_effects": [
        {
            "modifier": MODIFIER,
            "action": "add",
            "ingredient": INGREDIENT,
            "replacement": None,
            "quantity": "50.000",
            "unit": "g",
        }
    ],
}

RECIPES = resource(
    tag="storeroom",
    noun="recipe",
    output=RecipeSerializer,
    input=RecipeInput,
    filters=RecipeFilter,
    example=RECIPE_EXAMPLE,
    request_example={
        "menu_item": MENU_ITEM,
        "lines": [
            {"ingredient": INGREDIENT, "quantity": "120", "unit": "g"},
            {"ingredient": SAUCE, "quantity": "80", "unit": "ml", "loss_percent": "5"},
        ],
        "modifier_effects": [
            {"modifier": MODIFIER, "action": "add", "ingredient": INGREDIENT, "quantity": "50", "unit": "g"}
        ],
    },
    write_errors=(409,),
    writers="owner and admin for the company's recipes (`branch` null), and a branch's manager for that "
    "branch's recipes (an override of a company-wide dish, or a recipe of the branch's own dish); every role "
    "reads them. A recipe is of a `menu_item` (one portion) or of a `semi_finished` good (`output` of its "
    "unit); each line names an ingredient once, in a unit that converts to its base unit, with the part lost "
    "in cooking (`loss_percent`: stock gives `quantity / (1 − loss/100)`). `modifier_effects` (a dish's, "
    "replacing its modifiers' effects) add, remove or replace an ingredient. A dish with a recipe tracks "
    "stock: every sale takes its ingredients and its `remaining` is the portions the stock allows (a "
    "`menu_item_updated` in each branch where it changes). At most 50 lines; 10 effects per modifier",
)

MOVEMENT_EXAMPLE = {
    "id": MOVEMENT,
    "branch": BRANCH,
    "ingredient": INGREDIENT,
    "name": "Mozzarella",
    "kind": "sale",
    "quantity": "-240.000",
    "unit_cost": "0.9500",
    "on_hand_after": "1850.000",
    "user": "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e",
    "note": "",
    "order_line": LINE,
    "portions": 2,
    "document": None,
    "created_at": "2026-03-14T19:02:11Z",
}

STOCK = document(
    list=operation(
        tag="storeroom",
        summary="A branch's stock",
        response=StockLevelSerializer,
        parameters=[StockFilter],
        paged=True,
        examples=[OpenApiExample("Stock", LEVEL_EXAMPLE, response_only=True)],
        description="Every ingredient the branch has stock or a threshold of, by name: on hand (the sum of its "
        "ledger), the threshold and whether it is low. `avg_cost` and `value` for owners, admins and managers "
        "(null for other staff). `branch`: required of owners and admins, a branch-bound user's own otherwise.",
    ),
    movements=operation(
        tag="storeroom",
        summary="A branch's stock ledger",
        response=MovementSerializer(many=True),
        parameters=[MovementFilter],
        paged=True,
        examples=[OpenApiExample("A sale", MOVEMENT_EXAMPLE, response_only=True)],
        description="Owners, admins and managers: every movement (sale, void, purchase, write_off, count, "
        "transfer_out, transfer_in, production), newest first; a sale or void names its order line.",
    ),
    branch_settings=[
        operation(
            tag="storeroom",
            summary="A branch's stock settings",
            response=StockSettingsSerializer,
            parameters=[BranchOnly],
            methods=["GET"],
            errors_=(400,),
            description="Whether the branch sells past zero. `branch`: required of owners and admins.",
        ),
        operation(
            tag="storeroom",
            summary="Change a branch's stock settings",
            request=StockSettingsInput,
            response=StockSettingsSerializer,
            idempotent=True,
            methods=["PUT"],
            description="Owner, admin, or the branch's manager. `allow_negative`: a sale past zero goes through "
            "with a warning (`stock_low` with `negative: true`) instead of a 409.",
        ),
    ],
)
