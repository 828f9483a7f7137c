"""Server CPU per order through HTTP, in process: ``POST /api/cafe/orders/`` of two
lines (one for a kitchen station, one served straight) at one of ten tables, then
``POST orders/{id}/close/``, each with a JWT and an ``Idempotency-Key``, N times,
through Django's test client (its own cost included), on the database in
DATABASE_URL (migrated first). Prints CPU and wall time per order; compare commits
by running it in each checkout, alternating (docs/benchmarks.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafe_orderbench .venv/bin/python bench/orderhttp.py 150
"""

import json
import os
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from accounts.models import Branch, Company, Role, User  # noqa: E402
from cafe.models import Category, MenuItem, Station, Table  # noqa: E402

WARM_UP = 20


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    company = Company.objects.create(name=f"orderhttp {uuid.uuid4()}")
    branch = Branch.objects.create(company=company, name="Bench")
    waiter = User.objects.create_user(
        f"{uuid.uuid4()}@orderhttp.test", str(uuid.uuid4()), company=company, branch=branch, role=Role.WAITER
    )
    category = Category.objects.create(company=company, name="Kitchen")
    station = Station.objects.create(company=company, branch=branch, name="Hot")
    soup, tea = (
        MenuItem.objects.create(
            company=company, category=category, branch=branch, title=title, price=Decimal(price), station=where
        )
        for title, price, where in (("Soup", "350.00", station), ("Tea", "100.00", None))
    )
    tables = [Table.objects.create(company=company, branch=branch, number=number) for number in range(1, 11)]
    token = str(RefreshToken.for_user(waiter).access_token)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    lines = [{"menu_item": str(soup.pk), "quantity": 2}, {"menu_item": str(tea.pk), "quantity": 1}]

    def post(path: str, body: dict) -> dict:
        answer = client.post(
            path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{path}: {answer.status_code} {answer.content!r}")
        return answer.json()

    def one(index: int) -> None:
        order = post("/api/cafe/orders/", {"table": str(tables[index % 10].pk), "guests": 2, "items": lines})
        post(f"/api/cafe/orders/{order['id']}/close/", {})

    for index in range(WARM_UP):
        one(index)
    cpu, wall = time.process_time(), time.perf_counter()
    for index in range(count):
        one(index)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per_order = f"{1000 * cpu / count:.2f} ms CPU, {1000 * wall / count:.2f} ms wall per order"
    print(f"{count} orders over HTTP (POST + close): {per_order}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 150)
