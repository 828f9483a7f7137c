"""The floor: tables and their status."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned


class TableStatus(models.TextChoices):
    FREE = "free", _("Free")
    BUSY = "busy", _("Busy")
    RESERVED = "reserved", _("Reserved")


# Who moves a table between them: staff reserve and free it (``table_update``); its
# orders make it busy and, with the last one, free again (``cafe.orders.occupancy``).
TABLE_TRANSITIONS: dict[str, frozenset[str]] = {
    TableStatus.FREE: frozenset({TableStatus.RESERVED, TableStatus.BUSY}),
    TableStatus.RESERVED: frozenset({TableStatus.FREE, TableStatus.BUSY}),
    TableStatus.BUSY: frozenset({TableStatus.FREE}),
}


class Table(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField()
    seats = models.PositiveSmallIntegerField(default=4)
    status = models.CharField(max_length=16, choices=TableStatus.choices, default=TableStatus.FREE)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["branch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "number"], name="table_number_unique_in_branch"),
            models.CheckConstraint(condition=Q(number__gte=1), name="table_number_positive"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="table_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"
