"""The bill's rules that hold whichever write got the order there (cafe.orders.settle,
docs/payments.md): an order whose payments cover its bill is paid, and the staff
discount limit holds on the bill as it stands after every change. Each test is the
attack that found the hole (issue 18), through the API."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.bill.models import Shift
from cafe.floor.models import TableStatus
from cafe.orders.models import OrderStatus
from cafe.tests.factories import MenuItemFactory, TableFactory, logged_messages, order_for, staff_of

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIMIT = (
    "After this change the discounts would take {share}% off the bill, above the 10% staff limit: "
    "a manager, an admin or the owner must make it."
)


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=7)


@pytest.fixture
def manager(branch):
    return staff_of(branch, Role.MANAGER)


def post(client, order, action, body=None):
    return client.post(f"/api/cafe/orders/{order.pk}/{action}/", body or {}, format="json", **EN)


def patch_line(client, order, line, body):
    return client.patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", body, format="json", **EN)


def types(company) -> list[str]:
    return [message["type"] for message in logged_messages(company)]


# A bill brought down to what was paid is a paid order.


@pytest.fixture
def part_paid(client_for, waiter, table, branch):
    """Order 360.00 (a 300.00 dish and a 60.00 side), 300.00 paid by card."""
    dish = MenuItemFactory(category__company=branch.company, price=Decimal("300.00"))
    side = MenuItemFactory(category__company=branch.company, price=Decimal("60.00"))
    order = order_for(waiter, table, [(dish, 1), (side, 1)])
    answer = post(client_for(waiter), order, "pay", {"tenders": [{"method": "card", "amount": "300.00"}]})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["money"]["due"] == "60.00"
    return order


@pytest.mark.parametrize("how", ["discount", "void"])
def test_a_bill_brought_down_to_what_was_paid_is_paid(client_for, manager, part_paid, table, how, branch):
    api = client_for(manager)
    before = len(types(branch.company))
    if how == "discount":
        answer = post(api, part_paid, "discount", {"kind": "amount", "value": "60.00", "reason": "late"})
    else:
        side = part_paid.items.get(price=Decimal("60.00"))
        answer = post(api, part_paid, f"lines/{side.pk}/void", {"reason": "never came"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["status"], body["money"]["total"], body["money"]["paid"], body["money"]["due"]) == (
        "closed",
        "300.00",
        "300.00",
        "0.00",
    )
    assert body["paid_at"] is not None
    assert body["paid_at"] == body["closed_at"]
    assert types(branch.company)[before:] == ["order_paid", "order_closed", "table_status_changed"]
    table.refresh_from_db()
    assert table.status == TableStatus.FREE
    answer = post(api, part_paid, "close")
    assert answer.status_code == 409
    assert answer.json() == {"detail": "The order is closed; only open orders can be closed or cancelled."}


@pytest.fixture
def shift(branch):
    return Shift.unscoped.create(company=branch.company, branch=branch, opening_float=Decimal("0.00"))


def test_such_an_order_counts_in_the_daily_report_and_its_shift(client_for, manager, branch, shift, part_paid):
    api = client_for(manager)
    assert post(api, part_paid, "discount", {"kind": "amount", "value": "60.00", "reason": "late"}).status_code == 200
    part_paid.refresh_from_db()
    day = part_paid.paid_at.date().isoformat()
    report = api.get(f"/api/cafe/reports/daily/?date={day}&branch={branch.pk}", **EN).json()
    assert (report["totals"]["summary"]["revenue"], report["totals"]["summary"]["orders"]) == ("300.00", 1)
    x = api.get(f"/api/cafe/shifts/{shift.pk}/report/", **EN).json()
    assert x["orders_paid"] == 1


# The staff discount limit holds on the bill as it stands.


@pytest.fixture
def teas(waiter, table, branch):
    """Ten teas at 3.50: 35.00; the branch's staff limit is 10% (3.50)."""
    branch.staff_discount_limit_percent = Decimal("10.00")
    branch.save()
    tea = MenuItemFactory(category__company=branch.company, price=Decimal("3.50"))
    return order_for(waiter, table, [(tea, 10)])


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER])
@pytest.mark.parametrize("discount", ["order", "line"])
def test_the_staff_limit_cannot_be_beaten_by_cutting_the_quantity_afterwards(client_for, branch, teas, role, discount):
    api = client_for(staff_of(branch, role))
    line = teas.items.get()
    where = "discount" if discount == "order" else f"lines/{line.pk}/discount"
    answer = post(api, teas, where, {"kind": "amount", "value": "3.50", "reason": "regular"})
    assert answer.status_code == 200, answer.json()  # exactly the 10% limit
    answer = patch_line(api, teas, line, {"quantity": 1, "reason": "changed their mind"})
    assert answer.status_code == 403, answer.json()
    assert answer.json() == {"detail": LIMIT.format(share="100.00")}
    teas.refresh_from_db()
    assert (teas.status, teas.total) == (OrderStatus.OPEN, Decimal("31.50"))
    assert teas.items.get(pk=line.pk).quantity == 10  # nothing changed


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER])
def test_the_staff_limit_cannot_be_beaten_by_voiding_lines_afterwards(client_for, branch, waiter, table, role):
    """Ten lines of one tea, an order discount of 3.50 (10%), then nine voids."""
    branch.staff_discount_limit_percent = Decimal("10.00")
    branch.save()
    tea = MenuItemFactory(category__company=branch.company, price=Decimal("3.50"))
    order = order_for(waiter, table, [(tea, 1)] * 10)
    api = client_for(staff_of(branch, role))
    assert post(api, order, "discount", {"kind": "amount", "value": "3.50", "reason": "r"}).status_code == 200
    line = order.items.order_by("created_at", "id").first()
    answer = post(api, order, f"lines/{line.pk}/void", {"reason": "spilt"})
    assert answer.status_code == 403, answer.json()
    assert answer.json() == {"detail": LIMIT.format(share="11.11")}  # 3.50 of 31.50
    line.refresh_from_db()
    assert line.voided_at is None


def test_a_manager_may_make_the_same_change(client_for, branch, teas, manager, waiter):
    line = teas.items.get()
    assert (
        post(client_for(waiter), teas, "discount", {"kind": "amount", "value": "3.50", "reason": "r"}).status_code
        == 200
    )
    answer = patch_line(client_for(manager), teas, line, {"quantity": 1, "reason": "changed their mind"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["money"]["total"] == "0.00"


def test_stacked_line_and_order_discounts_count_together(client_for, branch, teas, waiter):
    api = client_for(waiter)
    line = teas.items.get()
    assert (
        post(api, teas, f"lines/{line.pk}/discount", {"kind": "percent", "value": "10.00", "reason": "r"}).status_code
        == 200
    )
    answer = post(api, teas, "discount", {"kind": "percent", "value": "10.00", "reason": "r"})
    assert answer.status_code == 403, answer.json()
    assert answer.json() == {"detail": LIMIT.format(share="19.00")}


def test_more_lines_under_a_managers_discount_are_still_taken_by_staff(client_for, branch, teas, manager, waiter):
    """A manager's 50% stays 50% of a bigger bill: the share does not grow, so a waiter may add to it."""
    assert (
        post(client_for(manager), teas, "discount", {"kind": "percent", "value": "50.00", "reason": "r"}).status_code
        == 200
    )
    extra = MenuItemFactory(category__company=branch.company, price=Decimal("3.50"))
    answer = post(client_for(waiter), teas, "items", {"items": [{"menu_item": str(extra.pk), "quantity": 2}]})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["money"]["total"] == "21.00"
