"""The storeroom: ingredients and semi-finished goods, recipes (a menu item's, or
a semi-finished good's), what a modifier does to a recipe, and stock per branch
as a ledger of movements (``StockMovement``) with its derived level
(``StockLevel``: on hand and average cost, kept by ``cafe.store.posting`` in the
movement's transaction). See docs/inventory.md."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned
from cafe.menu.models import MenuItem, Modifier
from cafe.store.units import Unit


def quantity_field(**kwargs) -> models.DecimalField:
    """A quantity in an ingredient's base unit: up to 10¹² with 3 decimals (a gram of a kilogram)."""
    return models.DecimalField(max_digits=15, decimal_places=3, **kwargs)


def unit_cost_field(**kwargs) -> models.DecimalField:
    """Money per base unit: 4 decimals (a gram of cheese at 0.0125)."""
    return models.DecimalField(max_digits=16, decimal_places=4, **kwargs)


class IngredientKind(models.TextChoices):
    INGREDIENT = "ingredient", _("Ingredient")
    SEMI_FINISHED = "semi_finished", _("Semi-finished good")


class Ingredient(TenantOwned):
    """Something the kitchen uses, counted in one base unit. A semi-finished good
    (a sauce) has its own recipe: stocked (made ahead, taken off its own stock) or
    made to order (a sale takes the ingredients of its recipe instead)."""

    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=8, choices=Unit.choices)
    kind = models.CharField(max_length=16, choices=IngredientKind.choices, default=IngredientKind.INGREDIENT)
    made_to_order = models.BooleanField(default=False)

    tenant_branch_field = None

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="ingredient_name_unique_in_company"),
            models.CheckConstraint(
                condition=Q(made_to_order=False) | Q(kind="semi_finished"),
                name="ingredient_made_to_order_is_semi_finished",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockSettings(TenantOwned):
    """A branch's storeroom settings (no row: the defaults)."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="+")
    # Sell past zero (a warning, ``stock_low``, instead of a 409).
    allow_negative = models.BooleanField(default=False)

    tenant_branch_field = "branch"

    def __str__(self) -> str:
        return f"stock settings of {self.branch_id}"


class StockLevel(TenantOwned):
    """An ingredient in a branch: its setting (the low-stock threshold) and its
    derived level. ``on_hand`` is always the sum of the branch's movements of the
    ingredient and ``avg_cost`` its moving average cost; only
    ``cafe.store.posting.stock_post`` changes them, in the movements' transaction."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.CASCADE, related_name="levels")
    on_hand = quantity_field(default=0)
    avg_cost = unit_cost_field(default=0)
    # Below this, ``stock_low`` goes out (once, on crossing); None: never.
    low_threshold = quantity_field(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["ingredient__name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "ingredient"], name="stock_level_unique_per_branch"),
            models.CheckConstraint(condition=Q(avg_cost__gte=0), name="stock_level_avg_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient_id} at {self.branch_id}: {self.on_hand}"


class Recipe(TenantOwned):
    """A menu item's recipe (one portion) or a semi-finished good's (``output``
    of its unit), for the company (``branch`` null) or one branch that differs."""

    menu_item = models.ForeignKey(MenuItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    semi_finished = models.ForeignKey(
        Ingredient, null=True, blank=True, on_delete=models.CASCADE, related_name="recipes"
    )
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # How much of the semi-finished good one batch makes, in its unit (1 for a dish: one portion).
    output = quantity_field(default=1)

    tenant_branch_field = "branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(menu_item__isnull=True) ^ Q(semi_finished__isnull=True),
                name="recipe_of_one_thing",
            ),
            models.CheckConstraint(condition=Q(output__gt=0), name="recipe_output_positive"),
            models.UniqueConstraint(
                fields=["menu_item"], condition=Q(branch__isnull=True), name="recipe_item_once_per_company"
            ),
            models.UniqueConstraint(
                fields=["menu_item", "branch"], condition=Q(branch__isnull=False), name="recipe_item_once_per_branch"
            ),
            models.UniqueConstraint(
                fields=["semi_finished"], condition=Q(branch__isnull=True), name="recipe_semi_once_per_company"
            ),
            models.UniqueConstraint(
                fields=["semi_finished", "branch"],
                condition=Q(branch__isnull=False),
                name="recipe_semi_once_per_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"recipe of {self.menu_item_id or self.semi_finished_id}"


class RecipeLine(TenantOwned):
    """``quantity`` (in ``unit``, compatible with the ingredient's) goes into the
    dish; with ``loss_percent`` lost in cooking, the stock gives
    ``quantity / (1 − loss_percent/100)``."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="lines")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field()
    unit = models.CharField(max_length=8, choices=Unit.choices)
    loss_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)

    tenant_branch_field = "recipe__branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["position", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recipe_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(loss_percent__gte=0) & Q(loss_percent__lt=100), name="recipe_line_loss_below_100"
            ),
            models.UniqueConstraint(fields=["recipe", "ingredient"], name="recipe_line_ingredient_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of {self.ingredient_id}"


class EffectAction(models.TextChoices):
    ADD = "add", _("Add")
    REMOVE = "remove", _("Remove")
    REPLACE = "replace", _("Replace")


class ModifierEffect(TenantOwned):
    """What choosing a modifier does to a portion's recipe: adds ``quantity`` of an
    ingredient, removes an ingredient's line, or replaces it with ``replacement``
    (``quantity``: of the replacement; none: the line's own amount, converted)."""

    modifier = models.ForeignKey(Modifier, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8, choices=EffectAction.choices)
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="+")
    replacement = models.ForeignKey(Ingredient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(null=True, blank=True)
    unit = models.CharField(max_length=8, choices=Unit.choices, blank=True, default="")

    tenant_branch_field = "modifier__group__menu_item__branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="remove") | Q(quantity__isnull=True) | Q(quantity__gt=0),
                name="modifier_effect_quantity_positive",
            ),
            models.CheckConstraint(
                condition=Q(action="add", quantity__isnull=False)
                | Q(action="remove")
                | Q(action="replace", replacement__isnull=False),
                name="modifier_effect_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.ingredient_id}"


class MovementKind(models.TextChoices):
    SALE = "sale", _("Sale")
    VOID = "void", _("Void")
    PURCHASE = "purchase", _("Purchase")
    WRITE_OFF = "write_off", _("Write-off")
    COUNT = "count", _("Count")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    PRODUCTION = "production", _("Production")


class StockMovement(TenantOwned):
    """One entry of a branch's stock ledger: never changed, never deleted. ``quantity``
    is signed, in the ingredient's base unit; ``unit_cost`` is the cost per base unit
    at the time (the purchase price, or the average cost of what left);
    ``on_hand_after`` the level right after it. ``order_line`` / ``document`` name
    where it came from (an order line's sale or void; a purchase, count, transfer...)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = quantity_field()
    unit_cost = unit_cost_field(default=0)
    on_hand_after = quantity_field()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True, default="")
    # A sale or void: the order line (not a foreign key: the storeroom sits below orders).
    order_line_id = models.UUIDField(null=True, blank=True)
    # How many portions of the line a sale or void covers.
    portions = models.PositiveIntegerField(null=True, blank=True)
    # Any other document (a purchase, write-off, count, transfer), named by the area that posts it.
    document_id = models.UUIDField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "branch", "ingredient", "created_at"]),
            models.Index(fields=["order_line_id"], condition=Q(order_line_id__isnull=False), name="movement_line"),
            models.Index(fields=["document_id"], condition=Q(document_id__isnull=False), name="movement_document"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_quantity_not_zero"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="stock_movement_unit_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} of {self.ingredient_id}"
