"""Takeaway orders through the API: the body, who names the branch, the answers
for malformed input, the list filter."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.guests.models import Guest
from cafe.orders.models import Order, PickupCounter
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    logged_messages,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
INVALID_PHONE = "Enter a valid phone number: + and the country code, or a number of the default region (RU)."


@pytest.fixture
def dish(branch):
    return station_dish(StationFactory(branch=branch), title="Soup", price=Decimal("350.00"))


def body(dish, **fields) -> dict:
    return {"service": "takeaway", "items": [{"menu_item": str(dish.pk), "quantity": 2}], **fields}


def test_a_cashier_takes_a_takeaway_order_in_their_branch(client_for, branch, dish):
    # The branch's service charge is for dine-in orders only.
    branch.service_charge_percent = Decimal("10")
    branch.save()
    cashier = staff_of(branch, Role.CASHIER)
    response = client_for(cashier).post(
        "/api/cafe/orders/", body(dish, customer_name="Anna", customer_phone="+7 900 123-45-67"), format="json"
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    order = Order.unscoped.get()
    assert {key: answer[key] for key in ("id", "branch", "service", "table", "table_number", "guests")} == {
        "id": str(order.pk),
        "branch": str(branch.pk),
        "service": "takeaway",
        "table": None,
        "table_number": None,
        "guests": 1,
    }
    # Stored in E.164, linked to the guest it found or added, shown masked to every role.
    assert (answer["customer_name"], answer["customer_phone"], answer["pickup_number"]) == (
        "Anna",
        "+7 *** ***-**-67",
        1,
    )
    guest = Guest.unscoped.get()
    assert (order.customer_phone, answer["guest"], guest.phone, guest.name) == (
        "+79001234567",
        str(guest.pk),
        "+79001234567",
        "Anna",
    )
    assert answer["money"]["service_charge_percent"] == "0.00"
    assert (answer["money"]["service_charge"], answer["total"]) == ("0.00", "700.00")
    assert [m["type"] for m in logged_messages(branch.company)] == ["order_created"] + ["kitchen_task_created"] * 2


def test_owners_name_the_branch_and_numbers_are_per_branch(client_for, branch, dish):
    owner = owner_of(branch.company)
    other = BranchFactory(company=branch.company)
    client = client_for(owner)
    here = [client.post("/api/cafe/orders/", body(dish, branch=str(branch.pk)), format="json") for _ in range(2)]
    there = client.post(
        "/api/cafe/orders/", {"service": "takeaway", "branch": str(other.pk), "guests": 3}, format="json"
    )
    assert [r.json()["pickup_number"] for r in here] == [1, 2]
    assert (there.status_code, there.json()["pickup_number"], there.json()["guests"]) == (201, 1, 3)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"table": "{table}"}, {"table": ["A takeaway order has no table."]}),
        ({"customer_phone": "call me"}, {"customer_phone": [INVALID_PHONE]}),
        ({"customer_phone": "+7 900 12"}, {"customer_phone": [INVALID_PHONE]}),
        ({"customer_phone": "1" * 33}, {"customer_phone": ["Ensure this field has no more than 32 characters."]}),
        ({"customer_name": "x" * 121}, {"customer_name": ["Ensure this field has no more than 120 characters."]}),
        ({"service": "delivery"}, {"service": ['"delivery" is not a valid choice.']}),
        ({"guests": 0}, {"guests": ["Ensure this value is greater than or equal to 1."]}),
    ],
)
def test_malformed_takeaway_answers_400_naming_the_field(client_for, branch, dish, fields, errors):
    table = TableFactory(branch=branch)
    fields = {key: value.replace("{table}", str(table.pk)) if isinstance(value, str) else value
              for key, value in fields.items()}  # fmt: skip
    response = client_for(staff_of(branch)).post("/api/cafe/orders/", body(dish, **fields), format="json", **EN)
    assert response.status_code == 400
    assert response.json() == errors
    assert Order.unscoped.count() == 0
    assert PickupCounter.unscoped.count() == 0


def test_company_wide_users_must_name_the_branch(client_for, branch, dish):
    response = client_for(owner_of(branch.company)).post("/api/cafe/orders/", body(dish), format="json", **EN)
    assert response.status_code == 400
    assert response.json() == {"branch": ["This field is required."]}


def test_branch_staff_cannot_name_another_branch(client_for, branch, dish):
    other = BranchFactory(company=branch.company)
    response = client_for(staff_of(branch)).post(
        "/api/cafe/orders/", body(dish, branch=str(other.pk)), format="json", **EN
    )
    assert response.status_code == 400
    assert response.json() == {"branch": ["Branch not found."]}


def test_dine_in_still_needs_its_table_and_guests_and_takes_no_branch(client_for, branch, dish):
    client = client_for(staff_of(branch))
    empty = client.post("/api/cafe/orders/", {}, format="json", **EN)
    assert (empty.status_code, empty.json()) == (
        400,
        {"table": ["This field is required."], "guests": ["This field is required."]},
    )
    table = TableFactory(branch=branch)
    named = client.post(
        "/api/cafe/orders/",
        {"service": "dine_in", "table": str(table.pk), "guests": 2, "branch": str(branch.pk)},
        format="json",
        **EN,
    )
    assert (named.status_code, named.json()) == (400, {"branch": ["Only for takeaway orders."]})


def test_the_list_filters_by_service(client_for, branch, dish):
    waiter = staff_of(branch)
    seated = order_for(waiter, TableFactory(branch=branch), [(MenuItemFactory(category__company=branch.company), 1)])
    client = client_for(waiter)
    to_go = client.post("/api/cafe/orders/", body(dish), format="json").json()
    takeaway = client.get("/api/cafe/orders/", {"service": "takeaway"}).json()["results"]
    dine_in = client.get("/api/cafe/orders/", {"service": "dine_in"}).json()["results"]
    assert [o["id"] for o in takeaway] == [to_go["id"]]
    assert [o["id"] for o in dine_in] == [str(seated.pk)]
    bad = client.get("/api/cafe/orders/", {"service": "delivery"}, **EN)
    assert (bad.status_code, bad.json()) == (400, {"service": ['"delivery" is not a valid choice.']})


def test_a_takeaway_order_is_closed_and_read_like_any_other(client_for, branch, dish):
    waiter = staff_of(branch)
    client = client_for(waiter)
    order = client.post("/api/cafe/orders/", body(dish), format="json").json()
    closed = client.post(f"/api/cafe/orders/{order['id']}/close/", format="json")
    assert (closed.status_code, closed.json()["status"], closed.json()["table"]) == (200, "closed", None)
    tasks = client.get("/api/cafe/kitchen/tasks/", {"order": order["id"]}).json()["results"]
    assert [(t["service"], t["pickup_number"], t["table_number"]) for t in tasks] == [("takeaway", 1, None)] * 2
