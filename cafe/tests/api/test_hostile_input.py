"""Requests built to break the server answer 4xx JSON (or plain JSON), never a
500 or an HTML page: browsers' Accept headers, OPTIONS, absurd paging, deeply
nested JSON, money at its maxima, over-long strings."""

from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework import serializers

from accounts import serializers as account_inputs
from accounts.models import Branch
from cafe.menu.models import Category, MenuItem
from cafe.menu.serializers import CategoryInput, MenuItemInput
from cafe.orders.models import Order, OrderItem
from cafe.orders.money import recalculate
from cafe.orders.serializers import OrderCreateInput
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    branch = BranchFactory()
    owner = owner_of(branch.company)
    table = TableFactory(branch=branch, number=1)
    item = MenuItemFactory(category=CategoryFactory(company=branch.company), price=Decimal("10.00"))
    order = order_for(owner, table, [(item, 2)])
    return {"branch": branch, "owner": owner, "table": table, "item": item, "order": order}


LISTS = [
    "/api/cafe/tables/",
    "/api/cafe/categories/",
    "/api/cafe/menu-items/",
    "/api/cafe/orders/",
    "/api/users/branches/",
    "/api/users/employees/",
]
DETAILS = [
    "/api/cafe/tables/{table}/",
    "/api/cafe/categories/{category}/",
    "/api/cafe/menu-items/{item}/",
    "/api/cafe/orders/{order}/",
    "/api/users/branches/{branch}/",
    "/api/users/employees/{owner}/",
    "/api/users/me/",
]


def url(path: str, world) -> str:
    objects = {**world, "category": world["item"].category}
    for name, obj in objects.items():
        path = path.replace("{" + name + "}", str(obj.pk))
    return path


def assert_json(response, status: int) -> dict | list:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


# JSON only


@pytest.mark.parametrize("path", LISTS + DETAILS)
@pytest.mark.parametrize(
    "how",
    [
        {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
        {"HTTP_ACCEPT": "text/html"},
        {"HTTP_ACCEPT": "application/xml"},
        {"QUERY_STRING": "format=api"},
        {"QUERY_STRING": "format=html"},
    ],
    ids=["browser", "html", "xml", "format=api", "format=html"],
)
def test_every_read_answers_json_whatever_is_asked(client_for, world, path, how):
    response = client_for(world["owner"]).get(url(path, world), **how)
    assert_json(response, 200)


def test_an_error_asked_for_as_html_is_json(client_for, world):
    response = client_for(world["owner"]).get(
        "/api/cafe/tables/?limit=x", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert assert_json(response, 400) == {"limit": ["A whole number from 1 (more than 200 gives 200)."]}


@pytest.mark.parametrize("path", LISTS + DETAILS)
def test_options_answers_json(client_for, world, path):
    body = assert_json(client_for(world["owner"]).options(url(path, world)), 200)
    assert body["renders"] == ["application/json"]
    assert set(body) == {"name", "description", "renders", "parses"}


def test_options_keeps_tenancy(client_for, world):
    stranger = owner_of(BranchFactory().company)
    assert_json(client_for(stranger).options(url("/api/cafe/orders/{order}/", world)), 200)
    # OPTIONS reads no object: it tells nothing about one, whoever asks.
    anonymous = client_for(world["owner"])
    anonymous.credentials()
    assert_json(anonymous.options("/api/cafe/orders/"), 401)


# Paging


@pytest.mark.parametrize(
    ("query", "status", "count"),
    [
        ("limit=2", 200, 2),
        ("limit=200", 200, 5),
        ("limit=201", 200, 5),
        (f"limit={2**63}", 200, 5),
        ("limit=" + "9" * 4000, 200, 5),
        ("limit=", 200, 5),
        ("offset=" + "9" * 40, 200, 0),
        (f"offset={2**63}&limit={2**64}", 200, 0),
        ("offset=3", 200, 2),
        ("offset=", 200, 5),
    ],
)
def test_paging_values_are_capped(client_for, world, query, status, count):
    for number in range(2, 6):
        TableFactory(branch=world["branch"], number=number)
    body = assert_json(client_for(world["owner"]).get(f"/api/cafe/tables/?{query}"), status)
    assert (body["count"], len(body["results"])) == (5, count)


def test_page_size_is_capped_at_the_maximum(client_for, world, settings):
    settings.PAGE_SIZE_MAX = 3
    for number in range(2, 6):
        TableFactory(branch=world["branch"], number=number)
    body = assert_json(client_for(world["owner"]).get("/api/cafe/tables/?limit=1000"), 200)
    assert len(body["results"]) == 3
    assert body["next"].endswith("limit=3&offset=3")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=+5", "limit"),
        ("limit=%205", "limit"),
        ("limit=1_0", "limit"),
        ("limit=" + "9" * 5000, "limit"),
        ("limit=%D9%A3", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("offset=" + "9" * 5000, "offset"),
    ],
)
@pytest.mark.parametrize("path", LISTS)
def test_malformed_paging_is_400_naming_the_parameter(client_for, world, query, field, path):
    body = assert_json(client_for(world["owner"]).get(f"{path}?{query}"), 400)
    assert list(body) == [field]


# Nesting


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/cafe/orders/"),
        ("post", "/api/cafe/tables/"),
        ("patch", "/api/cafe/tables/{table}/"),
        ("post", "/api/cafe/orders/{order}/items/"),
        ("post", "/api/users/login/"),
        ("post", "/api/users/register/"),
    ],
)
def test_deeply_nested_json_is_400(client_for, world, method, path, depth):
    before = (Order.unscoped.count(), OrderItem.unscoped.count())
    client = client_for(world["owner"])
    body = '{"items": [' * 1 + nested(depth) + "]}" if "items" in path else nested(depth)
    response = getattr(client, method)(
        url(path, world), data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert assert_json(response, 400) == {"detail": "JSON parse error - nested deeper than 32 levels."}
    assert (Order.unscoped.count(), OrderItem.unscoped.count()) == before


def test_nesting_up_to_the_limit_parses(client_for, world):
    response = client_for(world["owner"]).post("/api/cafe/tables/", data=nested(32), content_type="application/json")
    assert list(assert_json(response, 400)) == ["number"]


@pytest.mark.parametrize("wide", [[[]] * 10_000, [{"a": [1, 2, {"b": None}]}] * 1000])
def test_wide_json_is_not_deep(client_for, world, wide):
    response = client_for(world["owner"]).post(
        "/api/cafe/tables/", {"number": 7, "branch": str(world["branch"].pk), "junk": wide}, format="json"
    )
    assert_json(response, 201)


# Money


def test_menu_price_above_the_maximum_is_400(client_for, world):
    category = world["item"].category
    too_much = settings.MENU_PRICE_MAX + Decimal("0.01")
    for price in (str(too_much), "99999999.99"):
        response = client_for(world["owner"]).post(
            "/api/cafe/menu-items/", {"category": str(category.pk), "title": "Gold", "price": price}, format="json"
        )
        assert list(assert_json(response, 400)) == ["price"]
    patch = client_for(world["owner"]).patch(
        f"/api/cafe/menu-items/{world['item'].pk}/", {"price": str(too_much)}, format="json"
    )
    assert list(assert_json(patch, 400)) == ["price"]


def test_an_order_at_the_maxima_is_served(client_for, world, settings):
    """The most expensive dish, 1000 of it (the most a line's input takes, with
    ORDER_LINE_MAX_QUANTITY raised to it) on each of the most lines an order holds."""
    settings.ORDER_LINE_MAX_QUANTITY = 1000
    client = client_for(world["owner"])
    created = client.post(
        "/api/cafe/menu-items/",
        {"category": str(world["item"].category.pk), "title": "Gold", "price": str(settings.MENU_PRICE_MAX)},
        format="json",
    )
    assert assert_json(created, 201)["price"] == f"{settings.MENU_PRICE_MAX:.2f}"
    lines_per_request = OrderCreateInput().fields["items"].max_length
    line = {"menu_item": created.json()["id"], "quantity": 1000}
    table = TableFactory(branch=world["branch"], number=99)
    order = assert_json(
        client.post("/api/cafe/orders/", {"table": str(table.pk), "guests": 1, "items": [line]}, format="json"), 201
    )
    while (missing := settings.ORDER_MAX_LINES - len(order["items"])) > 0:
        lines = [line] * min(missing, lines_per_request)
        order = assert_json(client.post(f"/api/cafe/orders/{order['id']}/items/", {"items": lines}, format="json"), 201)
    line_total = settings.MENU_PRICE_MAX * 1000
    assert {line["total"] for line in order["items"]} == {f"{line_total:.2f}"}
    assert order["total"] == f"{line_total * settings.ORDER_MAX_LINES:.2f}"
    assert assert_json(client.get(f"/api/cafe/orders/{order['id']}/"), 200) == order
    assert assert_json(client.get("/api/cafe/orders/"), 200)["count"] == 2


def test_lines_priced_before_the_maximum_still_serialise(client_for, world):
    """A line stored at the column's largest price (before MENU_PRICE_MAX existed)."""
    order = world["order"]
    order.items.update(price=Decimal("99999999.99"), quantity=1000)
    fields, _ = recalculate(order, order.items.all())
    order.save(update_fields=fields)  # the bill's columns hold it too
    body = assert_json(client_for(world["owner"]).get(f"/api/cafe/orders/{order.pk}/"), 200)
    assert body["items"][0]["total"] == "99999999990.00"
    assert body["total"] == "99999999990.00"


# Strings


def _column(model, name: str):
    return model._meta.get_field(name)


INPUT_COLUMNS = [
    (CategoryInput, Category),
    (MenuItemInput, MenuItem),
    (account_inputs.BranchInput, Branch),
]


@pytest.mark.parametrize(("input_class", "model"), INPUT_COLUMNS, ids=[i.__name__ for i, _ in INPUT_COLUMNS])
def test_every_string_input_is_no_longer_than_its_column(input_class, model):
    for name, field in input_class().fields.items():
        if not isinstance(field, serializers.CharField):
            continue
        column_names = {f.name for f in model._meta.get_fields()}
        if name not in column_names:
            continue
        column = _column(model, name)
        assert field.max_length is not None, f"{input_class.__name__}.{name} has no max_length"
        if column.max_length is not None:
            assert field.max_length <= column.max_length, f"{input_class.__name__}.{name}"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/cafe/categories/", {"name": "x" * 121}, "name"),
        ("/api/cafe/menu-items/", {"category": "{category}", "title": "x" * 201, "price": "1"}, "title"),
        ("/api/cafe/tables/{table}/", {"number": 1, "seats": 1, "junk": "x" * 100_000}, None),
    ],
)
def test_over_long_strings_are_400_naming_the_field(client_for, world, path, body, field):
    body = {k: url(v, world) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    client = client_for(world["owner"])
    if field is None:
        assert_json(client.put(url(path, world), body, format="json"), 200)
        return
    assert list(assert_json(client.post(path, body, format="json"), 400)) == [field]
