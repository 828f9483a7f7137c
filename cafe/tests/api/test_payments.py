"""Paying an order, discounts, the service charge and the even split, through the API
(docs/payments.md): exact answers, rows and events, per role and across tenants."""

from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.bill.models import Payment, Shift
from cafe.bill.services import order_discount_set, order_pay, order_split_even
from cafe.floor.models import TableStatus
from cafe.orders.models import Order, OrderStatus
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    TableFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
)
from core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=7)


@pytest.fixture
def dish(branch):
    return MenuItemFactory(category__company=branch.company, title="Плов", price=Decimal("350.00"))


@pytest.fixture
def order(waiter, table, dish):
    """Two portions of a 350.00 dish: 700.00."""
    return order_for(waiter, table, [(dish, 2)])


@pytest.fixture
def shift(branch):
    return Shift.unscoped.create(company=branch.company, branch=branch, opening_float=Decimal("1000.00"))


@pytest.fixture
def api(client_for, waiter):
    return client_for(waiter)


def url(order, action: str = "pay") -> str:
    return f"/api/cafe/orders/{order.pk}/{action}/"


def pay(client, order, *tenders, tip=None, check=None, lang="en", **headers):
    body: dict = {"tenders": [{"method": method, "amount": amount} for method, amount in tenders]}
    if tip is not None:
        body["tip"] = tip
    if check is not None:
        body["check"] = check
    return client.post(url(order), body, format="json", HTTP_ACCEPT_LANGUAGE=lang, **headers)


def types(company) -> list[str]:
    return [message["type"] for message in logged_messages(company)]


def rows(order) -> list[tuple]:
    return list(
        Payment.unscoped.filter(order=order)
        .order_by("created_at", "id")
        .values_list("method", "amount", "tip", "tendered", "change", "check_number")
    )


def test_cents_that_do_not_add_up_in_floats_are_recorded_exactly(api, waiter, table, branch, shift):
    """508.33 + 10.00 + 81.67 is not 600.00 in floats (SQLite's arithmetic in the
    tendered check); the payment is still taken, to the cent."""
    cheap = MenuItemFactory(category__company=branch.company, title="Ужин", price=Decimal("508.33"))
    order = order_for(waiter, table, [(cheap, 1)])
    response = pay(api, order, ("cash", "600.00"), tip="10.00")
    assert response.status_code == 200, response.json()
    assert rows(order) == [("cash", Decimal("508.33"), Decimal("10.00"), Decimal("600.00"), Decimal("81.67"), None)]


# Paying in full


def test_cash_with_a_tip_closes_the_order_gives_change_and_frees_the_table(api, waiter, order, table, shift):
    # In the server's language, so the answer and the events read the same.
    response = pay(api, order, ("cash", "1000.00"), tip="50.00", lang="ru")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["total"]) == ("closed", "700.00")
    assert body["money"] == {
        "subtotal": "700.00",
        "discounts": "0.00",
        "service_charge_percent": "0.00",
        "service_charge": "0.00",
        "total": "700.00",
        "paid": "700.00",
        "due": "0.00",
        "tips": "50.00",
        "change": "250.00",
        "refunded": "0.00",
    }
    [payment] = body["payments"]
    row = Payment.unscoped.get()
    assert payment == {
        "id": str(row.pk),
        "method": "cash",
        "check": None,
        "amount": "700.00",
        "tip": "50.00",
        "tendered": "1000.00",
        "change": "250.00",
        "shift": str(shift.pk),
        "user": str(waiter.pk),
        "created_at": payment["created_at"],
    }
    assert body["paid_at"] is not None
    assert body["paid_at"] == body["closed_at"]
    order.refresh_from_db()
    assert (order.status, order.paid, order.tips, order.change) == (
        OrderStatus.CLOSED,
        Decimal("700.00"),
        Decimal("50.00"),
        Decimal("250.00"),
    )
    table.refresh_from_db()
    assert table.status == TableStatus.FREE
    messages = logged_messages(waiter.company)
    assert [m["type"] for m in messages[-3:]] == ["order_paid", "order_closed", "table_status_changed"]
    assert messages[-3]["data"]["order"] == body
    assert messages[-2]["data"]["order"] == body
    assert messages[-1]["data"]["status"] == "free"


def test_card_pays_the_bill_first_then_cash_the_rest_the_tip_and_the_change(api, order, shift):
    response = pay(api, order, ("cash", "300.00"), ("card", "500.00"), tip="50.00")

    assert response.status_code == 200, response.json()
    assert rows(order) == [
        ("card", Decimal("500.00"), Decimal("0.00"), Decimal("500.00"), Decimal("0.00"), None),
        ("cash", Decimal("200.00"), Decimal("50.00"), Decimal("300.00"), Decimal("50.00"), None),
    ]
    assert [p["method"] for p in response.json()["payments"]] == ["card", "cash"]
    assert response.json()["money"]["change"] == "50.00"


def test_card_may_carry_the_tip_exactly(api, order):
    response = pay(api, order, ("card", "750.00"), tip="50.00")

    assert response.status_code == 200, response.json()
    assert rows(order) == [("card", Decimal("700.00"), Decimal("50.00"), Decimal("750.00"), Decimal("0.00"), None)]
    # No shift is open: a card payment records none.
    assert response.json()["payments"][0]["shift"] is None


def test_a_card_payment_records_the_open_shift(api, order, shift):
    response = pay(api, order, ("transfer", "700.00"))

    assert response.status_code == 200
    assert response.json()["payments"][0]["shift"] == str(shift.pk)


def test_card_and_transfer_may_not_exceed_what_is_due(api, order, shift):
    response = pay(api, order, ("card", "500.00"), ("transfer", "250.01"), tip="50.00")

    assert response.status_code == 400
    assert response.json() == {
        "tenders": [
            "Card and transfer tenders come to 750.01, more than the 750.00 to pay; "
            "only cash may exceed it (and get change)."
        ]
    }
    assert Payment.unscoped.count() == 0


def test_a_tender_that_pays_nothing_is_refused(api, order, shift):
    response = pay(api, order, ("cash", "100.00"), ("card", "700.00"))

    assert response.status_code == 400
    assert response.json() == {"tenders": {"0": {"amount": ["Not needed: the tenders before it already pay 700.00."]}}}


def test_cash_needs_an_open_shift_of_the_branch(api, order, branch):
    Shift.unscoped.create(company=branch.company, branch=BranchFactory(company=branch.company), opening_float=0)

    response = pay(api, order, ("cash", "700.00"))

    assert response.status_code == 409
    assert response.json() == {"detail": "Cash needs an open shift in this branch: open the till first."}
    order.refresh_from_db()
    assert (order.status, order.paid, Payment.unscoped.count()) == (OrderStatus.OPEN, 0, 0)


# Partial payments


def test_a_partial_payment_keeps_the_order_open_and_the_rest_closes_it(api, waiter, order, table, shift):
    first = pay(api, order, ("card", "320.00"), tip="20.00")

    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["status"] == "open"
    assert {k: body["money"][k] for k in ("paid", "due", "tips", "change")} == {
        "paid": "300.00",
        "due": "400.00",
        "tips": "20.00",
        "change": "0.00",
    }
    assert types(waiter.company)[-1] == "order_updated"
    assert logged_messages(waiter.company)[-1]["data"]["order"]["payments"] == body["payments"]
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY

    second = pay(api, order, ("cash", "500.00"))

    assert second.status_code == 200, second.json()
    assert second.json()["status"] == "closed"
    assert second.json()["money"]["paid"] == "700.00"
    assert second.json()["money"]["change"] == "100.00"
    assert rows(order) == [
        ("card", Decimal("300.00"), Decimal("20.00"), Decimal("320.00"), Decimal("0.00"), None),
        ("cash", Decimal("400.00"), Decimal("0.00"), Decimal("500.00"), Decimal("100.00"), None),
    ]
    assert types(waiter.company)[-3:] == ["order_paid", "order_closed", "table_status_changed"]


def test_a_partial_payment_must_pay_something_beyond_the_tip(api, order):
    response = pay(api, order, ("card", "50.00"), tip="50.00")

    assert response.status_code == 400
    assert response.json() == {"tenders": ["The tenders (50.00) do not pay anything of the bill beyond the 50.00 tip."]}


def test_the_table_stays_busy_while_another_order_is_open(api, waiter, order, table, dish):
    order_for(waiter, table, [(dish, 1)])

    response = pay(api, order, ("card", "700.00"))

    assert response.status_code == 200
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY
    assert types(waiter.company)[-2:] == ["order_paid", "order_closed"]


# Refused payments


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_an_order_that_is_not_open_cannot_be_paid(api, order, status):
    assert api.post(url(order, "close" if status == "closed" else "cancel")).status_code == 200

    response = pay(api, order, ("card", "700.00"))

    assert response.status_code == 409
    assert response.json() == {"detail": f"The order is {status}; only open orders can be paid."}


def test_paying_again_after_it_was_paid_is_409(api, order):
    assert pay(api, order, ("card", "700.00")).status_code == 200

    response = pay(api, order, ("card", "700.00"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The order is closed; only open orders can be paid."}
    assert Payment.unscoped.count() == 1


def test_an_order_whose_void_leaves_nothing_due_is_paid(api, waiter, table):
    """Issue 18: whichever write brings the bill down to what was paid, the order is
    paid then (``cafe.orders.settle``): it used to stay open and close unpaid."""
    soup = MenuItemFactory(category__company=waiter.company, price=Decimal("350.00"))
    order = order_for(waiter, table, [(soup, 1), (soup, 1)])
    assert pay(api, order, ("card", "350.00")).status_code == 200
    line = order.items.last()
    void = api.post(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/void/", {"reason": "wrong"}, format="json")
    assert void.status_code == 200
    assert (void.json()["money"]["due"], void.json()["status"]) == ("0.00", "closed")
    assert void.json()["paid_at"] is not None

    response = pay(api, order, ("card", "1.00"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The order is closed; only open orders can be paid."}
    assert api.post(url(order, "close"), **EN).status_code == 409


def test_nothing_due_on_an_empty_order(api, waiter, table):
    order = order_for(waiter, table, [])

    response = pay(api, order, ("card", "1.00"))

    assert response.status_code == 409
    assert response.json() == {"detail": "Nothing is due: the bill comes to 0.00. Close the order instead."}


def test_a_part_paid_order_is_neither_closed_nor_cancelled(api, order):
    assert pay(api, order, ("card", "100.00")).status_code == 200

    closed = api.post(url(order, "close"), **EN)
    cancelled = api.post(url(order, "cancel"), **EN)

    assert closed.status_code == 409
    assert closed.json() == {"detail": "The order is part paid (100.00 of 700.00): pay the rest or refund it."}
    assert cancelled.status_code == 409
    assert cancelled.json() == {"detail": "The order has payments (100.00); refund them before cancelling it."}
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN


def test_an_unpaid_order_still_closes_as_before(api, order):
    response = api.post(url(order, "close"))

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["money"]["paid"], response.json()["payments"]) == (
        "closed",
        "0.00",
        [],
    )


def test_a_line_change_below_what_was_paid_is_refused(api, order):
    assert pay(api, order, ("card", "500.00")).status_code == 200
    line = order.items.get()

    response = api.patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", {"quantity": 1}, format="json", **EN)

    assert response.status_code == 409
    assert response.json() == {"detail": "The bill would come to 350.00, below the 500.00 already paid; refund first."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tenders": [{"method": "cash", "amount": "-1.00"}]}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "0.00"}]}, "tenders"),
        ({"tenders": [{"method": "cheque", "amount": "1.00"}]}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "1.00"}] * 11}, "tenders"),
        ({"tenders": []}, "tenders"),
        ({}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "1e40"}]}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "99999999999.00"}]}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "1.001"}]}, "tenders"),
        ({"tenders": [{"method": "card", "amount": "1.00"}], "tip": "-1.00"}, "tip"),
        ({"tenders": [{"method": "card", "amount": "1.00"}], "tip": "10000000.01"}, "tip"),
        ({"tenders": [{"method": "card", "amount": "1.00"}], "check": 0}, "check"),
        ({"tenders": [{"method": "card", "amount": "1.00"}], "check": 51}, "check"),
        ({"tenders": "cash"}, "tenders"),
    ],
)
def test_malformed_payments_are_400_naming_the_field(api, order, body, field):
    response = api.post(url(order), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Payment.unscoped.count() == 0


def test_cooks_may_not_pay(client_for, branch, order):
    response = pay(client_for(staff_of(branch, Role.COOK)), order, ("card", "700.00"))

    assert response.status_code == 403
    assert Payment.unscoped.count() == 0


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.MANAGER])
def test_every_order_taking_role_pays(client_for, branch, order, role):
    assert pay(client_for(staff_of(branch, role)), order, ("card", "700.00")).status_code == 200


def test_another_companys_order_is_404(client_for, order):
    stranger = owner_of(BranchFactory().company)

    assert pay(client_for(stranger), order, ("card", "700.00")).status_code == 404
    assert client_for(stranger).get(url(order, "checks")).status_code == 404
    assert Payment.unscoped.count() == 0


def test_another_branchs_waiter_gets_404(client_for, branch, order):
    other = staff_of(BranchFactory(company=branch.company))

    assert pay(client_for(other), order, ("card", "700.00")).status_code == 404


def test_a_retried_payment_answers_the_same_and_pays_once(api, order, shift):
    first = pay(api, order, ("cash", "1000.00"), HTTP_IDEMPOTENCY_KEY="pay-1")
    again = pay(api, order, ("cash", "1000.00"), HTTP_IDEMPOTENCY_KEY="pay-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.unscoped.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert types(order.company).count("order_paid") == 1


# Discounts


def discount(client, order, kind, value, reason="regular guest", line=None, lang="en"):
    path = url(order, "discount") if line is None else f"/api/cafe/orders/{order.pk}/lines/{line.pk}/discount/"
    body = {"kind": kind, "value": value, "reason": reason}
    return client.post(path, body, format="json", HTTP_ACCEPT_LANGUAGE=lang)


def test_an_order_discount_within_the_staff_limit(api, waiter, order):
    response = discount(api, order, "percent", "10.00", lang="ru")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["discount"] == {"kind": "percent", "value": "10.00", "reason": "regular guest", "amount": "70.00"}
    assert (body["money"]["subtotal"], body["money"]["discounts"], body["total"]) == ("700.00", "70.00", "630.00")
    assert types(waiter.company)[-1] == "order_updated"
    assert logged_messages(waiter.company)[-1]["data"]["order"] == body


def test_a_waiters_discount_over_the_limit_is_403_and_a_managers_is_not(client_for, api, branch, order):
    refused = discount(api, order, "percent", "10.01")
    too_much = discount(api, order, "amount", "70.01")

    assert refused.status_code == too_much.status_code == 403
    assert refused.json() == {
        "detail": "A discount above 10% of what it applies to needs a manager, an admin or the owner."
    }
    order.refresh_from_db()
    assert (order.discount_kind, order.total) == ("", Decimal("700.00"))

    manager = discount(client_for(staff_of(branch, Role.MANAGER)), order, "amount", "700.00")
    assert manager.status_code == 200
    assert (manager.json()["total"], manager.json()["discount"]["amount"]) == ("0.00", "700.00")


def test_the_limit_is_the_branchs(api, branch, order):
    branch.staff_discount_limit_percent = Decimal("25.50")
    branch.save()

    assert discount(api, order, "percent", "25.50").status_code == 200
    refused = discount(api, order, "percent", "25.51")
    assert refused.json() == {
        "detail": "A discount above 25.5% of what it applies to needs a manager, an admin or the owner."
    }


def test_an_amount_discount_never_takes_more_than_the_bill(client_for, branch, order):
    manager = client_for(staff_of(branch, Role.MANAGER))

    response = discount(manager, order, "amount", "5000.00")

    assert response.status_code == 200
    assert (response.json()["total"], response.json()["money"]["due"]) == ("0.00", "0.00")


def test_a_new_discount_replaces_the_old_and_delete_removes_it(api, waiter, order):
    discount(api, order, "percent", "10.00")
    replaced = discount(api, order, "amount", "50.00", reason="birthday")
    assert replaced.json()["discount"] == {"kind": "amount", "value": "50.00", "reason": "birthday", "amount": "50.00"}

    removed = api.delete(url(order, "discount"))

    assert removed.status_code == 200
    assert (removed.json()["discount"], removed.json()["total"]) == (None, "700.00")
    count = len(types(waiter.company))
    again = api.delete(url(order, "discount"))
    assert again.status_code == 200
    assert again.json()["total"] == "700.00"
    assert len(types(waiter.company)) == count  # nothing changed, nothing sent


def test_a_line_discount(api, waiter, order):
    line = order.items.get()

    response = discount(api, order, "amount", "70.00", reason="cold", line=line)

    assert response.status_code == 200, response.json()
    [item] = response.json()["items"]
    assert item["discount"] == {"kind": "amount", "value": "70.00", "reason": "cold", "amount": "70.00"}
    assert (item["total"], response.json()["total"], response.json()["money"]["discounts"]) == (
        "630.00",
        "630.00",
        "70.00",
    )
    assert discount(api, order, "amount", "70.01", line=line).status_code == 403

    removed = api.delete(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/discount/")
    assert removed.status_code == 200
    assert (removed.json()["items"][0]["discount"], removed.json()["total"]) == (None, "700.00")


def test_line_and_order_discounts_add_up_and_round_half_up(client_for, branch, waiter, table):
    manager = client_for(staff_of(branch, Role.MANAGER))
    item = MenuItemFactory(category__company=branch.company, price=Decimal("10.05"))
    order = order_for(waiter, table, [(item, 1)])
    line = order.items.get()

    discount(manager, order, "percent", "50.00", line=line)  # 5.025 → 5.03
    response = discount(manager, order, "percent", "10.00")  # of 5.02: 0.502 → 0.50

    assert response.json()["items"][0]["total"] == "5.02"
    assert (response.json()["money"]["discounts"], response.json()["total"]) == ("5.53", "4.52")


def test_a_voided_lines_discount_is_409(api, order):
    line = order.items.get()
    api.post(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/void/", {"reason": "wrong"}, format="json")

    response = discount(api, order, "amount", "1.00", line=line)

    assert response.status_code == 409
    assert response.json() == {"detail": "The line is voided; it cannot change."}


def test_a_discount_below_what_was_paid_is_409(client_for, branch, api, order):
    assert pay(api, order, ("card", "600.00")).status_code == 200

    response = discount(client_for(staff_of(branch, Role.MANAGER)), order, "amount", "200.00")

    assert response.status_code == 409
    assert response.json() == {"detail": "The bill would come to 500.00, below the 600.00 already paid; refund first."}
    order.refresh_from_db()
    assert (order.discount_kind, order.total) == ("", Decimal("700.00"))


def test_a_closed_orders_discount_is_409(api, order):
    api.post(url(order, "close"))

    response = discount(api, order, "percent", "5.00")

    assert response.status_code == 409
    assert response.json() == {"detail": "The order is closed; only open orders can change."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "percent", "value": "100.01", "reason": "x"}, "value"),
        ({"kind": "percent", "value": "0.00", "reason": "x"}, "value"),
        ({"kind": "amount", "value": "-5.00", "reason": "x"}, "value"),
        ({"kind": "amount", "value": "1e30", "reason": "x"}, "value"),
        ({"kind": "share", "value": "5.00", "reason": "x"}, "kind"),
        ({"kind": "amount", "value": "5.00"}, "reason"),
        ({"kind": "amount", "value": "5.00", "reason": ""}, "reason"),
        ({"kind": "amount", "value": "5.00", "reason": "x" * 201}, "reason"),
    ],
)
def test_malformed_discounts_are_400_naming_the_field(api, order, body, field):
    response = api.post(url(order, "discount"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_cooks_may_not_discount(client_for, branch, order):
    cook = client_for(staff_of(branch, Role.COOK))
    line = order.items.get()

    assert discount(cook, order, "percent", "5.00").status_code == 403
    assert discount(cook, order, "percent", "5.00", line=line).status_code == 403
    assert cook.delete(url(order, "discount")).status_code == 403


def test_another_companys_discount_is_404(client_for, order):
    stranger = client_for(owner_of(BranchFactory().company))

    assert discount(stranger, order, "percent", "5.00").status_code == 404
    assert discount(stranger, order, "percent", "5.00", line=order.items.get()).status_code == 404


# Service charge


def test_a_dine_in_order_takes_the_branchs_service_charge_when_it_is_taken(api, branch, table, dish):
    branch.service_charge_percent = Decimal("10.00")
    branch.save()
    body = {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(dish.pk), "quantity": 1}]}

    created = api.post("/api/cafe/orders/", body, format="json").json()

    assert created["money"]["service_charge_percent"] == "10.00"
    assert (created["money"]["service_charge"], created["total"]) == ("35.00", "385.00")

    branch.service_charge_percent = Decimal("20.00")
    branch.save()
    more = api.post(f"/api/cafe/orders/{created['id']}/items/", {"items": body["items"]}, format="json").json()
    # The open order keeps the percent it was taken with.
    assert (more["money"]["service_charge_percent"], more["money"]["service_charge"], more["total"]) == (
        "10.00",
        "70.00",
        "770.00",
    )


def test_the_service_charge_follows_the_order_discount(client_for, branch, table, dish, waiter):
    branch.service_charge_percent = Decimal("12.50")
    branch.save()
    order = order_for(waiter, table, [(dish, 1)])

    response = discount(client_for(staff_of(branch, Role.MANAGER)), order, "amount", "100.01")

    # (350.00 − 100.01) × 12.5% = 31.24875 → 31.25
    assert response.json()["money"]["service_charge"] == "31.25"
    assert response.json()["total"] == "281.24"


# Even split


@pytest.fixture
def thousand(waiter, table, branch):
    item = MenuItemFactory(category__company=branch.company, price=Decimal("1000.00"))
    return order_for(waiter, table, [(item, 1)])


def split(client, order, checks):
    return client.post(url(order, "split-even"), {"checks": checks}, format="json", **EN)


def test_an_even_split_divides_the_cents_to_the_first_checks(api, waiter, thousand):
    response = split(api, thousand, 3)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert list(body) == ["order", "checks"]
    assert body["order"]["split_checks"] == 3
    assert body["checks"] == [
        {"check": 1, "amount": "333.34", "paid": False},
        {"check": 2, "amount": "333.33", "paid": False},
        {"check": 3, "amount": "333.33", "paid": False},
    ]
    assert types(waiter.company)[-1] == "order_updated"
    assert logged_messages(waiter.company)[-1]["data"]["order"]["split_checks"] == 3
    assert api.get(url(thousand, "checks"), **EN).json() == body


def test_each_check_is_paid_on_its_own_and_the_last_closes_the_order(api, waiter, thousand, table, dish, shift):
    split(api, thousand, 3)

    first = pay(api, thousand, ("card", "333.34"), check=1)
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "open"
    assert first.json()["payments"][0]["check"] == 1
    assert types(waiter.company)[-1] == "order_updated"

    # More on the bill after a check was paid: the unpaid checks share what is left.
    lines = {"items": [{"menu_item": str(dish.pk), "quantity": 1}]}
    assert api.post(f"/api/cafe/orders/{thousand.pk}/items/", lines, format="json").status_code == 201
    checks = api.get(url(thousand, "checks")).json()["checks"]
    assert checks == [
        {"check": 1, "amount": "333.34", "paid": True},
        {"check": 2, "amount": "508.33", "paid": False},
        {"check": 3, "amount": "508.33", "paid": False},
    ]

    again = pay(api, thousand, ("card", "333.34"), check=1)
    assert again.status_code == 409
    assert again.json() == {"detail": "Check 1 is already paid."}
    short = pay(api, thousand, ("card", "500.00"), check=2)
    assert short.status_code == 400
    assert short.json() == {"tenders": ["Check 2 comes to 508.33 with the tip; the tenders cover 500.00."]}
    unnamed = pay(api, thousand, ("card", "508.33"))
    assert unnamed.status_code == 400
    assert unnamed.json() == {"check": ["The bill is split into 3 checks: name the check paid."]}
    beyond = pay(api, thousand, ("card", "508.33"), check=4)
    assert beyond.json() == {"check": ["The bill is split into 3 checks; there is no check 4."]}

    # (Sums that add up in binary too: SQLite checks tendered = amount + tip + change in floats.)
    assert pay(api, thousand, ("cash", "600.00"), tip="1.67", check=3).status_code == 200
    last = pay(api, thousand, ("transfer", "508.33"), check=2)

    assert last.status_code == 200, last.json()
    assert last.json()["status"] == "closed"
    assert last.json()["money"]["paid"] == "1350.00"
    assert (last.json()["money"]["change"], last.json()["money"]["tips"]) == ("90.00", "1.67")
    assert rows(thousand) == [
        ("card", Decimal("333.34"), Decimal("0.00"), Decimal("333.34"), Decimal("0.00"), 1),
        ("cash", Decimal("508.33"), Decimal("1.67"), Decimal("600.00"), Decimal("90.00"), 3),
        ("transfer", Decimal("508.33"), Decimal("0.00"), Decimal("508.33"), Decimal("0.00"), 2),
    ]
    assert types(waiter.company)[-3:] == ["order_paid", "order_closed", "table_status_changed"]
    assert api.get(url(thousand, "checks")).json()["checks"] == [
        {"check": 1, "amount": "333.34", "paid": True},
        {"check": 2, "amount": "508.33", "paid": True},
        {"check": 3, "amount": "508.33", "paid": True},
    ]


def test_the_split_changes_until_a_check_is_paid(api, thousand):
    assert split(api, thousand, 2).json()["checks"][0]["amount"] == "500.00"
    undone = api.delete(url(thousand, "split-even"))
    assert undone.status_code == 200
    assert undone.json() == {"order": undone.json()["order"], "checks": []}
    assert undone.json()["order"]["split_checks"] is None
    split(api, thousand, 4)
    pay(api, thousand, ("card", "250.00"), check=4)

    changed = split(api, thousand, 5)
    undo = api.post(url(thousand, "split-even"), {"checks": None}, format="json", **EN)

    assert changed.status_code == undo.status_code == 409
    assert undo.json() == {"detail": "A check of this order is already paid; its split can no longer change."}
    thousand.refresh_from_db()
    assert thousand.split_checks == 4


def test_a_split_after_a_partial_payment_divides_what_is_due(api, thousand):
    pay(api, thousand, ("card", "100.00"))

    assert [c["amount"] for c in split(api, thousand, 4).json()["checks"]] == ["225.00"] * 4


def test_a_check_without_a_split_is_400(api, order):
    response = pay(api, order, ("card", "700.00"), check=1)

    assert response.status_code == 400
    assert response.json() == {"check": ["The bill is not split into checks."]}


@pytest.mark.parametrize("checks", [1, 51, 0, -2, "two", 2.5])
def test_the_number_of_checks_is_2_to_50(api, thousand, checks):
    response = split(api, thousand, checks)

    assert response.status_code == 400
    assert list(response.json()) == ["checks"]


def test_no_split_of_a_closed_or_an_empty_order(api, waiter, table, thousand):
    empty = order_for(waiter, table, [])
    assert split(api, empty, 2).json() == {"detail": "Nothing is due on this order; there is nothing to split."}
    api.post(url(thousand, "close"))
    assert split(api, thousand, 2).status_code == 409


def test_checks_are_read_by_everyone_and_split_by_everyone_but_cooks(client_for, branch, thousand):
    cook = client_for(staff_of(branch, Role.COOK))

    assert cook.get(url(thousand, "checks")).json()["checks"] == []
    assert split(cook, thousand, 2).status_code == 403
    assert cook.delete(url(thousand, "split-even")).status_code == 403
    assert split(client_for(staff_of(BranchFactory(company=branch.company))), thousand, 2).status_code == 404


# Branch settings


def branch_url(branch) -> str:
    return f"/api/users/branches/{branch.pk}/"


def test_an_owner_changes_a_branchs_settings(client_for, branch):
    owner = client_for(owner_of(branch.company))
    body = {
        "name": "Riverside",
        "address": "1 Quay St",
        "timezone": "Europe/Moscow",
        "service_charge_percent": "12.50",
        "staff_discount_limit_percent": "15.00",
    }

    response = owner.patch(branch_url(branch), body, format="json")

    assert response.status_code == 200, response.json()
    booking = {
        "booking_duration": 120,
        "booking_buffer": 15,
        "booking_step": 15,
        "booking_lead": 60,
        "booking_grace": 20,
    }
    assert response.json() == {"id": str(branch.pk), "company": str(branch.company_id), **body, **booking}
    branch.refresh_from_db()
    assert (branch.timezone, branch.service_charge_percent, branch.staff_discount_limit_percent) == (
        "Europe/Moscow",
        Decimal("12.50"),
        Decimal("15.00"),
    )
    assert owner.get(branch_url(branch)).json() == response.json()
    partial = owner.patch(branch_url(branch), {"service_charge_percent": "0"}, format="json").json()
    assert (partial["service_charge_percent"], partial["timezone"], partial["name"]) == (
        "0.00",
        "Europe/Moscow",
        "Riverside",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"service_charge_percent": "100.01"}, "service_charge_percent"),
        ({"service_charge_percent": "-1"}, "service_charge_percent"),
        ({"staff_discount_limit_percent": "101"}, "staff_discount_limit_percent"),
        ({"staff_discount_limit_percent": "1e9"}, "staff_discount_limit_percent"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_branch_settings_are_400_naming_the_field(client_for, branch, body, field):
    response = client_for(owner_of(branch.company)).patch(branch_url(branch), body, format="json", **EN)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if field == "timezone" and body["timezone"]:
        assert response.json() == {"timezone": ["Unknown time zone: use an IANA name such as Europe/Moscow."]}


def test_a_branch_name_stays_unique(client_for, branch):
    BranchFactory(company=branch.company, name="Taken")

    response = client_for(owner_of(branch.company)).patch(branch_url(branch), {"name": "Taken"}, format="json", **EN)

    assert response.status_code == 400
    assert response.json() == {"name": ["A branch with this name already exists."]}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WAITER, Role.CASHIER, Role.COOK])
def test_only_owners_and_admins_change_branches(client_for, branch, role):
    response = client_for(staff_of(branch, role)).patch(branch_url(branch), {"name": "Mine"}, format="json")

    assert response.status_code == 403


def test_another_companys_branch_is_404(client_for, branch):
    response = client_for(owner_of(BranchFactory().company)).patch(branch_url(branch), {"name": "Mine"}, format="json")

    assert response.status_code == 404
    branch.refresh_from_db()
    assert branch.name != "Mine"


def test_services_compose_for_a_whole_evening(waiter, branch, table, dish, shift):
    """A discount, a split in two, a check by card and one in cash with a tip, all through the services."""
    tenant = tenant_for(waiter)
    order = order_for(waiter, table, [(dish, 3)])  # 1050.00
    order_discount_set(tenant=tenant, order_id=order.pk, kind="amount", value=Decimal("50.00"), reason="r")
    order, checks = order_split_even(tenant=tenant, order_id=order.pk, checks=2)
    assert [c.amount for c in checks] == [Decimal("500.00"), Decimal("500.00")]
    order_pay(tenant=tenant, order_id=order.pk, tenders=[{"method": "card", "amount": Decimal(500)}], check=1)
    paid = order_pay(
        tenant=tenant,
        order_id=order.pk,
        tenders=[{"method": "cash", "amount": Decimal(600)}],
        tip=Decimal(20),
        check=2,
    )
    assert (paid.status, paid.paid, paid.tips, paid.change) == ("closed", 1000, 20, 80)
    assert Order.unscoped.get(pk=order.pk).paid_at is not None
