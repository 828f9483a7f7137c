"""`make run`'s demo data: a day at the Center's till, so the reports show figures."""

import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import Branch, User
from cafe.bill.models import Shift
from cafe.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db


def test_the_demo_day_fills_the_reports_and_loading_twice_adds_nothing(client_for):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    center = Branch.unscoped.get(name="Center")
    closed, current = Shift.unscoped.filter(branch=center).order_by("opened_at")
    # 5000.00 float + cash taken 2182.50 (1360.00 with its tip, 282.50, 540.00) − 1000.00 to the bank.
    assert (closed.expected_cash, closed.counted_cash, closed.difference) == (
        Decimal("6182.50"),
        Decimal("6172.50"),
        Decimal("-10.00"),
    )
    assert current.closed_at is None  # cash can be taken at once
    assert Order.unscoped.filter(branch=center, status=OrderStatus.CLOSED).count() == 4
    manager = client_for(User.objects.get(email="manager@demo.cafe"))
    day = closed.closed_at.astimezone(ZoneInfo(center.timezone)).date()
    summary = manager.get(f"/api/cafe/reports/daily/?date={day}").json()["totals"]["summary"]
    assert (summary["revenue"], summary["orders"], summary["refunds"], summary["tips"]) == (
        "3673.20",
        4,
        "330.75",
        "150.00",
    )
    z = manager.get(f"/api/cafe/shifts/{closed.pk}/report/").json()
    assert (z["kind"], z["expected_cash"], z["difference"]) == ("z", "6182.50", "-10.00")
    # A returning guest in the guest book: a closed visit today and an order open now.
    maria = manager.get("/api/cafe/guests/", {"phone": "+79161234567"}).json()["results"]
    assert [(guest["name"], guest["visits"]) for guest in maria] == [("Мария", 1)]
    history = manager.get(f"/api/cafe/guests/{maria[0]['id']}/history/").json()
    assert sorted(entry["status"] for entry in history["results"]) == ["closed", "open"]
