"""Orders and their lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch
from cafe.models.base import TenantOwned
from cafe.models.menu import MenuItem
from cafe.models.tables import Table


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# The one place that says which status may follow which (see services.order_finish).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class Order(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="orders")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="orders")
    guests = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    waiter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orders")
    closed_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "branch", "status"])]
        constraints = [models.CheckConstraint(condition=Q(guests__gte=1), name="order_guests_positive")]

    def __str__(self) -> str:
        return f"Order {self.pk} at table {self.table_id}"


class OrderItem(TenantOwned):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    menu_item = models.ForeignKey(MenuItem, on_delete=models.PROTECT, related_name="+")
    # Copied from the menu item when the line is added; later menu changes leave it alone.
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    tenant_branch_field = "order__branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_item_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def total(self):
        return self.price * self.quantity
