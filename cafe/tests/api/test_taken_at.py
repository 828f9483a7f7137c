"""An order taken offline carries the device's time (``taken_at``) beside the
server's (``created_at``), in the answer and the event; bounded and checked."""

import datetime

import pytest
from django.utils import timezone

from cafe.tests.factories import CategoryFactory, MenuItemFactory, TableFactory, logged_messages, staff_of

pytestmark = pytest.mark.django_db


def body(branch, **extra):
    dish = MenuItemFactory(category=CategoryFactory(company=branch.company))
    return {"table": str(TableFactory(branch=branch).pk), "guests": 2,
            "items": [{"menu_item": str(dish.pk), "quantity": 1}], **extra}  # fmt: skip


def test_taken_at_is_kept_beside_created_at_in_the_answer_and_the_event(client_for, branch):
    taken = (timezone.now() - datetime.timedelta(minutes=40)).replace(microsecond=0)
    answer = client_for(staff_of(branch)).post(
        "/api/cafe/orders/", body(branch, taken_at=taken.isoformat()), format="json"
    )
    assert answer.status_code == 201, answer.json()
    order = answer.json()
    assert datetime.datetime.fromisoformat(order["taken_at"]) == taken
    assert order["created_at"] > order["taken_at"]
    [created] = [event for event in logged_messages(branch.company) if event["type"] == "order_created"]
    assert created["data"]["order"]["taken_at"] == order["taken_at"]


def test_an_order_without_taken_at_has_none(client_for, branch):
    answer = client_for(staff_of(branch)).post("/api/cafe/orders/", body(branch), format="json")
    assert answer.status_code == 201
    assert answer.json()["taken_at"] is None


@pytest.mark.parametrize(
    "taken_at",
    [
        "2026-03-14T10:00:00",  # no offset
        "yesterday",
        12345,
        lambda: (timezone.now() + datetime.timedelta(minutes=10)).isoformat(),  # ahead of the server
        lambda: (timezone.now() - datetime.timedelta(hours=25)).isoformat(),  # too old
    ],
)
def test_a_bad_taken_at_answers_400_naming_it(client_for, branch, taken_at):
    value = taken_at() if callable(taken_at) else taken_at
    answer = client_for(staff_of(branch)).post("/api/cafe/orders/", body(branch, taken_at=value), format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["taken_at"]
