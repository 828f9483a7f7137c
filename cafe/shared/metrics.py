"""The cafe's business figures in Prometheus (read at ``/metrics``; docs/deploy.md,
"Metrics"): orders, payments and revenue per branch, counted when their transaction
commits. A branch id is a label: each process labels at most ``METRICS_BRANCH_LABELS``
branches (the first it sees) and counts the rest under ``other``, so the series stay
bounded however many branches the companies have."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from prometheus_client import Counter

from core.metrics import BoundedLabel

branch_label = BoundedLabel(settings.METRICS_BRANCH_LABELS)

ORDERS_CREATED = Counter("cafe_orders_created_total", "Orders taken, by branch.", ["branch"])
ORDERS_ENDED = Counter("cafe_orders_ended_total", "Orders that ended, by branch and status.", ["branch", "status"])
PAYMENTS = Counter("cafe_payments_total", "Payments (one per tender), by branch and method.", ["branch", "method"])
REVENUE = Counter(
    "cafe_revenue_total",
    "What payments put towards bills (tips and change left out; refunds not taken off), by branch, "
    "in the currency's units.",
    ["branch"],
)


def order_created(branch_id: object) -> None:
    branch = branch_label(branch_id)
    transaction.on_commit(ORDERS_CREATED.labels(branch=branch).inc)


def order_ended(branch_id: object, status: str) -> None:
    branch = branch_label(branch_id)
    transaction.on_commit(ORDERS_ENDED.labels(branch=branch, status=status).inc)


def payments_taken(branch_id: object, methods: list[str], amount: Decimal) -> None:
    branch = branch_label(branch_id)

    def count() -> None:
        for method in methods:
            PAYMENTS.labels(branch=branch, method=method).inc()
        REVENUE.labels(branch=branch).inc(float(amount))

    transaction.on_commit(count)
