"""The menu: categories, items, the kitchen stations that prepare them, their
modifiers, and the stop-list (availability and a remaining count, per branch for
company-wide items)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned


class Category(TenantOwned):
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    tenant_branch_field = None

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="category_name_unique_in_company")]

    def __str__(self) -> str:
        return self.name


class Station(TenantOwned):
    """Where a branch's kitchen prepares portions: hot kitchen, bar, pastry…"""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="stations")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="station_name_unique_in_branch")]

    def __str__(self) -> str:
        return self.name


class SoldBy(models.TextChoices):
    # ``price`` is a portion's price.
    PORTION = "portion", _("By the portion")
    # ``price`` is the price of a kilogram; each order line gives its weight (docs/weighed.md).
    WEIGHT = "weight", _("By weight")


class MenuItem(TenantOwned):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    # None: served in every branch of the company.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="menu_items")
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_available = models.BooleanField(default=True)
    # A branch item's station (of its branch); None: the waiter serves it straight.
    # Company-wide items name their station per branch (MenuItemBranch).
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The stop-list count of a branch item: each ordered portion takes one, 0 stops it; None: no limit.
    remaining = models.PositiveIntegerField(null=True, blank=True)
    sold_by = models.CharField(max_length=8, choices=SoldBy.choices, default=SoldBy.PORTION)
    # Has a recipe (``cafe.store``): its ingredients are taken by every sale and
    # ``remaining`` (here or on its branch rows) is the portions the stock allows.
    stock_tracked = models.BooleanField(default=False)

    tenant_branch_field = "branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["category__position", "title"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="menu_item_price_not_negative")]

    def __str__(self) -> str:
        return self.title


class MenuItemBranch(TenantOwned):
    """A company-wide item in one branch: its station there and its stop-list."""

    menu_item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="branch_settings")
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_available = models.BooleanField(default=True)
    remaining = models.PositiveIntegerField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["menu_item", "branch"], name="menu_item_branch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.menu_item_id} at {self.branch_id}"


class ModifierGroup(TenantOwned):
    """Choices offered with a menu item ("Milk": pick 1, required; "Extras": up to 3)."""

    menu_item = models.ForeignKey(MenuItem, on_delete=models.CASCADE, related_name="modifier_groups")
    name = models.CharField(max_length=120)
    required = models.BooleanField(default=False)
    max_choices = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    # As its menu item: a company-wide item's groups are seen in every branch.
    tenant_branch_field = "menu_item__branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["menu_item", "name"], name="modifier_group_name_unique_in_item"),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="modifier_group_max_choices_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Modifier(TenantOwned):
    group = models.ForeignKey(ModifierGroup, on_delete=models.CASCADE, related_name="modifiers")
    name = models.CharField(max_length=120)
    # Added to the line's price for each portion.
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    position = models.PositiveIntegerField(default=0)

    tenant_branch_field = "group__menu_item__branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="modifier_name_unique_in_group"),
            models.CheckConstraint(condition=Q(price__gte=0), name="modifier_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
