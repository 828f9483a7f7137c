"""What the cafe's services share."""

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.models import Branch
from accounts.tenancy import BranchNotAllowed, Tenant

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def branch_for_write(tenant: Tenant, branch_id: uuid.UUID | None, field: str = "branch") -> Branch:
    """The branch a new object goes to: the given one (if the tenant may act on it),
    else a branch-bound user's own branch; company-wide users must name one."""
    if branch_id is None:
        if tenant.branch is None:
            raise ValidationError({field: [_("This field is required.")]})
        return tenant.branch
    try:
        return tenant.branch_by_id(branch_id)
    except BranchNotAllowed:
        raise ValidationError({field: [_("Branch not found.")]}) from None


def save_unique(obj: models.Model, field: str, message: "StrOrPromise") -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


def with_prefetched(instance: models.Model, **related: Sequence[models.Model]) -> None:
    """Fills a row's prefetch cache with related rows held in memory (rows just built,
    not read back), as ``prefetch_related`` would: serializing them reads nothing,
    and a query on the relation (``.get()``, ``.filter()``) still reads the database."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(instance, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset
