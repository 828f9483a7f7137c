"""Daily and range reports: what a branch (or the whole company) took and gave
back over whole business days, each branch counted in its own time zone
(``cafe.business_day``). Every figure is one SQL aggregate over the rows of those
days; docs/reports.md defines each one.

A company report filters each table once with one condition per branch
("this branch and its own day"), so its totals, top items and top categories are
the company's own aggregates, not sums of the branches' top tens."""

import datetime
import functools
import operator
from typing import Any

from django.db.models import Count, DecimalField, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Branch
from accounts.tenancy import Tenant
from cafe.bill.models import Payment, Refund, Tender
from cafe.bill.selectors import ZERO
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.money import rounded
from cafe.shared.business_day import day_span

TOP = 10
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)

Span = tuple[Branch, datetime.datetime, datetime.datetime]


def _money(expression: Any) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _count_sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(0), output_field=IntegerField())


def _within(spans: list[Span], moment: str, branch: str = "branch") -> Q:
    """Rows of each branch whose ``moment`` falls in that branch's own days."""
    if not spans:
        return Q(pk__in=[])
    return functools.reduce(
        operator.or_,
        (Q(**{branch: where.pk, f"{moment}__gte": start, f"{moment}__lt": end}) for where, start, end in spans),
    )


LINE_TOTAL = F("price") * F("quantity") - F("discount_amount")


def _figures(tenant: Tenant, spans: list[Span]) -> dict[str, Any]:
    paid = (
        tenant.scope(Order)
        .filter(_within(spans, "paid_at"))
        .aggregate(
            revenue=_money("total"),
            orders=Count("pk"),
            guests=_count_sum("guests"),
            discounts=_money("discount_total"),
            service_charge=_money("service_charge"),
        )
    )
    cancelled = tenant.scope(Order).filter(_within(spans, "closed_at"), status=OrderStatus.CANCELLED).count()
    taken = {
        row["method"]: row
        for row in tenant.scope(Payment)
        .filter(_within(spans, "created_at"))
        .order_by()
        .values("method")
        .annotate(amount=_money("amount"), tips=_money("tip"), count=Count("pk"))
    }
    given = {
        row["method"]: row
        for row in tenant.scope(Refund)
        .filter(_within(spans, "created_at"))
        .order_by()
        .values("method")
        .annotate(amount=_money("amount"), count=Count("pk"))
    }
    voids = (
        tenant.scope(OrderItem)
        .filter(_within(spans, "voided_at", "order__branch"))
        .aggregate(count=Count("pk"), value=_money(F("price") * F("quantity")))
    )
    payments = [
        {
            "method": method,
            "amount": rounded(taken.get(method, {}).get("amount", ZERO)),
            "tips": rounded(taken.get(method, {}).get("tips", ZERO)),
            "count": taken.get(method, {}).get("count", 0),
        }
        for method in Tender.values
    ]
    refunds = [
        {
            "method": method,
            "amount": rounded(given.get(method, {}).get("amount", ZERO)),
            "count": given.get(method, {}).get("count", 0),
        }
        for method in Tender.values
    ]
    revenue = rounded(paid["revenue"])
    refunded = sum((row["amount"] for row in refunds), ZERO)
    summary = {
        "revenue": revenue,
        "orders": paid["orders"],
        "average_bill": rounded(revenue / paid["orders"]) if paid["orders"] else ZERO,
        "guests": paid["guests"],
        "discounts": rounded(paid["discounts"]),
        "service_charge": rounded(paid["service_charge"]),
        "tips": sum((row["tips"] for row in payments), ZERO),
        "refunds": refunded,
        "net_revenue": revenue - refunded,
        "voided_lines": voids["count"],
        "voided_value": rounded(voids["value"]),
        "cancelled_orders": cancelled,
    }
    sold = tenant.scope(OrderItem).filter(_within(spans, "order__paid_at", "order__branch"), voided_at__isnull=True)
    return {
        "summary": summary,
        "payments": payments,
        "refunds": refunds,
        "top_items": _top(sold, "menu_item", "menu_item__title"),
        "top_categories": _top(sold, "menu_item__category", "menu_item__category__name"),
    }


def _top(lines, key: str, name: str) -> list[dict[str, Any]]:
    """The ``TOP`` best sellers by portions (then by revenue, then by name)."""
    rows = (
        lines.order_by()
        .values(key, name)
        .annotate(portions=_count_sum("quantity"), takings=_money(LINE_TOTAL))
        .order_by("-portions", "-takings", name)[:TOP]
    )
    return [
        {"id": row[key], "name": row[name], "quantity": row["portions"], "revenue": rounded(row["takings"])}
        for row in rows
    ]


def _about(branch: Branch) -> dict[str, Any]:
    return {"id": branch.pk, "name": branch.name, "timezone": branch.timezone}


def report(*, tenant: Tenant, first: datetime.date, last: datetime.date, branch: Branch | None) -> dict[str, Any]:
    """The report of ``branch``'s days ``first`` to ``last`` (inclusive), or, for
    ``branch=None`` (owners and admins), the company's totals and each branch's."""
    branches = [branch] if branch is not None else list(tenant.branches().order_by("created_at", "name"))
    spans = [(where, *day_span(where, first, last)) for where in branches]
    answer: dict[str, Any] = {
        "from": first,
        "to": last,
        "branch": _about(branch) if branch is not None else None,
        "totals": _figures(tenant, spans),
        "branches": [],
    }
    if branch is None:
        answer["branches"] = [{"branch": _about(span[0]), **_figures(tenant, [span])} for span in spans]
    return answer
