"""The kitchen: one task per portion of a line, prepared at the line's station."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from accounts.models import Branch
from cafe.models.base import TenantOwned
from cafe.models.menu import Station
from cafe.models.orders import Order, OrderItem


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
