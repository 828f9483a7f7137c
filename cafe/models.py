import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, Company


class TenantOwned(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TableStatus(models.TextChoices):
    FREE = "free", _("Свободен")
    BUSY = "busy", _("Занят")
    RESERVED = "reserved", _("Забронирован")


class Table(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField()
    seats = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(max_length=16, choices=TableStatus.choices, default=TableStatus.FREE)

    class Meta:
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="table_number_unique_in_branch"),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="table_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Category(TenantOwned):
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)

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

    class Meta:
        ordering = ["category__position", "title"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="menu_item_price_not_negative")]

    def __str__(self) -> str:
        return self.title


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Открыт")
    CLOSED = "closed", _("Закрыт")
    CANCELLED = "cancelled", _("Отменён")


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


class Event(models.Model):
    """The durable event log (a transactional outbox): written in the transaction
    of the change it reports, read back by sockets that resume or find a gap."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    # Not a foreign key: the record outlives the branch it speaks of.
    branch_id = models.UUIDField(null=True, blank=True)
    type = models.CharField(max_length=40)
    streams = models.CharField(max_length=40)
    # The exact text every socket receives, serialised once.
    message = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["company", "seq"]
        constraints = [models.UniqueConstraint(fields=["company", "seq"], name="event_seq_unique_in_company")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq}"


class IdempotencyKey(models.Model):
    """The first answer to a retried write, kept per user and key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key
