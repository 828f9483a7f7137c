"""What every tenant-owned row has."""

import uuid
from typing import ClassVar

from django.db import models

from accounts.models import Company
from accounts.scoping import ScopedManager


class TenantOwned(models.Model):
    """A row of one company. Read it through ``tenant.scope(Model)``: ``objects``
    refuses unscoped reads, ``unscoped`` is for cross-tenant readers (see
    ``accounts.scoping``). Each concrete model declares ``tenant_branch_field``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Declared before ``objects``: Django's own machinery (admin, related objects) uses the first manager.
    unscoped = models.Manager()
    objects = ScopedManager()
    # The lookup from a row to its branch (None: the row belongs to the whole company).
    tenant_branch_field: ClassVar[str | None]
    # Whether a null branch means "every branch" (branch-bound staff see those rows too).
    tenant_branch_optional: ClassVar[bool] = False

    class Meta:
        abstract = True
