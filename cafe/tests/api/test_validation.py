"""Bad input answers 4xx JSON naming the field, never a 500, and writes nothing."""

import uuid
from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.floor.models import Table
from cafe.menu.models import Category, MenuItem
from cafe.orders.models import Order, OrderItem
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
    staff_of,
)
from core.models import IdempotencyKey
from realtime.models import Event

pytestmark = pytest.mark.django_db

MISSING = str(uuid.UUID(int=1))


def counts() -> dict:
    return {
        model.__name__: model._default_manager.count()
        for model in (Order, OrderItem, Event, Table, Category, MenuItem, IdempotencyKey)
    }


@pytest.fixture
def world():
    branch = BranchFactory()
    other_branch = BranchFactory(company=branch.company)
    stranger_branch = BranchFactory()
    category = CategoryFactory(company=branch.company)
    return {
        "branch": branch,
        "waiter": staff_of(branch),
        "manager": staff_of(branch, role=Role.MANAGER),
        "owner": owner_of(branch.company),
        "table": TableFactory(branch=branch, number=1),
        "dish": MenuItemFactory(category=category, price=Decimal("350.00")),
        "category": category,
        "other_branch": other_branch,
        "other_branch_table": TableFactory(branch=other_branch),
        "other_branch_dish": MenuItemFactory(category=category, branch=other_branch),
        "stranger_table": TableFactory(branch=stranger_branch),
        "stranger_dish": MenuItemFactory(category__company=stranger_branch.company),
        "stranger_branch": stranger_branch,
        "stranger_category": CategoryFactory(company=stranger_branch.company),
    }


def assert_error(response, status: int, field: str | None, before: dict) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if field is not None:
        assert field in body, body
        assert body[field], body
    assert counts() == before
    return body


# Orders: create

ORDER_CASES = {
    "missing table": ({"guests": 2}, "table"),
    "missing guests": ({"table": "{table}"}, "guests"),
    "table not uuid": ({"table": "abc", "guests": 2}, "table"),
    "table int": ({"table": 5, "guests": 2}, "table"),
    "table null": ({"table": None, "guests": 2}, "table"),
    "table list": ({"table": ["{table}"], "guests": 2}, "table"),
    "table unknown": ({"table": MISSING, "guests": 2}, "table"),
    "table other company": ({"table": "{stranger_table}", "guests": 2}, "table"),
    "table other branch": ({"table": "{other_branch_table}", "guests": 2}, "table"),
    "guests 0": ({"table": "{table}", "guests": 0}, "guests"),
    "guests negative": ({"table": "{table}", "guests": -3}, "guests"),
    "guests huge": ({"table": "{table}", "guests": 10**12}, "guests"),
    "guests text": ({"table": "{table}", "guests": "two"}, "guests"),
    "guests float": ({"table": "{table}", "guests": 2.5}, "guests"),
    "guests null": ({"table": "{table}", "guests": None}, "guests"),
    "guests object": ({"table": "{table}", "guests": {"n": 2}}, "guests"),
    "items not list": ({"table": "{table}", "guests": 2, "items": "abc"}, "items"),
    "items object": ({"table": "{table}", "guests": 2, "items": {"menu_item": "{dish}"}}, "items"),
    "items null": ({"table": "{table}", "guests": 2, "items": None}, "items"),
    "item not object": ({"table": "{table}", "guests": 2, "items": [1]}, "items"),
    "item missing menu_item": ({"table": "{table}", "guests": 2, "items": [{"quantity": 1}]}, "items"),
    "item missing quantity": ({"table": "{table}", "guests": 2, "items": [{"menu_item": "{dish}"}]}, "items"),
    "menu_item not uuid": ({"table": "{table}", "guests": 2, "items": [{"menu_item": "x", "quantity": 1}]}, "items"),
    "menu_item unknown": ({"table": "{table}", "guests": 2, "items": [{"menu_item": MISSING, "quantity": 1}]}, "items"),
    "menu_item other company": (
        {"table": "{table}", "guests": 2, "items": [{"menu_item": "{stranger_dish}", "quantity": 1}]},
        "items",
    ),
    "menu_item other branch": (
        {"table": "{table}", "guests": 2, "items": [{"menu_item": "{other_branch_dish}", "quantity": 1}]},
        "items",
    ),
    "quantity 0": ({"table": "{table}", "guests": 2, "items": [{"menu_item": "{dish}", "quantity": 0}]}, "items"),
    "quantity negative": (
        {"table": "{table}", "guests": 2, "items": [{"menu_item": "{dish}", "quantity": -1}]},
        "items",
    ),
    "quantity text": ({"table": "{table}", "guests": 2, "items": [{"menu_item": "{dish}", "quantity": "a"}]}, "items"),
    "quantity huge": (
        {"table": "{table}", "guests": 2, "items": [{"menu_item": "{dish}", "quantity": 10**9}]},
        "items",
    ),
}


def fill(value, world):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return str(world[value[1:-1]].pk)
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


@pytest.mark.parametrize(("body", "field"), ORDER_CASES.values(), ids=ORDER_CASES.keys())
def test_order_create_bad_input(client_for, world, body, field):
    before = counts()
    response = client_for(world["waiter"]).post("/api/cafe/orders/", fill(body, world), format="json")
    assert_error(response, 400, field, before)


def test_order_error_names_the_nested_field(client_for, world):
    body = {"table": str(world["table"].pk), "guests": 0, "items": [{"menu_item": "x", "quantity": 0}]}
    error = client_for(world["waiter"]).post("/api/cafe/orders/", body, format="json").json()
    assert set(error) == {"guests", "items"}
    assert set(error["items"]["0"]) == {"menu_item", "quantity"}


def test_second_bad_line_is_reported_at_its_index(client_for, world):
    before = counts()
    body = {
        "table": str(world["table"].pk),
        "guests": 2,
        "items": [{"menu_item": str(world["dish"].pk), "quantity": 1}, {"menu_item": MISSING, "quantity": 1}],
    }
    error = assert_error(
        client_for(world["waiter"]).post("/api/cafe/orders/", body, format="json"), 400, "items", before
    )
    # One shape for every line error: keyed by the line's index.
    assert list(error["items"]) == ["1"]
    assert list(error["items"]["1"]) == ["menu_item"]


def test_malformed_json(client_for, world):
    before = counts()
    response = client_for(world["waiter"]).post(
        "/api/cafe/orders/", data='{"table": "x", "guests": ', content_type="application/json"
    )
    assert "detail" in assert_error(response, 400, None, before)


@pytest.mark.parametrize("raw", ["[]", "[1, 2]", '"text"', "42", "null"])
def test_body_not_an_object(client_for, world, raw):
    before = counts()
    response = client_for(world["waiter"]).post("/api/cafe/orders/", data=raw, content_type="application/json")
    assert_error(response, 400, None, before)


def test_unsupported_media_type(client_for, world):
    before = counts()
    response = client_for(world["waiter"]).post("/api/cafe/orders/", data="table=1", content_type="text/plain")
    assert "detail" in assert_error(response, 415, None, before)


def test_idempotency_key_too_long(client_for, world):
    before = counts()
    body = {"table": str(world["table"].pk), "guests": 2}
    response = client_for(world["waiter"]).post(
        "/api/cafe/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert_error(response, 400, "Idempotency-Key", before)


# Orders: add items, patch


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "items"),
        ({"items": []}, "items"),
        ({"items": [{"menu_item": "{dish}", "quantity": 0}]}, "items"),
        ({"items": [{"menu_item": "{stranger_dish}", "quantity": 1}]}, "items"),
        ({"items": [{"menu_item": "{other_branch_dish}", "quantity": 1}]}, "items"),
        ({"items": [{"menu_item": "nope", "quantity": 1}]}, "items"),
    ],
)
def test_add_items_bad_input(client_for, world, body, field):
    order = order_for(world["waiter"], world["table"], [(world["dish"], 1)])
    before = counts()
    response = client_for(world["waiter"]).post(f"/api/cafe/orders/{order.pk}/items/", fill(body, world), format="json")
    assert_error(response, 400, field, before)


@pytest.mark.parametrize("guests", [0, -1, "x", None, 1001])
def test_patch_guests_bad_input(client_for, world, guests):
    order = order_for(world["waiter"], world["table"])
    before = counts()
    response = client_for(world["waiter"]).patch(f"/api/cafe/orders/{order.pk}/", {"guests": guests}, format="json")
    assert_error(response, 400, "guests", before)
    order.refresh_from_db()
    assert order.guests == 2


@pytest.mark.parametrize(
    "path",
    [
        "/api/cafe/orders/not-a-uuid/",
        "/api/cafe/orders/not-a-uuid/close/",
        "/api/cafe/tables/123/",
        f"/api/cafe/orders/{MISSING}/",
        f"/api/cafe/tables/{MISSING}/",
        f"/api/cafe/menu-items/{MISSING}/",
        f"/api/cafe/categories/{MISSING}/",
    ],
)
def test_malformed_or_unknown_ids_in_urls_are_json_404(client_for, world, path):
    before = counts()
    client = client_for(world["manager"])
    response = client.post(path) if path.endswith("close/") else client.get(path)
    assert_error(response, 404, "detail", before)


@pytest.mark.parametrize("action", ["close", "cancel", "items"])
def test_unknown_order_actions_404(client_for, world, action):
    before = counts()
    body = {"items": [{"menu_item": str(world["dish"].pk), "quantity": 1}]}
    response = client_for(world["waiter"]).post(f"/api/cafe/orders/{MISSING}/{action}/", body, format="json")
    assert_error(response, 404, "detail", before)


# Tables


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "number"),
        ({"number": 0}, "number"),
        ({"number": -1}, "number"),
        ({"number": "one"}, "number"),
        ({"number": 10**12}, "number"),
        ({"number": 5, "seats": 0}, "seats"),
        ({"number": 5, "seats": -2}, "seats"),
        ({"number": 5, "status": "busy"}, "status"),
        ({"number": 5, "status": "dirty"}, "status"),
        ({"number": 5, "branch": "x"}, "branch"),
        ({"number": 5, "branch": "{other_branch}"}, "branch"),
        ({"number": 5, "branch": "{stranger_branch}"}, "branch"),
        ({"number": 1}, "number"),
    ],
)
def test_table_create_bad_input(client_for, world, body, field):
    before = counts()
    response = client_for(world["manager"]).post("/api/cafe/tables/", fill(body, world), format="json")
    assert_error(response, 400, field, before)


@pytest.mark.parametrize("body", [[{"status": "free"}], ["status"], "free", 5])
def test_table_patch_with_non_object_body(client_for, world, body):
    before = counts()
    response = client_for(world["waiter"]).patch(f"/api/cafe/tables/{world['table'].pk}/", body, format="json")
    assert 400 <= response.status_code < 500, response.status_code
    assert_error(response, response.status_code, None, before)


@pytest.mark.parametrize(("body", "field"), [({"status": "busy"}, "status"), ({"status": None}, "status")])
def test_table_patch_status_bad_input(client_for, world, body, field):
    before = counts()
    response = client_for(world["waiter"]).patch(f"/api/cafe/tables/{world['table'].pk}/", body, format="json")
    assert_error(response, 400, field, before)


def test_table_list_bad_branch_filter(client_for, world):
    before = counts()
    assert_error(client_for(world["manager"]).get("/api/cafe/tables/?branch=nope"), 400, "branch", before)


# Menu


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "price": "1.00"}, "category"),
        ({"category": "x", "title": "X", "price": "1.00"}, "category"),
        ({"category": MISSING, "title": "X", "price": "1.00"}, "category"),
        ({"category": "{stranger_category}", "title": "X", "price": "1.00"}, "category"),
        ({"category": "{category}", "price": "1.00"}, "title"),
        ({"category": "{category}", "title": "", "price": "1.00"}, "title"),
        ({"category": "{category}", "title": "a\x00b", "price": "1.00"}, "title"),
        ({"category": "{category}", "title": "x" * 201, "price": "1.00"}, "title"),
        ({"category": "{category}", "title": "X"}, "price"),
        ({"category": "{category}", "title": "X", "price": "-1.00"}, "price"),
        ({"category": "{category}", "title": "X", "price": -5}, "price"),
        ({"category": "{category}", "title": "X", "price": "abc"}, "price"),
        ({"category": "{category}", "title": "X", "price": "NaN"}, "price"),
        ({"category": "{category}", "title": "X", "price": "Infinity"}, "price"),
        ({"category": "{category}", "title": "X", "price": "1.001"}, "price"),
        ({"category": "{category}", "title": "X", "price": "123456789012"}, "price"),
        ({"category": "{category}", "title": "X", "price": "1", "is_available": "maybe"}, "is_available"),
        ({"category": "{category}", "title": "X", "price": "1", "branch": "x"}, "branch"),
        ({"category": "{category}", "title": "X", "price": "1", "branch": "{other_branch}"}, "branch"),
        ({"category": "{category}", "title": "X", "price": "1", "branch": "{stranger_branch}"}, "branch"),
    ],
)
def test_menu_item_create_bad_input(client_for, world, body, field):
    before = counts()
    response = client_for(world["manager"]).post("/api/cafe/menu-items/", fill(body, world), format="json")
    assert_error(response, 400, field, before)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"price": "-0.01"}, "price"), ({"category": "{stranger_category}"}, "category"), ({"title": ""}, "title")],
)
def test_menu_item_patch_bad_input(client_for, world, body, field):
    before = counts()
    item = world["dish"]
    response = client_for(world["manager"]).patch(f"/api/cafe/menu-items/{item.pk}/", fill(body, world), format="json")
    assert_error(response, 400, field, before)
    item.refresh_from_db()
    assert item.price == Decimal("350.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 121}, "name"), ({"name": "A", "position": -1}, "position")],
)
def test_category_create_bad_input(client_for, world, body, field):
    before = counts()
    response = client_for(world["owner"]).post("/api/cafe/categories/", body, format="json")
    assert_error(response, 400, field, before)
