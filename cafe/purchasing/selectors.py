"""Reads of suppliers and the storeroom's documents, each from the tenant's scope."""

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.tenancy import Tenant
from cafe.purchasing.models import DocumentStatus, StockDocument, StockDocumentLine, Supplier
from cafe.store.models import StockLevel
from cafe.store.units import unit_convert

ZERO = Decimal("0.00")


def rounded(value: Decimal) -> Decimal:
    """Money as the bill rounds it: half-up to the cent."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def supplier_list(*, tenant: Tenant) -> QuerySet[Supplier]:
    return tenant.scope(Supplier).order_by("name", "id")


def supplier_get(*, tenant: Tenant, supplier_id: uuid.UUID) -> Supplier:
    return supplier_list(tenant=tenant).get(pk=supplier_id)


def document_list(
    *,
    tenant: Tenant,
    kind: str,
    branch: uuid.UUID | None = None,
    status: str | None = None,
    supplier: uuid.UUID | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[StockDocument]:
    """The documents of ``kind`` in the tenant's branches (a transfer is its source
    branch's; the destination sees its ``transfer_in`` movements), lines prefetched."""
    lines = tenant.scope(StockDocumentLine).select_related("ingredient").order_by("position", "id")
    rows = tenant.scope(StockDocument).filter(kind=kind).prefetch_related(Prefetch("lines", queryset=lines))
    if branch is not None:
        rows = rows.filter(branch=branch)
    if status is not None:
        rows = rows.filter(status=status)
    if supplier is not None:
        rows = rows.filter(supplier=supplier)
    if date_from is not None:
        rows = rows.filter(date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(date__lte=date_to)
    return rows.order_by("-date", "-created_at", "-id")


def document_get(*, tenant: Tenant, kind: str, document_id: uuid.UUID) -> StockDocument:
    return document_list(tenant=tenant, kind=kind).get(pk=document_id)


def count_variance(*, tenant: Tenant, count: StockDocument) -> dict[str, Any]:
    """A count's variance report: per line, the ledger's on hand (``expected``), what
    was counted, the variance and its value at the average cost — as posted, or, for
    a draft, against the ledger as it stands now (what posting now would write)."""
    lines = list(count.lines.all())
    if count.status == DocumentStatus.DRAFT:
        levels = {
            level.ingredient_id: level
            for level in tenant.scope(StockLevel).filter(
                branch=count.branch_id, ingredient__in=[line.ingredient_id for line in lines]
            )
        }
    rows: list[dict[str, Any]] = []
    values: list[Decimal] = []
    for line in lines:
        counted = unit_convert(line.quantity, from_unit=line.unit, to_unit=line.ingredient.unit)
        if count.status == DocumentStatus.DRAFT:
            level = levels.get(line.ingredient_id)
            expected = level.on_hand if level is not None else ZERO
            unit_cost = level.avg_cost if level is not None else ZERO
        else:
            expected, unit_cost = line.expected or ZERO, line.unit_cost or ZERO
        variance = counted - expected
        rows.append(
            {
                "ingredient": line.ingredient_id,
                "name": line.ingredient.name,
                "unit": line.ingredient.unit,
                "expected": expected,
                "counted": counted,
                "variance": variance,
                "unit_cost": unit_cost,
                "value": rounded(variance * unit_cost),
            }
        )
        values.append(rounded(variance * unit_cost))
    shortage = sum((value for value in values if value < 0), ZERO)
    surplus = sum((value for value in values if value > 0), ZERO)
    return {
        "count": count.pk,
        "branch": count.branch_id,
        "date": count.date,
        "rows": rows,
        "shortage": shortage,
        "surplus": surplus,
        "net": shortage + surplus,
    }
