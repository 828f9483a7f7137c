"""Daily and range reports: what a branch (or the whole company) took and gave
back over whole business days, each branch counted in its own time zone
(``cafe.business_day``). Every figure is an SQL aggregate over the rows of those
days; docs/reports.md defines each one.

The number of queries does not grow with the company's branches: a report runs
one query per figure group (paid orders, cancellations, payments, refunds, voids;
top items and top categories for the whole and, ranked by a window function, for
each branch), each grouped by branch. Branches whose days are the same UTC
instants (one time zone) share one condition ("these branches and this span"),
so the SQL grows with the time zones in use, not with the branches. A company's
sums and counts are the exact sum of its branches' groups; its top tens are
aggregated over all its branches at once, not merged from the branches' tens."""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import Coalesce, ExtractHour, RowNumber

from accounts.models import Branch
from accounts.tenancy import Tenant
from cafe.bill.models import Payment, Refund, Tender
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.money import ZERO, rounded
from cafe.shared.business_day import day_span
from cafe.store.models import MovementKind, StockMovement

TOP = 10
GRAM = Decimal("0.001")
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)

Span = tuple[Branch, datetime.datetime, datetime.datetime]


def money_sum(expression: Any) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


def count_sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(0), output_field=IntegerField())


def within(spans: list[Span], moment: str, branch: str = "branch") -> Q:
    """Rows of each branch whose ``moment`` falls in that branch's own days: one
    condition per distinct span (branches of one time zone share it)."""
    if not spans:
        return Q(pk__in=[])
    alike: dict[tuple[datetime.datetime, datetime.datetime], list[Any]] = defaultdict(list)
    for where, start, end in spans:
        alike[start, end].append(where.pk)
    condition = Q()
    for (start, end), ids in alike.items():
        condition |= Q(**{f"{branch}__in": ids, f"{moment}__gte": start, f"{moment}__lt": end})
    return condition


def _local_hour(spans: list[Span], moment: str) -> Case:
    """The hour (0–23) of ``moment`` on each branch's own clock, in SQL: one
    ``EXTRACT(HOUR … AT TIME ZONE …)`` per time zone in use, chosen by branch."""
    zones: dict[str, list[Any]] = defaultdict(list)
    for where, _start, _end in spans:
        zones[where.timezone].append(where.pk)
    whens = [When(branch__in=ids, then=ExtractHour(moment, tzinfo=ZoneInfo(zone))) for zone, ids in zones.items()]
    return Case(*whens, default=Value(None), output_field=IntegerField())


LINE_TOTAL = F("price") * F("quantity") - F("discount_amount")
KILOGRAMS: DecimalField = DecimalField(max_digits=16, decimal_places=3)
# Kilograms sold of lines sold by weight (each portion's weight × portions); NULL with none.
LINE_KILOGRAMS = Sum(F("weight") * F("quantity"), output_field=KILOGRAMS)


def _grouped(rows: QuerySet, key: str) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.pop(key)].append(row)
    return grouped


def _figures(tenant: Tenant, spans: list[Span], *, each: bool) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    """The figures of all ``spans`` together and, with ``each``, of each branch
    (keyed by branch id) — in a fixed number of queries, whatever the branches."""
    paid = _grouped(
        tenant.scope(Order)
        .filter(within(spans, "paid_at"))
        .order_by()
        .values("branch")
        .annotate(
            revenue=money_sum("total"),
            orders=Count("pk"),
            guests=count_sum("guests"),
            discounts=money_sum("discount_total"),
            service_charge=money_sum("service_charge"),
        ),
        "branch",
    )
    # Sales by hour: paid orders grouped by the branch-local hour they were paid in.
    hourly = _grouped(
        tenant.scope(Order)
        .filter(within(spans, "paid_at"))
        .annotate(hour=_local_hour(spans, "paid_at"))
        .order_by()
        .values("branch", "hour")
        .annotate(revenue=money_sum("total"), orders=Count("pk")),
        "branch",
    )
    cancelled = _grouped(
        tenant.scope(Order)
        .filter(within(spans, "closed_at"), status=OrderStatus.CANCELLED)
        .order_by()
        .values("branch")
        .annotate(count=Count("pk")),
        "branch",
    )
    taken = _grouped(
        tenant.scope(Payment)
        .filter(within(spans, "created_at"))
        .order_by()
        .values("branch", "method")
        .annotate(amount=money_sum("amount"), tips=money_sum("tip"), count=Count("pk")),
        "branch",
    )
    given = _grouped(
        tenant.scope(Refund)
        .filter(within(spans, "created_at"))
        .order_by()
        .values("branch", "method")
        .annotate(amount=money_sum("amount"), count=Count("pk")),
        "branch",
    )
    voids = _grouped(
        tenant.scope(OrderItem)
        .filter(within(spans, "voided_at", "order__branch"))
        .order_by()
        .values("order__branch")
        .annotate(count=Count("pk"), value=money_sum(F("price") * F("quantity"))),
        "order__branch",
    )
    # Cost of goods sold: what the sales' stock movements took, at the cost they
    # recorded, less what voids gave back (by when the stock moved: docs/inventory.md).
    costs = _grouped(
        tenant.scope(StockMovement)
        .filter(within(spans, "created_at"), kind__in=[MovementKind.SALE, MovementKind.VOID])
        .order_by()
        .values("branch")
        .annotate(cost=money_sum(-F("quantity") * F("unit_cost"))),
        "branch",
    )
    sold = tenant.scope(OrderItem).filter(within(spans, "order__paid_at", "order__branch"), voided_at__isnull=True)
    tops = {
        "top_items": ("menu_item", "menu_item__title"),
        "top_categories": ("menu_item__category", "menu_item__category__name"),
    }
    ids = [where.pk for where, _start, _end in spans]
    parts = {
        pk: _summed(
            paid.get(pk, []),
            cancelled.get(pk, []),
            taken.get(pk, []),
            given.get(pk, []),
            voids.get(pk, []),
            hourly.get(pk, []),
            costs.get(pk, []),
        )
        for pk in ids
    }
    whole = _summed(
        [row for pk in ids for row in paid.get(pk, [])],
        [row for pk in ids for row in cancelled.get(pk, [])],
        [row for pk in ids for row in taken.get(pk, [])],
        [row for pk in ids for row in given.get(pk, [])],
        [row for pk in ids for row in voids.get(pk, [])],
        [row for pk in ids for row in hourly.get(pk, [])],
        [row for pk in ids for row in costs.get(pk, [])],
    )
    for figure, (key, name) in tops.items():
        whole[figure] = _top(sold, key, name)
        if each:
            ranked = _grouped(_top_each(sold, key, name), "order__branch")
            for pk in ids:
                parts[pk][figure] = [_top_row(row, key, name) for row in ranked.get(pk, [])]
    return whole, parts if each else {}


_COUNTS = frozenset({"orders", "guests", "count"})


def _summed(
    paid: list[dict],
    cancelled: list[dict],
    taken: list[dict],
    given: list[dict],
    voids: list[dict],
    hourly: list[dict],
    costs: list[dict],
) -> dict:
    """Summary, payments, refunds and sales by hour from the per-branch (and
    per-method, per-hour) groups: each group's money rounded, then added exactly."""

    def total(rows: list[dict], field: str, **match: Any) -> Any:
        chosen = [row[field] for row in rows if all(row[k] == v for k, v in match.items())]
        if field in _COUNTS:
            return sum(chosen, 0)
        return sum((rounded(value) for value in chosen), ZERO)

    payments = [
        {
            "method": method,
            "amount": total(taken, "amount", method=method),
            "tips": total(taken, "tips", method=method),
            "count": total(taken, "count", method=method),
        }
        for method in Tender.values
    ]
    refunds = [
        {
            "method": method,
            "amount": total(given, "amount", method=method),
            "count": total(given, "count", method=method),
        }
        for method in Tender.values
    ]
    revenue, orders = total(paid, "revenue"), total(paid, "orders")
    refunded = sum((row["amount"] for row in refunds), ZERO)
    summary = {
        "revenue": revenue,
        "orders": orders,
        "average_bill": rounded(revenue / orders) if orders else ZERO,
        "guests": total(paid, "guests"),
        "discounts": total(paid, "discounts"),
        "service_charge": total(paid, "service_charge"),
        "tips": sum((row["tips"] for row in payments), ZERO),
        "refunds": refunded,
        "net_revenue": revenue - refunded,
        "voided_lines": total(voids, "count"),
        "voided_value": total(voids, "value"),
        "cancelled_orders": total(cancelled, "count"),
        "cost_of_goods": total(costs, "cost"),
        "gross_margin": revenue - refunded - total(costs, "cost"),
    }
    by_hour = [
        {"hour": hour, "revenue": total(hourly, "revenue", hour=hour), "orders": total(hourly, "orders", hour=hour)}
        for hour in range(24)
    ]
    return {"summary": summary, "payments": payments, "refunds": refunds, "by_hour": by_hour}


def _ranking(name: str, key: str) -> list[Any]:
    return [F("portions").desc(), F("takings").desc(), F(name).asc(), F(key).asc()]


def _top(lines: QuerySet, key: str, name: str) -> list[dict[str, Any]]:
    """The ``TOP`` best sellers by portions (then by revenue, then by name)."""
    rows = (
        lines.order_by()
        .values(key, name)
        .annotate(portions=count_sum("quantity"), takings=money_sum(LINE_TOTAL), kilograms=LINE_KILOGRAMS)
        .order_by(*_ranking(name, key))[:TOP]
    )
    return [_top_row(row, key, name) for row in rows]


def _top_each(lines: QuerySet, key: str, name: str) -> QuerySet:
    """Each branch's ``TOP`` best sellers, in one query: ranked within the branch
    by a window function and cut at ``TOP``."""
    return (
        lines.order_by()
        .values("order__branch", key, name)
        .annotate(portions=count_sum("quantity"), takings=money_sum(LINE_TOTAL), kilograms=LINE_KILOGRAMS)
        .annotate(place=Window(RowNumber(), partition_by=[F("order__branch")], order_by=_ranking(name, key)))
        .filter(place__lte=TOP)
        .order_by("order__branch", "place")
    )


def _top_row(row: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return {
        "id": row[key],
        "name": row[name],
        "quantity": row["portions"],
        "weight": None if row["kilograms"] is None else Decimal(row["kilograms"]).quantize(GRAM),
        "revenue": rounded(row["takings"]),
    }


def _about(branch: Branch) -> dict[str, Any]:
    return {"id": branch.pk, "name": branch.name, "timezone": branch.timezone}


def report(*, tenant: Tenant, first: datetime.date, last: datetime.date, branch: Branch | None) -> dict[str, Any]:
    """The report of ``branch``'s days ``first`` to ``last`` (inclusive), or, for
    ``branch=None`` (owners and admins), the company's totals and each branch's."""
    branches = [branch] if branch is not None else list(tenant.branches().order_by("created_at", "name"))
    spans = [(where, *day_span(where, first, last)) for where in branches]
    totals, parts = _figures(tenant, spans, each=branch is None)
    return {
        "from": first,
        "to": last,
        "branch": _about(branch) if branch is not None else None,
        "totals": totals,
        "branches": [{"branch": _about(where), **parts[where.pk]} for where, _start, _end in spans]
        if branch is None
        else [],
    }
