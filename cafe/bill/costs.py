"""What dishes cost (docs/inventory.md, "Food cost"): each dish's cost from its
recipe at the branch's current average prices, with its margin and food-cost
percent; and the ABC analysis of the menu over a range of days, by revenue, by
portions and by margin, whose costs are what the sales actually took from stock
(the sale movements' recorded costs, less what voids gave back)."""

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F

from accounts.models import Branch
from accounts.tenancy import Tenant
from cafe.bill.reports import LINE_TOTAL, count_sum, money_sum, within
from cafe.menu.selectors import menu_for_branch
from cafe.orders.models import OrderItem
from cafe.orders.money import ZERO, rounded
from cafe.shared.business_day import day_span
from cafe.store.models import MovementKind, StockLevel, StockMovement
from cafe.store.recipes import Explosion

HUNDRED = Decimal(100)
# The ABC classes: A while the items before it hold under 80 % of the whole, B under 95 %, C the rest.
CLASS_A, CLASS_B = Decimal(80), Decimal(95)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(Decimal("0.01")) if whole else None


def food_cost(*, tenant: Tenant, branch: Branch) -> list[dict[str, Any]]:
    """The branch's dishes that have a recipe there: price, cost of one portion at the
    ingredients' current average cost in the branch, margin and food-cost percent.
    An item sold by weight is costed per kilogram, as its price and recipe are."""
    items = list(menu_for_branch(tenant=tenant, branch_id=branch.pk).order_by("title", "id"))
    explosion = Explosion.load(tenant, branch.pk, [item.pk for item in items])
    needs = {item.pk: explosion.portion(item.pk) for item in items}
    wanted = {pk for need in needs.values() if need for pk in need}
    average = dict(
        tenant.scope(StockLevel)
        .filter(branch=branch, ingredient__in=list(wanted))
        .values_list("ingredient", "avg_cost")
    )
    rows = []
    for item in items:
        need = needs[item.pk]
        if need is None:
            continue
        cost = rounded(sum((quantity * average.get(pk, ZERO) for pk, quantity in need.items()), ZERO))
        rows.append(
            {
                "id": item.pk,
                "title": item.title,
                "sold_by": item.sold_by,
                "price": item.price,
                "cost": cost,
                "margin": item.price - cost,
                "food_cost_percent": percent(cost, item.price),
            }
        )
    return rows


def _classes(rows: list[dict[str, Any]], field: str) -> None:
    """Sets ``<field>_class`` on each row: A, B or C by its cumulative share of the
    field's total (items with nothing, or a loss, are C)."""
    positive = [row for row in rows if row[field] > 0]
    whole = sum((Decimal(row[field]) for row in positive), Decimal(0))
    before = Decimal(0)
    for row in sorted(positive, key=lambda row: (-row[field], row["name"], str(row["id"]))):
        share = before * HUNDRED / whole
        row[f"{field}_class"] = "A" if share < CLASS_A else "B" if share < CLASS_B else "C"
        before += row[field]
    for row in rows:
        row.setdefault(f"{field}_class", "C")


def abc(*, tenant: Tenant, first: datetime.date, last: datetime.date, branch: Branch | None) -> dict[str, Any]:
    """The menu's ABC analysis over the branch's days ``first`` to ``last`` (or the
    whole company's, each branch in its own days): per menu item sold in the paid
    orders of those days (non-voided lines, as the reports' top items), its portions,
    kilograms (sold by weight), revenue, cost (what its lines' sales took from stock,
    less voids' returns), margin, share of revenue, and its class by revenue, by
    portions and by margin. Three queries whatever the size of the menu."""
    branches = [branch] if branch is not None else list(tenant.branches().order_by("created_at", "name"))
    spans = [(where, *day_span(where, first, last)) for where in branches]
    sold = tenant.scope(OrderItem).filter(within(spans, "order__paid_at", "order__branch"), voided_at__isnull=True)
    grouped = (
        sold.order_by()
        .values("menu_item", "menu_item__title")
        .annotate(portions=count_sum("quantity"), takings=money_sum(LINE_TOTAL))
    )
    weights: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    line_item: dict[uuid.UUID, uuid.UUID] = {}
    for pk, item, weight, quantity in sold.values_list("pk", "menu_item", "weight", "quantity"):
        line_item[pk] = item
        if weight is not None:
            weights[item] += weight * quantity
    costs: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    movements = (
        tenant.scope(StockMovement)
        .filter(order_line_id__in=sold.values("pk"), kind__in=[MovementKind.SALE, MovementKind.VOID])
        .order_by()
        .values("order_line_id")
        .annotate(cost=money_sum(-F("quantity") * F("unit_cost")))
    )
    for row in movements:
        costs[line_item[row["order_line_id"]]] += row["cost"]
    rows: list[dict[str, Any]] = []
    for row in grouped:
        item = row["menu_item"]
        revenue, cost = rounded(row["takings"]), rounded(costs.get(item, ZERO))
        rows.append(
            {
                "id": item,
                "name": row["menu_item__title"],
                "quantity": row["portions"],
                "weight": weights[item].quantize(Decimal("0.001")) if item in weights else None,
                "revenue": revenue,
                "cost": cost,
                "margin": revenue - cost,
            }
        )
    total_revenue = sum((row["revenue"] for row in rows), ZERO)
    for row in rows:
        row["revenue_share"] = percent(row["revenue"], total_revenue) or ZERO
        row["food_cost_percent"] = percent(row["cost"], row["revenue"])
    for field in ("revenue", "quantity", "margin"):
        _classes(rows, field)
    rows.sort(key=lambda row: (-row["revenue"], row["name"], str(row["id"])))
    total_cost = sum((row["cost"] for row in rows), ZERO)
    return {
        "from": first,
        "to": last,
        "branch": {"id": branch.pk, "name": branch.name, "timezone": branch.timezone} if branch is not None else None,
        "totals": {
            "quantity": sum((row["quantity"] for row in rows), 0),
            "revenue": total_revenue,
            "cost": total_cost,
            "margin": total_revenue - total_cost,
        },
        "items": rows,
    }
