"""What a company report costs as the company grows: the time and the number of
SQL queries of one 366-day company report (``cafe.bill.reports.report`` and
its CSV), for a company of ``--branches`` branches. Run from the repo root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_report_bench \\
        .venv/bin/python bench/report_cost.py --reset --branches 400

--reset drops and recreates the database, migrates and builds the company: the
branches (half in Europe/Moscow, a quarter in America/New_York, a quarter in
Asia/Tokyo), five menu items in two categories, and, for every branch, one paid
order of two lines with its card payment every ``--every`` days of 2025, plus a
refund and a voided line every tenth order. Without --reset it reuses the data.
Prints one JSON line per run; no figure is asserted. ``--root /path/to/checkout``
measures another checkout's code on the same data (before / after).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from project_setup import recreate_database  # noqa: E402

ZONES = ["Europe/Moscow", "Europe/Moscow", "America/New_York", "Asia/Tokyo"]


def build(branches: int, every: int) -> None:
    from django.db import transaction

    from accounts.models import Branch, Company, Role, User
    from cafe.models import Category, MenuItem, Order, OrderItem, OrderStatus, Payment, Refund

    with transaction.atomic():
        company = Company.objects.create(name="Report bench")
        User.objects.create(email="owner@report.bench", company=company, role=Role.OWNER, password="!")
        places = Branch.objects.bulk_create(
            [Branch(company=company, name=f"Branch {i:03d}", timezone=ZONES[i % len(ZONES)]) for i in range(branches)]
        )
        drinks = Category.unscoped.create(company=company, name="Drinks")
        food = Category.unscoped.create(company=company, name="Food")
        items = [
            MenuItem.unscoped.create(company=company, category=category, title=title, price=Decimal(price))
            for category, title, price in (
                (drinks, "Flat white", "3.40"),
                (drinks, "Tea", "2.10"),
                (food, "Soup", "5.25"),
                (food, "Pie", "4.00"),
                (food, "Salad", "6.80"),
            )
        ]
        start = datetime.datetime(2025, 1, 1, 12, tzinfo=datetime.UTC)
        n = 0
        for day in range(0, 365, every):
            orders, lines, payments, refunds = [], [], [], []
            for place in places:
                n += 1
                moment = start + datetime.timedelta(days=day, minutes=n % 600)
                first, second = items[n % 5], items[(n + 2) % 5]
                total = first.price * 2 + second.price
                order = Order(
                    company=company, branch=place, service="takeaway", guests=2, status=OrderStatus.CLOSED,
                    subtotal=total, total=total, paid=total, closed_at=moment, paid_at=moment,
                )  # fmt: skip
                orders.append(order)
                lines.append(OrderItem(company=company, order=order, menu_item=first, title=first.title,
                                       price=first.price, quantity=2))  # fmt: skip
                lines.append(OrderItem(company=company, order=order, menu_item=second, title=second.title,
                                       price=second.price, quantity=1,
                                       voided_at=moment if n % 10 == 0 else None))  # fmt: skip
                payments.append(Payment(company=company, order=order, branch=place, method="card", amount=total,
                                        tendered=total))  # fmt: skip
                if n % 10 == 0:
                    refunds.append(Refund(company=company, order=order, branch=place, method="card",
                                          amount=first.price, reason="cold"))  # fmt: skip
            Order.unscoped.bulk_create(orders)
            OrderItem.unscoped.bulk_create(lines)
            Payment.unscoped.bulk_create(payments)
            Refund.unscoped.bulk_create(refunds)
        # created_at is auto_now_add: move payments and refunds to their order's moment.
        for model in (Payment, Refund):
            for row in model.unscoped.filter(company=company).select_related("order").iterator():
                model.unscoped.filter(pk=row.pk).update(created_at=row.order.paid_at)


def measure(runs: int) -> None:
    try:
        from cafe.bill.api import report_csv
        from cafe.bill.reports import report
    except ImportError:  # a checkout from before the cafe was arranged by area
        from cafe.api.reports import report_csv
        from cafe.selectors.reports import report
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.tenancy import tenant_for

    try:
        from core.csvfile import csv_text
    except ImportError:
        csv_text = None

    owner = User.objects.get(email="owner@report.bench")
    tenant = tenant_for(owner)
    branches = tenant.branches().count()
    first, last = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            answer = report(tenant=tenant, first=first, last=last, branch=None)
            figured = time.perf_counter()
            rows = report_csv(answer)
            text = rows if isinstance(rows, str) else csv_text(rows)  # before core.csvfile it was text
            done = time.perf_counter()
        print(
            json.dumps(
                {
                    "branches": branches,
                    "days": (last - first).days + 1,
                    "queries": len(queries),
                    "report_s": round(figured - began, 3),
                    "csv_s": round(done - figured, 3),
                    "csv_bytes": len(text.encode()),
                    "orders": answer["totals"]["summary"]["orders"],
                    "revenue": str(answer["totals"]["summary"]["revenue"]),
                }
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reset", action="store_true")
    ap.add_argument("--branches", type=int, default=400)
    ap.add_argument("--every", type=int, default=3, help="an order per branch every N days")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", default=str(ROOT), help="the source tree to measure (e.g. another checkout)")
    args = ap.parse_args()
    if args.reset:
        recreate_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, args.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    if args.reset:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        build(args.branches, args.every)
    measure(args.runs)


if __name__ == "__main__":
    main()
