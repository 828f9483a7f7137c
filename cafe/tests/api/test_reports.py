"""Reports against a hand-computed day. Two branches of one company: Center in
Moscow (UTC+3) and Harbour in New York (UTC−5 in January). The day is 2026-01-15.

Everything goes through the real services: orders and lines, takeaway orders,
a void, a cancellation, discounts (order and line, amount and percent), the
branch's service charge, the tills' shifts, card and cash tenders, tips
and change (a partial payment first), and a refund; only the clock is fixed.
Every expected figure is worked out by hand below.

Center (its day: 2026-01-14 21:00Z → 2026-01-15 21:00Z)
  A1 dine-in, 2 guests: 2 × Cappuccino 350.00 + Borscht 420.00 = 1120.00
     order discount 10 % = 112.00; service charge 7.5 % of 1008.00 = 75.60
     total 1083.60; paid 20:59Z (23:59 local): card 650.00 = 600.00 + tip
     50.00 (a partial payment), then cash 483.60 (500.00 handed over, 16.40
     change); refund 350.00 to card
     (a sum) at 20:59:30Z
  A2 takeaway (pickup 1 of the 15th): Pie 180.50 − 30.50 line discount
     + Cappuccino 350.00 = 500.00, paid by transfer at 21:00Z = 00:00 local
     on the 16th: NOT on the 15th
  A3 dine-in, 1 guest: Borscht 420.00 + Tea 95.15 + Pie 180.50 voided at
     11:00Z → total 515.15, paid cash 12:00Z (600.00 handed, 84.85 change)
  A4 dine-in: Cappuccino, cancelled at 13:00Z
  → revenue 1598.75, 2 orders, average 799.375 → 799.38 (half-up), 3 guests,
    discounts 112.00, service charge 75.60, cash 998.75 (2), card 600.00
    (1, tips 50.00), tips 50.00, refunds 350.00 (card), net 1248.75,
    1 void worth 180.50, 1 cancelled; top items Borscht 2 / 840.00,
    Cappuccino 2 / 700.00, Tea 1 / 95.15; categories Hot drinks 3 / 795.15,
    Kitchen 2 / 840.00
Harbour (its day: 2026-01-15 05:00Z → 2026-01-16 05:00Z)
  B1 dine-in, 3 guests: 3 × Cappuccino − 5 % line discount (52.50) = 997.50,
     paid by card + 20.00 tip at 2026-01-16 04:59Z (23:59 local on the 15th)
  B2 takeaway: Pie 180.50, cash at 2026-01-15 04:59Z (23:59 local on the
     14th): NOT on the 15th
  → revenue 997.50, 1 order, average 997.50, 3 guests, discounts 52.50,
    card 997.50 (1, tips 20.00); top Cappuccino 3 / 997.50
Company: revenue 2596.25, 3 orders, average 865.4166… → 865.42, 6 guests,
  discounts 164.50, service charge 75.60, cash 998.75 (2), card 1597.50 (2,
  tips 70.00), tips 70.00, refunds 350.00, net 2246.25, 1 void / 180.50,
  1 cancelled; top Cappuccino 5 / 1697.50, Borscht 2 / 840.00, Tea 1 / 95.15;
  categories Hot drinks 6 / 1792.65, Kitchen 2 / 840.00.
"""

import datetime
from decimal import Decimal

import pytest

from accounts import services as services_accounts
from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.services import order_discount_set, order_pay
from cafe.bill.till import order_refund, shift_open
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.services import order_create, order_finish, order_line_void
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    UserFactory,
    owner_of,
    staff_of,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = utc("2026-01-15T09:00:00")

    def __call__(self) -> datetime.datetime:
        return self.now


def _pay(order: Order, *tenders: tuple[str, str], tip: str = "0") -> None:
    """One payment through the payments service: tenders (method, amount) and a tip."""
    order_pay(
        tenant=tenant_for(order.waiter),
        order_id=order.pk,
        tenders=[{"method": method, "amount": Decimal(amount)} for method, amount in tenders],
        tip=Decimal(tip),
    )


def _discount(manager, order: Order, kind: str, value: str, line: OrderItem | None = None) -> None:
    order_discount_set(
        tenant=tenant_for(manager),
        order_id=order.pk,
        kind=kind,
        value=Decimal(value),
        reason="regular",
        line_id=line.pk if line is not None else None,
    )


def _line(order: Order, item) -> OrderItem:
    return OrderItem.unscoped.get(order=order, menu_item=item)


@pytest.fixture
def day(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", clock)
    center = BranchFactory(name="Center", timezone="Europe/Moscow")
    company = center.company
    harbour = BranchFactory(name="Harbour", timezone="America/New_York", company=company)
    drinks = CategoryFactory(company=company, name="Hot drinks")
    kitchen = CategoryFactory(company=company, name="Kitchen")
    cappuccino = MenuItemFactory(category=drinks, title="Cappuccino", price=Decimal("350.00"))
    tea = MenuItemFactory(category=drinks, title="Tea", price=Decimal("95.15"))
    borscht = MenuItemFactory(category=kitchen, title="Borscht", price=Decimal("420.00"))
    pie = MenuItemFactory(category=kitchen, title="Pie", price=Decimal("180.50"))
    waiter_a, waiter_b = staff_of(center), staff_of(harbour)
    manager_a, manager_b = staff_of(center, Role.MANAGER), staff_of(harbour, Role.MANAGER)
    owner = owner_of(company)

    def create(waiter, items, **fields):
        lines = [{"menu_item": item.pk, "quantity": quantity} for item, quantity in items]
        return order_create(tenant=tenant_for(waiter), items=lines, **fields)

    def service_charge(branch, percent: str) -> None:
        services_accounts.branch_update(
            tenant=tenant_for(owner), branch_id=branch.pk, service_charge_percent=Decimal(percent)
        )

    # The tills open before the day's first cash (cash needs an open shift).
    clock.now = utc("2026-01-14T20:00:00")
    for manager in (manager_a, manager_b):
        shift_open(tenant=tenant_for(manager), opening_float=Decimal("1000.00"))

    # Harbour, B2: the 14th in New York, the 15th in Moscow.
    clock.now = utc("2026-01-15T04:50:00")
    b2 = create(waiter_b, [(pie, 1)], service="takeaway")
    clock.now = utc("2026-01-15T04:59:00")
    _pay(b2, ("cash", "180.50"))

    clock.now = utc("2026-01-15T09:00:00")
    service_charge(center, "7.5")  # A1 is taken with it; A3 and A4 after it is lifted.
    a1 = create(waiter_a, [(cappuccino, 2), (borscht, 1)], table=TableFactory(branch=center, number=1).pk, guests=2)
    service_charge(center, "0")
    _discount(manager_a, a1, "percent", "10")
    a3 = create(waiter_a, [(borscht, 1), (tea, 1), (pie, 1)], table=TableFactory(branch=center, number=2).pk, guests=1)
    a4 = create(waiter_a, [(cappuccino, 1)], table=TableFactory(branch=center, number=3).pk, guests=1)
    clock.now = utc("2026-01-15T11:00:00")
    order_line_void(tenant=tenant_for(waiter_a), order_id=a3.pk, line_id=_line(a3, pie).pk, reason="dropped")
    clock.now = utc("2026-01-15T12:00:00")
    _pay(a3, ("cash", "600.00"))  # 515.15, 84.85 change
    clock.now = utc("2026-01-15T13:00:00")
    order_finish(tenant=tenant_for(waiter_a), order_id=a4.pk, status=OrderStatus.CANCELLED)

    clock.now = utc("2026-01-15T18:00:00")
    b1 = create(waiter_b, [(cappuccino, 3)], table=TableFactory(branch=harbour, number=1).pk, guests=3)
    _discount(manager_b, b1, "percent", "5", line=_line(b1, cappuccino))

    clock.now = utc("2026-01-15T20:50:00")
    a2 = create(waiter_a, [(pie, 1), (cappuccino, 1)], service="takeaway")
    _discount(manager_a, a2, "amount", "30.50", line=_line(a2, pie))

    clock.now = utc("2026-01-15T20:59:00")
    _pay(a1, ("card", "650.00"), tip="50.00")  # a partial payment: 600.00 of the bill and the tip
    _pay(a1, ("cash", "500.00"))  # the 483.60 left, 16.40 change
    clock.now = utc("2026-01-15T20:59:30")
    order_refund(tenant=tenant_for(manager_a), order_id=a1.pk, method="card", reason="cold", amount=Decimal("350.00"))
    clock.now = utc("2026-01-15T21:00:00")
    _pay(a2, ("transfer", "500.00"))
    clock.now = utc("2026-01-16T04:59:00")
    _pay(b1, ("card", "1017.50"), tip="20.00")
    monkeypatch.undo()

    # The bills came out as worked out above.
    totals = dict(Order.unscoped.values_list("pk", "total"))
    assert [str(totals[order.pk]) for order in (a1, a2, a3, a4, b1, b2)] == [
        "1083.60", "500.00", "515.15", "350.00", "997.50", "180.50",
    ]  # fmt: skip
    return {
        "company": company,
        "center": center,
        "harbour": harbour,
        "items": {"cappuccino": cappuccino, "tea": tea, "borscht": borscht, "pie": pie},
        "drinks": drinks,
        "kitchen": kitchen,
        "orders": {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1, "b2": b2},
    }


def _methods(cash=("0.00", "0.00", 0), card=("0.00", "0.00", 0), transfer=("0.00", "0.00", 0)) -> list[dict]:
    return [
        {"method": name, "amount": amount, "tips": tips, "count": count}
        for name, (amount, tips, count) in (("cash", cash), ("card", card), ("transfer", transfer))
    ]


def _refunds(card=("0.00", 0)) -> list[dict]:
    return [
        {"method": "cash", "amount": "0.00", "count": 0},
        {"method": "card", "amount": card[0], "count": card[1]},
        {"method": "transfer", "amount": "0.00", "count": 0},
    ]


def _hours(sales: dict[int, tuple[str, int]]) -> list[dict]:
    """Sales by the branch-local hour: every hour 0–23, ``sales`` {hour: (revenue, orders)}."""
    return [
        {"hour": hour, "revenue": sales.get(hour, ("0.00", 0))[0], "orders": sales.get(hour, ("0.00", 0))[1]}
        for hour in range(24)
    ]


# Paid in local hours: A3 at 15:00 and A1 at 23:59 in Moscow, B1 at 23:59 in New York.
CENTER_HOURS = {15: ("515.15", 1), 23: ("1083.60", 1)}
HARBOUR_HOURS = {23: ("997.50", 1)}
COMPANY_HOURS = {15: ("515.15", 1), 23: ("2081.10", 2)}  # each branch in its own hours


def _top(*rows) -> list[dict]:
    return [
        {"id": str(obj.pk), "name": name, "quantity": quantity, "weight": None, "revenue": revenue}
        for obj, name, quantity, revenue in rows
    ]


def _about(branch) -> dict:
    return {"id": str(branch.pk), "name": branch.name, "timezone": branch.timezone}


def center_day(day) -> dict:
    items = day["items"]
    return {
        "summary": {
            "revenue": "1598.75",
            "orders": 2,
            "average_bill": "799.38",
            "guests": 3,
            "discounts": "112.00",
            "service_charge": "75.60",
            "tips": "50.00",
            "refunds": "350.00",
            "net_revenue": "1248.75",
            "voided_lines": 1,
            "voided_value": "180.50",
            "cancelled_orders": 1,
            "cost_of_goods": "0.00",
            "gross_margin": "1248.75",
        },
        "payments": _methods(cash=("998.75", "0.00", 2), card=("600.00", "50.00", 1)),
        "refunds": _refunds(card=("350.00", 1)),
        "by_hour": _hours(CENTER_HOURS),
        "top_items": _top(
            (items["borscht"], "Borscht", 2, "840.00"),
            (items["cappuccino"], "Cappuccino", 2, "700.00"),
            (items["tea"], "Tea", 1, "95.15"),
        ),
        "top_categories": _top((day["drinks"], "Hot drinks", 3, "795.15"), (day["kitchen"], "Kitchen", 2, "840.00")),
    }


def harbour_day(day) -> dict:
    return {
        "summary": {
            "revenue": "997.50",
            "orders": 1,
            "average_bill": "997.50",
            "guests": 3,
            "discounts": "52.50",
            "service_charge": "0.00",
            "tips": "20.00",
            "refunds": "0.00",
            "net_revenue": "997.50",
            "voided_lines": 0,
            "voided_value": "0.00",
            "cancelled_orders": 0,
            "cost_of_goods": "0.00",
            "gross_margin": "997.50",
        },
        "payments": _methods(card=("997.50", "20.00", 1)),
        "refunds": _refunds(),
        "by_hour": _hours(HARBOUR_HOURS),
        "top_items": _top((day["items"]["cappuccino"], "Cappuccino", 3, "997.50")),
        "top_categories": _top((day["drinks"], "Hot drinks", 3, "997.50")),
    }


def company_day(day) -> dict:
    items = day["items"]
    return {
        "summary": {
            "revenue": "2596.25",
            "orders": 3,
            "average_bill": "865.42",
            "guests": 6,
            "discounts": "164.50",
            "service_charge": "75.60",
            "tips": "70.00",
            "refunds": "350.00",
            "net_revenue": "2246.25",
            "voided_lines": 1,
            "voided_value": "180.50",
            "cancelled_orders": 1,
            "cost_of_goods": "0.00",
            "gross_margin": "2246.25",
        },
        "payments": _methods(cash=("998.75", "0.00", 2), card=("1597.50", "70.00", 2)),
        "refunds": _refunds(card=("350.00", 1)),
        "by_hour": _hours(COMPANY_HOURS),
        "top_items": _top(
            (items["cappuccino"], "Cappuccino", 5, "1697.50"),
            (items["borscht"], "Borscht", 2, "840.00"),
            (items["tea"], "Tea", 1, "95.15"),
        ),
        "top_categories": _top((day["drinks"], "Hot drinks", 6, "1792.65"), (day["kitchen"], "Kitchen", 2, "840.00")),
    }


def test_pickup_numbers_follow_each_branchs_own_day(day):
    a2, b2 = day["orders"]["a2"], day["orders"]["b2"]
    a2.refresh_from_db()
    b2.refresh_from_db()
    assert (a2.pickup_number, a2.pickup_day) == (1, datetime.date(2026, 1, 15))
    assert (b2.pickup_number, b2.pickup_day) == (1, datetime.date(2026, 1, 14))


def test_a_managers_day_is_their_branchs(client_for, day):
    manager = staff_of(day["center"], Role.MANAGER)
    response = client_for(manager).get("/api/cafe/reports/daily/", {"date": "2026-01-15"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "from": "2026-01-15",
        "to": "2026-01-15",
        "branch": _about(day["center"]),
        "totals": center_day(day),
        "branches": [],
    }


def test_an_owner_names_a_branch_in_another_time_zone(client_for, day):
    owner = owner_of(day["company"])
    response = client_for(owner).get(
        "/api/cafe/reports/daily/", {"date": "2026-01-15", "branch": str(day["harbour"].pk)}
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "from": "2026-01-15",
        "to": "2026-01-15",
        "branch": _about(day["harbour"]),
        "totals": harbour_day(day),
        "branches": [],
    }


def test_the_company_day_has_its_totals_and_each_branch(client_for, day):
    admin = UserFactory(role=Role.ADMIN, branch=None, company=day["company"])
    response = client_for(admin).get("/api/cafe/reports/daily/", {"date": "2026-01-15"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "from": "2026-01-15",
        "to": "2026-01-15",
        "branch": None,
        "totals": company_day(day),
        "branches": [
            {"branch": _about(day["center"]), **center_day(day)},
            {"branch": _about(day["harbour"]), **harbour_day(day)},
        ],
    }


def test_the_next_day_and_the_range_of_both(client_for, day):
    manager = staff_of(day["center"], Role.MANAGER)
    client = client_for(manager)
    next_day = client.get("/api/cafe/reports/daily/", {"date": "2026-01-16"}).json()["totals"]
    assert next_day["summary"] == {
        "revenue": "500.00",
        "orders": 1,
        "average_bill": "500.00",
        "guests": 1,
        "discounts": "30.50",
        "service_charge": "0.00",
        "tips": "0.00",
        "refunds": "0.00",
        "net_revenue": "500.00",
        "voided_lines": 0,
        "voided_value": "0.00",
        "cancelled_orders": 0,
        "cost_of_goods": "0.00",
        "gross_margin": "500.00",
    }
    assert next_day["payments"] == _methods(transfer=("500.00", "0.00", 1))
    both = client.get("/api/cafe/reports/range/", {"from": "2026-01-15", "to": "2026-01-16"}).json()
    assert (both["from"], both["to"]) == ("2026-01-15", "2026-01-16")
    items = day["items"]
    assert both["totals"] == {
        "summary": {
            "revenue": "2098.75",  # 1598.75 + 500.00
            "orders": 3,
            "average_bill": "699.58",  # 699.583…
            "guests": 4,
            "discounts": "142.50",  # 112.00 + 30.50
            "service_charge": "75.60",
            "tips": "50.00",
            "refunds": "350.00",
            "net_revenue": "1748.75",
            "voided_lines": 1,
            "voided_value": "180.50",
            "cancelled_orders": 1,
            "cost_of_goods": "0.00",
            "gross_margin": "1748.75",
        },
        "payments": _methods(cash=("998.75", "0.00", 2), card=("600.00", "50.00", 1), transfer=("500.00", "0.00", 1)),
        "refunds": _refunds(card=("350.00", 1)),
        # A2 was paid at 00:00 in Moscow on the 16th.
        "by_hour": _hours({0: ("500.00", 1), **CENTER_HOURS}),
        "top_items": _top(
            (items["cappuccino"], "Cappuccino", 3, "1050.00"),
            (items["borscht"], "Borscht", 2, "840.00"),
            (items["pie"], "Pie", 1, "150.00"),
            (items["tea"], "Tea", 1, "95.15"),
        ),
        "top_categories": _top((day["drinks"], "Hot drinks", 4, "1145.15"), (day["kitchen"], "Kitchen", 3, "990.00")),
    }
    # The 14th in the Center saw nothing (B2 was the 14th only in New York).
    empty = client.get("/api/cafe/reports/daily/", {"date": "2026-01-14"}).json()["totals"]
    assert (empty["summary"]["revenue"], empty["summary"]["orders"], empty["top_items"]) == ("0.00", 0, [])


def test_csv_is_the_same_report_in_sections(client_for, day):
    owner = owner_of(day["company"])
    response = client_for(owner).get("/api/cafe/reports/daily/", {"date": "2026-01-15", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report-daily-2026-01-15-company.csv"'
    i = {name: str(item.pk) for name, item in day["items"].items()}
    drinks, kitchen = str(day["drinks"].pk), str(day["kitchen"].pk)
    assert response.content.decode().split("\r\n") == [
        "report,2026-01-15,2026-01-15",
        "",
        "summary",
        "scope,revenue,orders,average_bill,guests,discounts,service_charge,tips,refunds,net_revenue,"
        "voided_lines,voided_value,cancelled_orders,cost_of_goods,gross_margin",
        "all,2596.25,3,865.42,6,164.50,75.60,70.00,350.00,2246.25,1,180.50,1,0.00,2246.25",
        "Center,1598.75,2,799.38,3,112.00,75.60,50.00,350.00,1248.75,1,180.50,1,0.00,1248.75",
        "Harbour,997.50,1,997.50,3,52.50,0.00,20.00,0.00,997.50,0,0.00,0,0.00,997.50",
        "",
        "payments",
        "scope,method,amount,tips,count",
        "all,cash,998.75,0.00,2",
        "all,card,1597.50,70.00,2",
        "all,transfer,0.00,0.00,0",
        "Center,cash,998.75,0.00,2",
        "Center,card,600.00,50.00,1",
        "Center,transfer,0.00,0.00,0",
        "Harbour,cash,0.00,0.00,0",
        "Harbour,card,997.50,20.00,1",
        "Harbour,transfer,0.00,0.00,0",
        "",
        "refunds",
        "scope,method,amount,count",
        "all,cash,0.00,0",
        "all,card,350.00,1",
        "all,transfer,0.00,0",
        "Center,cash,0.00,0",
        "Center,card,350.00,1",
        "Center,transfer,0.00,0",
        "Harbour,cash,0.00,0",
        "Harbour,card,0.00,0",
        "Harbour,transfer,0.00,0",
        "",
        "by hour",
        "scope,hour,revenue,orders",
        *(
            f"{scope},{row['hour']},{row['revenue']},{row['orders']}"
            for scope, hours in (("all", COMPANY_HOURS), ("Center", CENTER_HOURS), ("Harbour", HARBOUR_HOURS))
            for row in _hours(hours)
        ),
        "",
        "top items",
        "scope,rank,id,name,quantity,revenue,weight_kg",
        f"all,1,{i['cappuccino']},Cappuccino,5,1697.50,",
        f"all,2,{i['borscht']},Borscht,2,840.00,",
        f"all,3,{i['tea']},Tea,1,95.15,",
        f"Center,1,{i['borscht']},Borscht,2,840.00,",
        f"Center,2,{i['cappuccino']},Cappuccino,2,700.00,",
        f"Center,3,{i['tea']},Tea,1,95.15,",
        f"Harbour,1,{i['cappuccino']},Cappuccino,3,997.50,",
        "",
        "top categories",
        "scope,rank,id,name,quantity,revenue,weight_kg",
        f"all,1,{drinks},Hot drinks,6,1792.65,",
        f"all,2,{kitchen},Kitchen,2,840.00,",
        f"Center,1,{drinks},Hot drinks,3,795.15,",
        f"Center,2,{kitchen},Kitchen,2,840.00,",
        f"Harbour,1,{drinks},Hot drinks,3,997.50,",
        "",
    ]


def test_a_branch_range_as_csv_names_its_file(client_for, day):
    manager = staff_of(day["harbour"], Role.MANAGER)
    response = client_for(manager).get(
        "/api/cafe/reports/range/", {"from": "2026-01-14", "to": "2026-01-15", "format": "csv"}
    )
    assert response.status_code == 200
    name = f"report-range-2026-01-14-2026-01-15-{day['harbour'].pk}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    lines = response.content.decode().split("\r\n")
    # B2 (the 14th in New York) and B1 (the 15th): 180.50 + 997.50.
    assert lines[4] == "Harbour,1178.00,2,589.00,4,52.50,0.00,20.00,0.00,1178.00,0,0.00,0,0.00,1178.00"


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
@pytest.mark.parametrize("path", ["daily/?date=2026-01-15", "range/?from=2026-01-15&to=2026-01-15"])
def test_floor_and_kitchen_staff_get_403(client_for, role, path):
    user = staff_of(BranchFactory(), role)
    response = client_for(user).get(f"/api/cafe/reports/{path}", **EN)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only owners, admins and managers may see this."}


def test_a_manager_asking_for_another_branch_gets_400(client_for):
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    other = BranchFactory(company=branch.company)
    response = client_for(manager).get(
        "/api/cafe/reports/daily/", {"date": "2026-01-15", "branch": str(other.pk)}, **EN
    )
    assert response.status_code == 400
    assert response.json() == {"branch": ["Branch not found."]}


def test_another_companys_branch_is_not_found(client_for, day):
    owner = owner_of(BranchFactory().company)
    for path, query in (("daily", {"date": "2026-01-15"}), ("range", {"from": "2026-01-15", "to": "2026-01-15"})):
        response = client_for(owner).get(f"/api/cafe/reports/{path}/", {**query, "branch": str(day["center"].pk)}, **EN)
        assert response.status_code == 400
        assert response.json() == {"branch": ["Branch not found."]}
    # Without a branch an owner sees their own company: empty here, none of ``day``'s money.
    mine = client_for(owner).get("/api/cafe/reports/daily/", {"date": "2026-01-15"}).json()
    assert mine["totals"]["summary"]["revenue"] == "0.00"
    assert [part["branch"]["name"] for part in mine["branches"]] == [owner.company.branches.get().name]


@pytest.mark.parametrize(
    ("path", "query", "errors"),
    [
        ("daily", {}, {"date": ["This field is required."]}),
        (
            "daily",
            {"date": "15.01.2026"},
            {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        ("daily", {"date": "1999-12-31"}, {"date": ["Give a day from 2000-01-01 to 2999-12-31."]}),
        ("daily", {"date": "2026-01-15", "format": "xml"}, {"format": ['"xml" is not a valid choice.']}),
        ("daily", {"date": "2026-01-15", "branch": "nope"}, {"branch": ["Must be a valid UUID."]}),
        ("range", {"to": "2026-01-15"}, {"from": ["This field is required."]}),
        ("range", {"from": "2026-01-15", "to": "2026-01-14"}, {"to": ["The last day comes before the first."]}),
        ("range", {"from": "2025-01-14", "to": "2026-01-15"}, {"to": ["A report covers at most 366 days."]}),
    ],
)
def test_malformed_queries_answer_400_naming_the_field(client_for, path, query, errors):
    manager = staff_of(BranchFactory(), Role.MANAGER)
    response = client_for(manager).get(f"/api/cafe/reports/{path}/", query, **EN)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == errors


def test_a_whole_leap_year_is_allowed(client_for):
    manager = staff_of(BranchFactory(), Role.MANAGER)
    response = client_for(manager).get("/api/cafe/reports/range/", {"from": "2028-01-01", "to": "2028-12-31"})
    assert response.status_code == 200, response.json()


def test_errors_of_a_csv_request_stay_json(client_for):
    waiter = staff_of(BranchFactory())
    response = client_for(waiter).get("/api/cafe/reports/daily/", {"date": "2026-01-15", "format": "csv"}, **EN)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_other_methods_are_not_allowed(client_for):
    manager = staff_of(BranchFactory(), Role.MANAGER)
    client = client_for(manager)
    assert client.post("/api/cafe/reports/daily/?date=2026-01-15").status_code == 405
    assert client.generic("TRACE", "/api/cafe/reports/range/").status_code == 405
    assert client_for(staff_of(BranchFactory())).generic("TRACE", "/api/cafe/reports/daily/").status_code == 403
