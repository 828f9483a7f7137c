"""Orders and their lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Branch, TenantOwned
from cafe.floor.models import Table
from cafe.guests.models import Guest
from cafe.menu.models import MenuItem, Modifier, Station


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
    # Room for an order of ORDER_MAX_LINES lines of the largest price and quantity (about 2·10¹¹).
    return models.DecimalField(max_digits=16, decimal_places=2, default=0, **kwargs)


class Order(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="orders")
    # None only for takeaway orders.
    table = models.ForeignKey(Table, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    # More tables pushed together for a large party (``table`` is the first of them).
    joined_tables = models.ManyToManyField(Table, blank=True, related_name="joined_orders")
    # Who it is for, from the guest book (a booking's guest, or found by phone).
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    # Opened on a table reserved for a booking about to start, because the waiter said so.
    booking_override = models.BooleanField(default=False)
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
    discount_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
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
    # When the device took it, by its own clock (an order queued offline); it decides nothing.
    taken_at = models.DateTimeField(null=True, blank=True)

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
    # A portion's price: for an item sold by weight, round(weight × price_per_kg) plus its modifiers'.
    price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    # Sold by weight: each portion's weight in kg (whole grams) and the price of a kilogram
    # copied from the menu item; None for an item sold by the portion.
    weight = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    price_per_kg = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, default="")
    # Courses after the first are held in the kitchen until fired (cafe.services.kitchen).
    course = models.PositiveSmallIntegerField(default=1)
    # A voided line stays on the order, out of its total.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True, default="")
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # A line-level discount and the amount it takes off (kept by cafe.money).
    discount_kind = models.CharField(max_length=8, choices=DiscountKind.choices, blank=True, default="")
    discount_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    discount_reason = models.CharField(max_length=200, blank=True, default="")
    discount_amount = _money()
    # Portions given back by refunds (never more than the quantity).
    refunded_quantity = models.PositiveIntegerField(default=0)
    # The line it was split off (part of a line's quantity moved to another check).
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The storeroom took ingredients for it (``cafe.store.taking``): a void gives back what it took.
    stock_taken = models.BooleanField(default=False)

    tenant_branch_field = "order__branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_item_quantity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_item_price_not_negative"),
            models.CheckConstraint(condition=Q(course__gte=1), name="order_item_course_positive"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True, price_per_kg__isnull=True)
                | Q(weight__gt=0, price_per_kg__isnull=False, price_per_kg__gte=0),
                name="order_item_weight_positive_with_price",
            ),
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
    # A weighed line's weight (kg) before and after; None for lines sold by the portion.
    weight_before = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    weight_after = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    note_before = models.CharField(max_length=200, blank=True, default="")
    note_after = models.CharField(max_length=200, blank=True, default="")
    voided = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True, default="")

    tenant_branch_field = "line__order__branch"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.line_id}"


# The kitchen: one task per portion of a line, prepared at the line's station.


class TaskStatus(models.TextChoices):
    # A portion's labels, in their own context: an order "Cancelled" is "Отменён", a portion "Отменено".
    HELD = "held", pgettext_lazy("kitchen task", "Held")
    PENDING = "pending", pgettext_lazy("kitchen task", "Pending")
    IN_PROGRESS = "in_progress", pgettext_lazy("kitchen task", "In progress")
    READY = "ready", pgettext_lazy("kitchen task", "Ready")
    SERVED = "served", pgettext_lazy("kitchen task", "Served")
    CANCELLED = "cancelled", pgettext_lazy("kitchen task", "Cancelled")


# The one place that says which status may follow which (see services.kitchen.task_transition).
# ready → in_progress undoes a mistaken "ready"; a served portion stays served.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.HELD: frozenset({TaskStatus.PENDING, TaskStatus.CANCELLED}),
    TaskStatus.PENDING: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.READY, TaskStatus.CANCELLED}),
    TaskStatus.READY: frozenset({TaskStatus.SERVED, TaskStatus.IN_PROGRESS, TaskStatus.CANCELLED}),
    TaskStatus.SERVED: frozenset(),
    TaskStatus.CANCELLED: frozenset(),
}

# Portions the kitchen has started: a waiter may no longer change or void their line.
STARTED_STATUSES = frozenset({TaskStatus.IN_PROGRESS, TaskStatus.READY, TaskStatus.SERVED})


class KitchenTask(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="kitchen_tasks")
    line = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="tasks")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="tasks")
    # Which portion of the line this is: 1..quantity (more after the quantity grows).
    portion = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    cook = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Kitchen timings. When the portion was ordered: set by the service, so that a
    # portion fired at once has fired_at == created_at.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    fired_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "portion", "id"]
        indexes = [models.Index(fields=["company", "branch", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["line", "portion"], name="kitchen_task_portion_unique_in_line"),
            models.CheckConstraint(condition=Q(portion__gte=1), name="kitchen_task_portion_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} #{self.portion} ({self.status})"


class PickupCounter(TenantOwned):
    """The last takeaway pickup number given in a branch on a (branch-local) day."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    tenant_branch_field = "branch"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["branch", "day"], name="pickup_counter_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day}: {self.last}"
