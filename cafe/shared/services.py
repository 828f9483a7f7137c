"""What the cafe's services share."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction
from rest_framework.exceptions import ValidationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
