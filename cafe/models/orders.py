"""Orders and their lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch
from cafe.models.base import TenantOwned
from cafe.models.menu import MenuItem, Modifier
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
    note = models.CharField(max_length=200, blank=True, default="")
    # Courses after the first are held in the kitchen until fired (cafe.services.kitchen).
    course = models.PositiveSmallIntegerField(default=1)
    # A voided line stays on the order, out of its total.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True, default="")
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "order__branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_item_price_not_negative"),
            models.CheckConstraint(condition=Q(course__gte=1), name="order_item_course_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def total(self):
        return self.price * self.quantity


class OrderItemModifier(TenantOwned):
    """A modifier chosen for a line, copied like the line's title and price."""

    line = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="modifiers")
    modifier = models.ForeignKey(Modifier, null=True, on_delete=models.SET_NULL, related_name="+")
    group = models.CharField(max_length=120)
    name = models.CharField(max_length=120)
    price = models.DecimalField(max_digits=10, decimal_places=2)

    tenant_branch_field = "line__order__branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.name}"


class OrderItemEdit(TenantOwned):
    """What changed on a line after it was added, by whom and why (for reports)."""

    line = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    quantity_before = models.PositiveIntegerField()
    quantity_after = models.PositiveIntegerField()
    note_before = models.CharField(max_length=200, blank=True, default="")
    note_after = models.CharField(max_length=200, blank=True, default="")
    voided = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True, default="")

    tenant_branch_field = "line__order__branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.line_id}"
