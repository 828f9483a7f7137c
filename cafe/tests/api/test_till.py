"""The till's REST edges: cash shifts (open, current, cash in/out, close, X and Z
reports) and refunds — exact answers, the expected-cash and refund formulas, roles,
events, idempotency, and nothing across tenants."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.bill.models import CashMovement, Refund, Shift
from cafe.orders.models import Order, OrderItem, OrderStatus
from cafe.orders.money import recalculate
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    TableFactory,
    logged_messages,
    open_shift,
    order_for,
    owner_of,
    paid,
    staff_of,
)
from core.models import IdempotencyKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """Clients that read answers in English (the default language is Russian)."""

    def make(user):
        client = client_for(user)
        client.credentials(**client._credentials, HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


@pytest.fixture
def cashier(branch):
    return staff_of(branch, Role.CASHIER)


@pytest.fixture
def manager(branch):
    return staff_of(branch, Role.MANAGER)


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=4)


@pytest.fixture
def coffee(branch):
    return MenuItemFactory(category__company=branch.company, title="Coffee", price=Decimal("350.00"))


@pytest.fixture
def cake(branch):
    return MenuItemFactory(category__company=branch.company, title="Cake", price=Decimal("200.00"))


def at(value) -> str:
    """A time as the API writes it."""
    return value.isoformat().replace("+00:00", "Z")


def shift_body(shift: Shift) -> dict:
    shift = Shift.unscoped.get(pk=shift.pk)

    def cash(value):
        return None if value is None else f"{value:.2f}"

    return {
        "id": str(shift.pk),
        "branch": str(shift.branch_id),
        "status": "open" if shift.closed_at is None else "closed",
        "opened_by": str(shift.opened_by_id) if shift.opened_by_id else None,
        "opened_at": at(shift.opened_at),
        "opening_float": f"{shift.opening_float:.2f}",
        "closed_by": str(shift.closed_by_id) if shift.closed_by_id else None,
        "closed_at": at(shift.closed_at) if shift.closed_at else None,
        "expected_cash": cash(shift.expected_cash),
        "counted_cash": cash(shift.counted_cash),
        "difference": cash(shift.difference),
    }


def open_via_api(client_for, user, **body):
    response = client_for(user).post("/api/cafe/shifts/", {"opening_float": "5000.00", **body}, format="json")
    assert response.status_code == 201, response.json()
    return Shift.unscoped.get(pk=response.json()["id"])


# Opening


def test_cashier_opens_a_shift_in_their_branch(client_for, cashier, branch):
    response = client_for(cashier).post("/api/cafe/shifts/", {"opening_float": "5000.00"}, format="json")
    assert response.status_code == 201, response.json()
    shift = Shift.unscoped.get()
    assert response.json() == shift_body(shift)
    assert (response.json()["status"], shift.branch_id, shift.opened_by_id) == ("open", branch.pk, cashier.pk)
    assert response.json()["opening_float"] == "5000.00"
    [event] = logged_messages(branch.company)
    assert event["type"] == "shift_opened"
    assert event["data"] == {
        "shift": response.json(),
        "company_id": str(branch.company_id),
        "branch_id": str(branch.pk),
    }


def test_a_second_open_shift_in_the_branch_conflicts(client_for, cashier, manager, branch):
    first = open_via_api(client_for, cashier)
    again = client_for(manager).post("/api/cafe/shifts/", {"opening_float": "100.00"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "This branch already has an open shift; close it first.", "shift": str(first.pk)}
    assert Shift.unscoped.count() == 1
    # Another branch opens its own.
    owner = owner_of(branch.company)
    other = BranchFactory(company=branch.company)
    assert open_via_api(client_for, owner, branch=str(other.pk)).branch_id == other.pk


def test_the_database_holds_one_open_shift_per_branch(branch):
    """The rule is the partial unique index, not only the service's check."""
    from django.db import IntegrityError, transaction

    open_shift(branch)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.unscoped.create(company=branch.company, branch=branch, opening_float=0)


def test_who_opens_where(client_for, branch, waiter):
    owner = owner_of(branch.company)
    foreign = BranchFactory()
    other = BranchFactory(company=branch.company)
    api = client_for(owner)
    assert api.post("/api/cafe/shifts/", {"opening_float": "1.00"}, format="json").json() == {
        "branch": ["This field is required."]
    }
    answer = api.post("/api/cafe/shifts/", {"opening_float": "1.00", "branch": str(foreign.pk)}, format="json")
    assert (answer.status_code, answer.json()) == (400, {"branch": ["Branch not found."]})
    manager = staff_of(branch, Role.MANAGER)
    answer = client_for(manager).post(
        "/api/cafe/shifts/", {"opening_float": "1.00", "branch": str(other.pk)}, format="json"
    )
    assert (answer.status_code, answer.json()) == (400, {"branch": ["Branch not found."]})
    for role in (Role.WAITER, Role.COOK):
        refused = client_for(staff_of(branch, role)).post("/api/cafe/shifts/", {"opening_float": "1.00"}, format="json")
        assert refused.status_code == 403
        assert refused.json() == {"detail": "Only owners, admins, managers and cashiers may change this."}
    assert Shift.unscoped.count() == 0


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"opening_float": ["This field is required."]}),
        ({"opening_float": "-1.00"}, {"opening_float": ["Ensure this value is greater than or equal to 0."]}),
        ({"opening_float": "1.001"}, {"opening_float": ["Ensure that there are no more than 2 decimal places."]}),
        (
            {"opening_float": "10000000.01"},
            {"opening_float": ["Ensure this value is less than or equal to 10000000.00."]},
        ),
    ],
)
def test_opening_checks_the_float(client_for, cashier, body, errors):
    response = client_for(cashier).post("/api/cafe/shifts/", body, format="json")
    assert (response.status_code, response.json()) == (400, errors)


def test_opening_is_idempotent(client_for, cashier, branch):
    api = client_for(cashier)
    first = api.post("/api/cafe/shifts/", {"opening_float": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = api.post("/api/cafe/shifts/", {"opening_float": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Shift.unscoped.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert [m["type"] for m in logged_messages(branch.company)] == ["shift_opened"]


# Reading


def test_waiters_read_the_current_shift_and_cooks_do_not(client_for, branch, waiter, cashier):
    api = client_for(waiter)
    missing = api.get("/api/cafe/shifts/current/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    shift = open_via_api(client_for, cashier)
    assert api.get("/api/cafe/shifts/current/").json() == shift_body(shift)
    assert api.get(f"/api/cafe/shifts/{shift.pk}/").json() == shift_body(shift)
    assert api.get("/api/cafe/shifts/").json()["results"] == [shift_body(shift)]
    cook = client_for(staff_of(branch, Role.COOK))
    for path in ("/api/cafe/shifts/", "/api/cafe/shifts/current/", f"/api/cafe/shifts/{shift.pk}/"):
        refused = cook.get(path)
        assert refused.status_code == 403
        assert refused.json() == {"detail": "Only owners, admins, managers, waiters and cashiers may see this."}
    # The money is the till's: waiters do not read the movements or the report.
    for path in (f"/api/cafe/shifts/{shift.pk}/cash/", f"/api/cafe/shifts/{shift.pk}/report/"):
        assert api.get(path).status_code == 403


def test_owner_names_the_branch_of_the_current_shift(client_for, branch, cashier):
    owner = owner_of(branch.company)
    api = client_for(owner)
    assert api.get("/api/cafe/shifts/current/").json() == {"branch": ["This field is required."]}
    shift = open_via_api(client_for, cashier)
    assert api.get(f"/api/cafe/shifts/current/?branch={branch.pk}").json()["id"] == str(shift.pk)
    foreign = BranchFactory()
    answer = api.get(f"/api/cafe/shifts/current/?branch={foreign.pk}")
    assert (answer.status_code, answer.json()) == (400, {"branch": ["Branch not found."]})
    other = BranchFactory(company=branch.company)
    assert api.get(f"/api/cafe/shifts/current/?branch={other.pk}").status_code == 404


def test_list_newest_first_filtered_by_status_and_branch(client_for, branch, cashier):
    owner = owner_of(branch.company)
    other = BranchFactory(company=branch.company)
    first = open_via_api(client_for, cashier)
    client_for(cashier).post(f"/api/cafe/shifts/{first.pk}/close/", {"counted_cash": "5000.00"}, format="json")
    second = open_via_api(client_for, cashier)
    there = open_via_api(client_for, owner, branch=str(other.pk))
    api = client_for(owner)

    def ids(query=""):
        return [row["id"] for row in api.get(f"/api/cafe/shifts/{query}").json()["results"]]

    assert ids() == [str(there.pk), str(second.pk), str(first.pk)]
    assert ids("?status=open") == [str(there.pk), str(second.pk)]
    assert ids("?status=closed") == [str(first.pk)]
    assert ids(f"?branch={branch.pk}") == [str(second.pk), str(first.pk)]
    assert ids(f"?branch={other.pk}&status=closed") == []
    assert api.get("/api/cafe/shifts/?status=gone").json() == {"status": ['"gone" is not a valid choice.']}
    # The cashier sees their branch only.
    assert [row["id"] for row in client_for(cashier).get("/api/cafe/shifts/").json()["results"]] == [
        str(second.pk),
        str(first.pk),
    ]


def test_shifts_of_other_tenants_are_404(client_for, branch, cashier):
    foreign = open_shift(BranchFactory())
    other_branch = open_shift(BranchFactory(company=branch.company))
    api = client_for(cashier)
    for shift in (foreign, other_branch):
        for path in ("", "cash/", "report/"):
            assert api.get(f"/api/cafe/shifts/{shift.pk}/{path}").status_code == 404
        move = {"kind": "in", "amount": "1.00", "reason": "x"}
        assert api.post(f"/api/cafe/shifts/{shift.pk}/cash/", move, format="json").status_code == 404
        assert api.post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "0"}, format="json").status_code == 404
    assert api.get("/api/cafe/shifts/").json()["count"] == 0
    assert CashMovement.unscoped.count() == 0
    assert Shift.unscoped.filter(closed_at__isnull=False).count() == 0
    stranger = owner_of(BranchFactory().company)
    assert client_for(stranger).get(f"/api/cafe/shifts/{other_branch.pk}/").status_code == 404


# Cash in and out


def test_cash_in_and_out_with_a_reason(client_for, cashier, branch):
    shift = open_via_api(client_for, cashier)
    api = client_for(cashier)
    url = f"/api/cafe/shifts/{shift.pk}/cash/"
    put = api.post(url, {"kind": "in", "amount": "350.00", "reason": "Change from the bank"}, format="json")
    assert put.status_code == 201, put.json()
    movement = CashMovement.unscoped.get()
    assert put.json() == {
        "id": str(movement.pk),
        "shift": str(shift.pk),
        "kind": "in",
        "amount": "350.00",
        "reason": "Change from the bank",
        "user": str(cashier.pk),
        "created_at": at(movement.created_at),
    }
    taken = api.post(url, {"kind": "out", "amount": "5350.00", "reason": "To the safe"}, format="json")
    assert taken.status_code == 201
    assert [row["amount"] for row in api.get(url).json()] == ["350.00", "5350.00"]
    assert api.post(url, {"kind": "in", "amount": "1.00"}, format="json").json() == {
        "reason": ["This field is required."]
    }
    assert api.post(url, {"kind": "up", "amount": "0.00", "reason": "x"}, format="json").json() == {
        "kind": ['"up" is not a valid choice.'],
        "amount": ["Ensure this value is greater than or equal to 0.01."],
    }
    # Nothing is sent on the sockets for cash movements.
    assert [m["type"] for m in logged_messages(branch.company)] == ["shift_opened"]


def test_cash_out_beyond_the_drawer_conflicts(client_for, cashier, waiter, table, coffee):
    shift = open_via_api(client_for, cashier, opening_float="100.00")
    paid(order_for(waiter, table, [(coffee, 1)]), "cash", tip="20.00", change="30.00")
    api = client_for(cashier)
    url = f"/api/cafe/shifts/{shift.pk}/cash/"
    # The drawer: 100 + 350 + 20 (the tip; the 30 change went back) = 470.
    refused = api.post(url, {"kind": "out", "amount": "470.01", "reason": "Safe"}, format="json")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "The drawer should hold only 470.00 in cash; it cannot give out more.",
        "expected_cash": "470.00",
    }
    assert api.post(url, {"kind": "out", "amount": "470.00", "reason": "Safe"}, format="json").status_code == 201


def test_cash_moves_on_open_shifts_only_and_not_by_waiters(client_for, cashier, waiter):
    shift = open_via_api(client_for, cashier)
    body = {"kind": "in", "amount": "1.00", "reason": "x"}
    assert client_for(waiter).post(f"/api/cafe/shifts/{shift.pk}/cash/", body, format="json").status_code == 403
    client_for(cashier).post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "5000.00"}, format="json")
    closed = client_for(cashier).post(f"/api/cafe/shifts/{shift.pk}/cash/", body, format="json")
    assert (closed.status_code, closed.json()) == (409, {"detail": "The shift is closed."})
    assert CashMovement.unscoped.count() == 0


# Closing and the reports


def _day(client_for, branch, cashier, manager, waiter, table, coffee, cake):
    """A shift with every kind of movement; returns the shift and the hand-computed cash."""
    shift = open_via_api(client_for, cashier, opening_float="5000.00")
    # 1. Two coffees (700.00) in cash: 1000 tendered, a 50.00 tip, 250.00 change.
    first = paid(order_for(waiter, table, [(coffee, 2)]), "cash", tip="50.00", change="250.00")
    # 2. A cake (200.00) by card with a 20.00 tip.
    second = paid(order_for(waiter, table, [(cake, 1)]), "card", tip="20.00")
    # 3. Coffee and cake (550.00): 300.00 by transfer, then 250.00 in cash.
    third = order_for(waiter, table, [(coffee, 1), (cake, 1)])
    paid(third, "transfer", amount="300.00")
    paid(third, "cash")
    # 4. An open order with a voided cake line (200.00), not paid.
    fourth = order_for(waiter, table, [(cake, 1), (coffee, 1)])
    client_for(waiter).post(
        f"/api/cafe/orders/{fourth.pk}/lines/{fourth.items.get(menu_item=cake).pk}/void/",
        {"reason": "x"},
        format="json",
    )
    # A cash refund of one coffee of the first order, a card refund of the cake.
    api = client_for(manager)
    line = first.items.get()
    assert (
        api.post(
            f"/api/cafe/orders/{first.pk}/refund/",
            {"method": "cash", "reason": "Cold", "lines": [{"line": str(line.pk), "quantity": 1}]},
            format="json",
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/api/cafe/orders/{second.pk}/refund/", {"method": "card", "reason": "Dry"}, format="json"
        ).status_code
        == 201
    )
    moves = client_for(cashier)
    moves.post(
        f"/api/cafe/shifts/{shift.pk}/cash/", {"kind": "in", "amount": "500.00", "reason": "Coins"}, format="json"
    )
    moves.post(
        f"/api/cafe/shifts/{shift.pk}/cash/", {"kind": "out", "amount": "1000.00", "reason": "Safe"}, format="json"
    )
    # 5000 + (700 + 50) + 250 − 350 + 500 − 1000 = 5150.
    return shift, Decimal("5150.00")


def test_close_records_expected_counted_and_difference(
    client_for, branch, cashier, manager, waiter, table, coffee, cake
):
    shift, expected = _day(client_for, branch, cashier, manager, waiter, table, coffee, cake)
    assert expected == Decimal("5150.00")
    api = client_for(cashier)
    response = api.post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "5100.00"}, format="json")
    assert response.status_code == 200, response.json()
    shift.refresh_from_db()
    assert response.json() == shift_body(shift)
    assert (response.json()["status"], response.json()["closed_by"]) == ("closed", str(cashier.pk))
    assert response.json()["expected_cash"] == "5150.00"
    assert response.json()["counted_cash"] == "5100.00"
    assert response.json()["difference"] == "-50.00"
    last = logged_messages(branch.company)[-1]
    assert (last["type"], last["data"]["shift"]) == ("shift_closed", response.json())
    again = api.post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "5100.00"}, format="json")
    assert (again.status_code, again.json()) == (409, {"detail": "The shift is closed."})
    # The open order stays open; its cash payment now needs the next shift.
    assert Order.unscoped.filter(status=OrderStatus.OPEN).count() == 1


def test_x_report_so_far_and_z_report_at_close(client_for, branch, cashier, manager, waiter, table, coffee, cake):
    shift, _ = _day(client_for, branch, cashier, manager, waiter, table, coffee, cake)
    api = client_for(cashier)
    x = api.get(f"/api/cafe/shifts/{shift.pk}/report/")
    assert x.status_code == 200, x.json()
    shift.refresh_from_db()
    same = {
        "shift": str(shift.pk),
        "branch": str(branch.pk),
        "opened_by": str(cashier.pk),
        "opened_at": at(shift.opened_at),
        "opening_float": "5000.00",
        "payments": [
            {"method": "cash", "count": 2, "amount": "950.00", "tips": "50.00"},
            {"method": "card", "count": 1, "amount": "200.00", "tips": "20.00"},
            {"method": "transfer", "count": 1, "amount": "300.00", "tips": "0.00"},
        ],
        "refunds": [
            {"method": "cash", "count": 1, "amount": "350.00"},
            {"method": "card", "count": 1, "amount": "200.00"},
            {"method": "transfer", "count": 0, "amount": "0.00"},
        ],
        "sales": "1450.00",
        "tips": "70.00",
        "refunded": "550.00",
        "net": "900.00",
        "cash_taken": "1000.00",
        "cash_refunded": "350.00",
        "cash_in": "500.00",
        "cash_out": "1000.00",
        "expected_cash": "5150.00",
        "orders_paid": 3,
        "discounts": "0.00",
        "service_charge": "0.00",
        "voids": {"count": 1, "portions": 1, "amount": "200.00"},
    }
    assert x.json() == {
        "kind": "x",
        "status": "open",
        "closed_by": None,
        "closed_at": None,
        "counted_cash": None,
        "difference": None,
        **same,
    }
    api.post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "5200.00"}, format="json")
    shift.refresh_from_db()
    # After the close nothing more counts in it: a payment now finds no open shift.
    paid(order_for(waiter, table, [(cake, 1)]), "card")
    z = api.get(f"/api/cafe/shifts/{shift.pk}/report/")
    assert z.json() == {
        "kind": "z",
        "status": "closed",
        "closed_by": str(cashier.pk),
        "closed_at": at(shift.closed_at),
        "counted_cash": "5200.00",
        "difference": "50.00",
        **same,
    }
    assert client_for(owner_of(branch.company)).get(f"/api/cafe/shifts/{shift.pk}/report/").json() == z.json()


def test_report_counts_discounts_and_service_charge_of_orders_paid(client_for, branch, cashier, waiter, table, coffee):
    shift = open_via_api(client_for, cashier)
    order = _discounted(order_for(waiter, table, [(coffee, 2)]), percent="10", service="5")
    paid(order, "card")
    report = client_for(cashier).get(f"/api/cafe/shifts/{shift.pk}/report/").json()
    # 700 − 70 = 630; service 5% = 31.50; total 661.50.
    assert (report["orders_paid"], report["discounts"], report["service_charge"]) == (1, "70.00", "31.50")
    assert report["payments"][1] == {"method": "card", "count": 1, "amount": "661.50", "tips": "0.00"}


def test_closing_is_idempotent_and_not_for_waiters(client_for, cashier, waiter, branch):
    shift = open_via_api(client_for, cashier)
    refused = client_for(waiter).post(f"/api/cafe/shifts/{shift.pk}/close/", {"counted_cash": "1.00"}, format="json")
    assert refused.status_code == 403
    api = client_for(cashier)
    url = f"/api/cafe/shifts/{shift.pk}/close/"
    first = api.post(url, {"counted_cash": "4990.00"}, format="json", HTTP_IDEMPOTENCY_KEY="close-1")
    again = api.post(url, {"counted_cash": "4990.00"}, format="json", HTTP_IDEMPOTENCY_KEY="close-1")
    assert (first.status_code, again.status_code, again.json()) == (200, 200, first.json())
    assert first.json()["difference"] == "-10.00"
    assert [m["type"] for m in logged_messages(branch.company)] == ["shift_opened", "shift_closed"]
    assert api.post(url, {}, format="json").json() == {"counted_cash": ["This field is required."]}


# Refunds


def _discounted(order: Order, *, percent: str, service: str) -> Order:
    """The order with an order discount (percent) and a service charge, its bill recalculated."""
    order = Order.unscoped.get(pk=order.pk)
    order.discount_kind, order.discount_value, order.discount_reason = "percent", Decimal(percent), "Regular"
    order.service_charge_percent = Decimal(service)
    recalculate(order, OrderItem.unscoped.filter(order=order))
    order.save()
    return order


def refund(client_for, user, order, **body):
    payload = {"method": "card", "reason": "Cold", **body}
    return client_for(user).post(f"/api/cafe/orders/{order.pk}/refund/", payload, format="json")


def test_whole_refund_gives_back_the_bill_not_the_tip(client_for, manager, waiter, table, coffee, cake, branch):
    order = paid(order_for(waiter, table, [(coffee, 2), (cake, 1)]), "card", tip="90.00")
    response = refund(client_for, manager, order, reason="Wrong table")
    assert response.status_code == 201, response.json()
    body = response.json()
    row = Refund.unscoped.get()
    assert body["money"]["paid"] == "900.00"
    assert body["money"]["refunded"] == "900.00"
    assert body["money"]["tips"] == "90.00"
    assert body["status"] == "closed"
    lines = {line.menu_item_id: line for line in OrderItem.unscoped.filter(order=order)}
    assert body["refunds"] == [
        {
            "id": str(row.pk),
            "method": "card",
            "amount": "900.00",
            "reason": "Wrong table",
            "lines": [
                {"line": str(lines[coffee.pk].pk), "quantity": 2, "amount": "700.00"},
                {"line": str(lines[cake.pk].pk), "quantity": 1, "amount": "200.00"},
            ],
            "shift": None,
            "user": str(manager.pk),
            "created_at": at(row.created_at),
        }
    ]
    assert [line["refunded_quantity"] for line in body["items"]] == [2, 1]
    event = logged_messages(branch.company)[-1]
    assert event["type"] == "order_refunded"
    # Events are written in the server's language (Russian here): only the label differs.
    assert event["data"] == {
        "order": {**body, "status_display": "Закрыт"},
        "company_id": str(branch.company_id),
        "branch_id": str(branch.pk),
    }
    again = refund(client_for, manager, order)
    assert (again.status_code, again.json()) == (409, {"detail": "The order has been refunded in full."})


def test_line_refunds_carry_the_order_discount_and_service_charge(client_for, manager, waiter, table, branch):
    soup = MenuItemFactory(category__company=branch.company, price=Decimal("115.00"))
    tea = MenuItemFactory(category__company=branch.company, price=Decimal("155.00"))
    order = _discounted(order_for(waiter, table, [(soup, 3), (tea, 1)]), percent="3", service="10")
    # 345 + 155 = 500; − 3% = 485; + 10% service = 48.50: 533.50.
    assert (order.subtotal, order.total) == (Decimal("500.00"), Decimal("533.50"))
    order = paid(order, "card")
    soup_line, tea_line = (
        OrderItem.unscoped.get(order=order, menu_item=soup),
        OrderItem.unscoped.get(order=order, menu_item=tea),
    )
    one = refund(client_for, manager, order, lines=[{"line": str(soup_line.pk), "quantity": 1}])
    assert one.status_code == 201, one.json()
    # 345 / 3 × 1 × 533.50 / 500 = 122.705 → 122.71 (half-up).
    assert one.json()["refunds"][0]["amount"] == "122.71"
    assert one.json()["refunds"][0]["lines"] == [{"line": str(soup_line.pk), "quantity": 1, "amount": "122.71"}]
    # The rest: 2 soups 245.41 + a tea 165.385 → 165.39 = 410.80, one cent over the
    # 410.79 left, which comes off the last line.
    rest = refund(client_for, manager, order)
    assert rest.status_code == 201, rest.json()
    assert rest.json()["refunds"][1]["amount"] == "410.79"
    assert rest.json()["refunds"][1]["lines"] == [
        {"line": str(soup_line.pk), "quantity": 2, "amount": "245.41"},
        {"line": str(tea_line.pk), "quantity": 1, "amount": "165.38"},
    ]
    assert rest.json()["money"]["refunded"] == "533.50"


def test_line_refund_is_capped_by_what_is_left(client_for, manager, waiter, table, coffee):
    order = paid(order_for(waiter, table, [(coffee, 2)]), "card")
    line = order.items.get()
    assert refund(client_for, manager, order, amount="500.00").status_code == 201
    capped = refund(client_for, manager, order, lines=[{"line": str(line.pk), "quantity": 1}])
    assert capped.status_code == 201, capped.json()
    assert capped.json()["refunds"][1]["amount"] == "200.00"
    assert capped.json()["refunds"][1]["lines"] == [{"line": str(line.pk), "quantity": 1, "amount": "200.00"}]
    assert capped.json()["money"]["refunded"] == "700.00"
    assert capped.json()["items"][0]["refunded_quantity"] == 1


def test_a_sum_never_exceeds_what_is_left(client_for, manager, waiter, table, coffee):
    order = paid(order_for(waiter, table, [(coffee, 2)]), "card")
    too_much = refund(client_for, manager, order, amount="700.01")
    assert too_much.status_code == 409
    assert too_much.json() == {"detail": "At most 700.00 of this order can still be refunded.", "refundable": "700.00"}
    assert refund(client_for, manager, order, amount="300.00").status_code == 201
    assert refund(client_for, manager, order, amount="400.01").json()["refundable"] == "400.00"
    done = refund(client_for, manager, order, amount="400.00")
    assert done.json()["money"]["refunded"] == "700.00"
    assert done.json()["items"][0]["refunded_quantity"] == 0  # a sum gives back no portions
    assert Refund.unscoped.count() == 2


def test_refund_lines_are_checked(client_for, manager, waiter, table, coffee, cake, branch):
    order = order_for(waiter, table, [(coffee, 2), (cake, 1)])
    cake_line = order.items.get(menu_item=cake)
    client_for(waiter).post(f"/api/cafe/orders/{order.pk}/lines/{cake_line.pk}/void/", {"reason": "x"}, format="json")
    order = paid(order, "card")
    coffee_line = order.items.get(menu_item=coffee)
    stranger_line = order_for(waiter, table, [(coffee, 1)]).items.get()

    def lines(*rows):
        return refund(client_for, manager, order, lines=[{"line": str(pk), "quantity": n} for pk, n in rows])

    assert lines((stranger_line.pk, 1)).json() == {"lines": {"0": {"line": ["Line not found on this order."]}}}
    assert lines((coffee_line.pk, 1), (coffee_line.pk, 1)).json() == {
        "lines": {"1": {"line": ["Name each line once."]}}
    }
    voided = lines((cake_line.pk, 1))
    assert (voided.status_code, voided.json()) == (409, {"detail": "The line Cake is voided; it was never paid."})
    over = lines((coffee_line.pk, 3))
    assert (over.status_code, over.json()) == (409, {"detail": "Only 2 portions of Coffee can still be refunded."})
    assert lines((coffee_line.pk, 2)).status_code == 201
    assert lines((coffee_line.pk, 1)).json() == {"detail": "The order has been refunded in full."}
    both = refund(client_for, manager, order, amount="1.00", lines=[{"line": str(coffee_line.pk), "quantity": 1}])
    assert (both.status_code, both.json()) == (400, {"amount": ["Send lines or an amount, not both."]})
    bad = refund(client_for, manager, order, method="cheque", reason="", lines=[])
    assert bad.json() == {
        "method": ['"cheque" is not a valid choice.'],
        "reason": ["This field may not be blank."],
        "lines": {"non_field_errors": ["This list may not be empty."]},
    }
    assert Refund.unscoped.count() == 1


def test_only_closed_paid_orders_are_refunded(client_for, manager, waiter, table, coffee):
    open_order = order_for(waiter, table, [(coffee, 2)])
    part_paid = paid(order_for(waiter, table, [(coffee, 2)]), "card", amount="100.00")
    closed_unpaid = order_for(waiter, table, [(coffee, 1)])
    client_for(waiter).post(f"/api/cafe/orders/{closed_unpaid.pk}/close/")
    for order in (open_order, part_paid, closed_unpaid):
        answer = refund(client_for, manager, order)
        assert (answer.status_code, answer.json()) == (409, {"detail": "Only closed, paid orders can be refunded."})
    assert Refund.unscoped.count() == 0


def test_cash_refund_needs_an_open_shift_with_the_cash(client_for, manager, cashier, waiter, table, coffee, branch):
    order = paid(order_for(waiter, table, [(coffee, 2)]), "card")
    no_shift = refund(client_for, manager, order, method="cash")
    assert (no_shift.status_code, no_shift.json()) == (
        409,
        {"detail": "A cash refund needs an open shift in the branch."},
    )
    shift = open_via_api(client_for, cashier, opening_float="100.00")
    short = refund(client_for, manager, order, method="cash")
    assert (short.status_code, short.json()) == (
        409,
        {"detail": "The drawer should hold only 100.00 in cash; it cannot give out more.", "expected_cash": "100.00"},
    )
    done = refund(client_for, manager, order, method="cash", amount="100.00")
    assert done.status_code == 201
    assert done.json()["refunds"][0]["shift"] == str(shift.pk)
    # A card refund records the open shift too.
    card = refund(client_for, manager, order, method="card")
    assert card.json()["refunds"][1]["shift"] == str(shift.pk)
    assert card.json()["refunds"][1]["amount"] == "600.00"


def test_refunds_are_for_managers_and_above(client_for, branch, waiter, table, coffee, manager):
    order = paid(order_for(waiter, table, [(coffee, 1)]), "card")
    for role in (Role.WAITER, Role.CASHIER, Role.COOK):
        answer = refund(client_for, staff_of(branch, role), order)
        assert answer.status_code == 403
        assert answer.json() == {"detail": "Only owners, admins and managers may change this."}
    other_manager = staff_of(BranchFactory(company=branch.company), Role.MANAGER)
    assert refund(client_for, other_manager, order).status_code == 404
    assert refund(client_for, owner_of(BranchFactory().company), order).status_code == 404
    assert Refund.unscoped.count() == 0
    assert refund(client_for, owner_of(branch.company), order).status_code == 201


def test_refund_is_idempotent(client_for, manager, waiter, table, coffee, branch):
    order = paid(order_for(waiter, table, [(coffee, 2)]), "card")
    api = client_for(manager)
    body = {"method": "card", "reason": "Cold", "amount": "100.00"}
    first = api.post(f"/api/cafe/orders/{order.pk}/refund/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    again = api.post(f"/api/cafe/orders/{order.pk}/refund/", body, format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert Refund.unscoped.count() == 1
    assert Order.unscoped.get(pk=order.pk).refunded == Decimal("100.00")
    assert [m["type"] for m in logged_messages(branch.company)].count("order_refunded") == 1


def test_refund_shows_in_the_order_answer_and_list(client_for, manager, waiter, table, coffee):
    order = paid(order_for(waiter, table, [(coffee, 1)]), "card")
    refund(client_for, manager, order, amount="50.00")
    shown = client_for(waiter).get(f"/api/cafe/orders/{order.pk}/").json()
    assert [(r["amount"], r["reason"]) for r in shown["refunds"]] == [("50.00", "Cold")]
    assert shown["money"]["refunded"] == "50.00"
