"""The guest book: a company's guests, known by phone (E.164) or name."""

from django.db import models
from django.db.models import Q

from accounts.models import TenantOwned


class Guest(TenantOwned):
    """A guest of the company (every branch shares the book). Visits, spending and
    no-shows are read from their orders and bookings, never kept as counters, so no
    order write touches this row. Erasing keeps the row (and the orders linked to it)
    without the name, phone and note."""

    name = models.CharField(max_length=120, blank=True, default="")
    # E.164 (``+`` and up to 15 digits), "" when unknown or erased.
    phone = models.CharField(max_length=16, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    tenant_branch_field = None

    class Meta:
        ordering = ["name", "created_at"]
        indexes = [models.Index(fields=["company", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "phone"], condition=~Q(phone=""), name="guest_phone_unique_in_company"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.phone or str(self.pk)
