"""The menu: categories and items, company-wide or per branch."""

from django.db import models
from django.db.models import Q

from accounts.models import Branch
from cafe.models.base import TenantOwned


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


class MenuItem(TenantOwned):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    # None: served in every branch of the company.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="menu_items")
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_available = models.BooleanField(default=True)

    tenant_branch_field = "branch"
    tenant_branch_optional = True

    class Meta:
        ordering = ["category__position", "title"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="menu_item_price_not_negative")]

    def __str__(self) -> str:
        return self.title
