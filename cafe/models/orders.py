"""Orders and their lines."""

from decimal import Decimal

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
    # Its lines moved into another open order of the table (``merged_into``).
    MERGED = "merged", _("Merged")


# The one place that says which status may follow which (see services.order_finish).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.OPEN: frozenset({OrderStatus.CLOSED, OrderStatus.CANCELLED, OrderStatus.MERGED}),
    OrderStatus.CLOSED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.MERGED: frozenset(),
}


class Service(models.TextChoices):
    DINE_IN = "dine_in", _("Dine in")
    TAKEAWAY = "takeaway", _("Takeaway")


class DiscountKind(models.TextChoices):
    AMOUNT = "amount", _("Amount")
    PERCENT = "percent", _("Percent")


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=12, decimal_places=2, default=0, **kwargs)


class Order(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="orders")
    # None only for takeaway orders.
    table = models.ForeignKey(Table, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    service = models.CharField(max_length=16, choices=Service.choices, default=Service.DINE_IN)
    guests = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    waiter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="orders")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Takeaway: who collects it, and the short number called out (per branch, per branch-local day).
    customer_name = models.CharField(max_length=120, blank=True, default="")
    customer_phone = models.CharField(max_length=32, blank=True, default="")
    pickup_number = models.PositiveIntegerField(null=True, blank=True)
    pickup_day = models.DateField(null=True, blank=True)
    # When every portion the kitchen makes for it became ready (None while any is not).
    ready_at = models.DateTimeField(null=True, blank=True)
    # The order whose lines it joined, once merged.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Split evenly: the bill is paid as this many equal checks (payments name their check).
    split_checks = models.PositiveSmallIntegerField(null=True, blank=True)
    # The order it was split from, for a check split off another.
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An order-level discount (after line discounts), with why.
    discount_kind = models.CharField(max_length=8, choices=DiscountKind.choices, blank=True, default="")
    discount_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount_reason = models.CharField(max_length=200, blank=True, default="")
    # The branch's service charge when the order was taken (0 for takeaway).
    service_charge_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # The money, kept by cafe.money on every change (reports sum these columns).
    subtotal = _money()
    discount_total = _money()
    service_charge = _money()
    total = _money()
    paid = _money()
    tips = _money()
    change = _money()
    refunded = _money()
    paid_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["company", "branch", "status"]),
            models.Index(fields=["company", "branch", "closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(guests__gte=1), name="order_guests_positive"),
            models.CheckConstraint(
                condition=Q(service="takeaway") | Q(table__isnull=False), name="order_dine_in_has_table"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(paid__lte=models.F("total")), name="order_paid_at_most_total"),
            models.CheckConstraint(condition=Q(refunded__lte=models.F("paid")), name="order_refunded_at_most_paid"),
            models.UniqueConstraint(
                fields=["branch", "pickup_day", "pickup_number"], name="order_pickup_number_unique_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} at table {self.table_id}"

    # The answer's payments and refunds: no query while there are none (most writes).

    def payment_list(self):
        return self.payments.all() if self.paid or self.tips else []

    def refund_list(self):
        return self.refunds.all() if self.refunded else []


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
    # A line-level discount and the amount it takes off (kept by cafe.money).
    discount_kind = models.CharField(max_length=8, choices=DiscountKind.choices, blank=True, default="")
    discount_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount_reason = models.CharField(max_length=200, blank=True, default="")
    discount_amount = _money()
    # Portions given back by refunds (never more than the quantity).
    refunded_quantity = models.PositiveIntegerField(default=0)
    # The line it was split off (part of a line's quantity moved to another check).
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "order__branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_item_price_not_negative"),
            models.CheckConstraint(condition=Q(course__gte=1), name="order_item_course_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=models.F("quantity")), name="order_item_refunded_at_most_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def gross(self) -> Decimal:
        return self.price * self.quantity

    @property
    def total(self) -> Decimal:
        """What the line costs after its own discount (before the order's)."""
        return self.gross - self.discount_amount


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
