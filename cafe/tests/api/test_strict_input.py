"""Sums and days a client sends are plain ASCII, as a client means them (issue 18):
each spelling below used to be accepted — ``decimal.Decimal`` and Django's date
parsing take underscores, signs, spaces, exponents and any script's digits. Every one
answers 400 naming its field, and changes nothing."""

import json
from decimal import Decimal

import pytest

from accounts.models import Branch, Role
from cafe.bill.models import Payment
from cafe.menu.models import MenuItem
from cafe.orders.models import Order, OrderStatus
from cafe.tests.factories import CategoryFactory, MenuItemFactory, TableFactory, order_for, staff_of

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOT_PLAIN = "Send a plain number: digits 0-9, an optional minus and at most two decimal places, such as 350.00."
NOT_A_DAY = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
TOO_PRECISE = "Ensure that there are no more than 2 decimal places."

# Strings; each is a number to decimal.Decimal.
AMOUNTS = ["1_000", "+5", " 5 ", "5 ", "1e2", "1E2", "５", "٥", "۵", "५", "5\n", "0x10", "5.", ".5", "Infinity", "NaN"]
# JSON numbers, as written in the body.
JSON_AMOUNTS = {
    "7e2": NOT_PLAIN,
    "7.0E+2": NOT_PLAIN,
    "700.001": TOO_PRECISE,
    # A float would have made it 700.0.
    "699.999999999999999999": "Ensure that there are no more than 12 digits in total.",
}
DAYS = ["2026-1-15", "2026-01-5", "２０２６-01-15", "٢٠٢٦-01-15", "2026-01-15\n", " 2026-01-15", "20260115"]
DAYS += ["2026-W03-4", "2026-02-30"]


@pytest.fixture
def order(waiter, branch):
    dish = MenuItemFactory(category__company=branch.company, price=Decimal("350.00"))
    return order_for(waiter, TableFactory(branch=branch), [(dish, 2)])


def pay(client, order, body: str):
    return client.post(f"/api/cafe/orders/{order.pk}/pay/", body, content_type="application/json", **EN)


@pytest.mark.parametrize("amount", AMOUNTS)
def test_a_tender_amount_that_is_not_plain_digits_is_400(client_for, waiter, order, amount):
    body = json.dumps({"tenders": [{"method": "card", "amount": amount}]})
    response = pay(client_for(waiter), order, body)
    assert (response.status_code, response.json()) == (400, {"tenders": {"0": {"amount": [NOT_PLAIN]}}})
    assert Payment.unscoped.count() == 0


@pytest.mark.parametrize(("number", "message"), JSON_AMOUNTS.items())
def test_a_json_number_is_checked_as_written(client_for, waiter, order, number, message):
    body = '{"tenders": [{"method": "card", "amount": NUMBER}]}'.replace("NUMBER", number)
    response = pay(client_for(waiter), order, body)
    assert (response.status_code, response.json()) == (400, {"tenders": {"0": {"amount": [message]}}})
    assert Payment.unscoped.count() == 0


@pytest.mark.parametrize("tip", ["+1", "1e1", "１"])
def test_a_tip_that_is_not_plain_digits_is_400(client_for, waiter, order, tip):
    body = json.dumps({"tenders": [{"method": "card", "amount": "700.00"}], "tip": tip})
    response = pay(client_for(waiter), order, body)
    assert (response.status_code, response.json()) == (400, {"tip": [NOT_PLAIN]})


def test_what_clients_send_is_accepted(client_for, waiter, order):
    """Strings with none, one or two decimals, and JSON integers and fractions."""
    body = '{"tenders": [{"method": "card", "amount": 300}, {"method": "card", "amount": 299.5},'
    body += ' {"method": "card", "amount": "0.5"}, {"method": "card", "amount": "100"}], "tip": "0"}'
    response = pay(client_for(waiter), order, body)
    assert response.status_code == 200, response.json()
    assert sorted(Payment.unscoped.values_list("amount", flat=True)) == [
        Decimal("0.50"),
        Decimal("100.00"),
        Decimal("299.50"),
        Decimal("300.00"),
    ]
    assert Order.unscoped.get(pk=order.pk).status == OrderStatus.CLOSED


@pytest.mark.parametrize("price", AMOUNTS)
def test_a_menu_price_that_is_not_plain_digits_is_400(client_for, branch, price):
    owner = staff_of(branch, Role.OWNER)
    category = CategoryFactory(company=branch.company)
    body = {"category": str(category.pk), "title": "Soup", "price": price}
    response = client_for(owner).post("/api/cafe/menu-items/", body, format="json", **EN)
    assert (response.status_code, response.json()) == (400, {"price": [NOT_PLAIN]})
    assert not MenuItem.unscoped.filter(title="Soup").exists()


def test_a_negative_zero_price_is_zero(client_for, branch):
    owner = staff_of(branch, Role.OWNER)
    category = CategoryFactory(company=branch.company)
    body = {"category": str(category.pk), "title": "Water", "price": "-0.00"}
    response = client_for(owner).post("/api/cafe/menu-items/", body, format="json", **EN)
    assert (response.status_code, response.json()["price"]) == (201, "0.00")


@pytest.mark.parametrize("percent", ["1e1", "+10", "１０", "10 "])
def test_a_branch_percent_that_is_not_plain_digits_is_400(client_for, branch, percent):
    owner = staff_of(branch, Role.OWNER)
    response = client_for(owner).patch(
        f"/api/users/branches/{branch.pk}/", {"service_charge_percent": percent}, format="json", **EN
    )
    assert (response.status_code, response.json()) == (400, {"service_charge_percent": [NOT_PLAIN]})
    assert Branch.unscoped.get(pk=branch.pk).service_charge_percent == 0


@pytest.mark.parametrize("day", DAYS)
def test_a_report_day_that_is_not_yyyy_mm_dd_is_400(client_for, branch, day):
    manager = staff_of(branch, Role.MANAGER)
    response = client_for(manager).get("/api/cafe/reports/daily/", {"date": day}, **EN)
    assert (response.status_code, response.json()) == (400, {"date": [NOT_A_DAY]})
    response = client_for(manager).get("/api/cafe/reports/range/", {"from": day, "to": "2026-01-20"}, **EN)
    assert (response.status_code, response.json()) == (400, {"from": [NOT_A_DAY]})


def test_a_plain_report_day_is_served(client_for, branch):
    manager = staff_of(branch, Role.MANAGER)
    response = client_for(manager).get("/api/cafe/reports/daily/", {"date": "2026-01-15"}, **EN)
    assert response.status_code == 200
    assert response.json()["from"] == response.json()["to"] == "2026-01-15"
