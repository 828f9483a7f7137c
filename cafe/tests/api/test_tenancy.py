"""Every list and detail endpoint, seen from another company and another branch:
lists leave the rows out, details answer 404 exactly like a missing id."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.floor.models import Table, TableStatus
from cafe.menu.models import Category, MenuItem
from cafe.orders.models import Order, OrderStatus
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    UserFactory,
    order_for,
    owner_of,
    staff_of,
)
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs():
    """Another company's rows: a branch, staff, a table with an open order, a menu."""
    branch = BranchFactory()
    waiter = staff_of(branch)
    table = TableFactory(branch=branch, number=1)
    category = CategoryFactory(company=branch.company)
    item = MenuItemFactory(category=category, price=Decimal("100.00"))
    order = order_for(waiter, table, [(item, 1)])
    return {"branch": branch, "waiter": waiter, "table": table, "category": category, "item": item, "order": order}


@pytest.fixture
def owner():
    return owner_of(BranchFactory().company)


def ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


LISTS = [
    "/api/cafe/tables/",
    "/api/cafe/categories/",
    "/api/cafe/menu-items/",
    "/api/cafe/orders/",
    "/api/users/branches/",
    "/api/users/employees/",
]


@pytest.mark.parametrize("path", LISTS)
def test_lists_show_nothing_of_another_company(client_for, owner, theirs, path):
    foreign = {str(obj.pk) for obj in theirs.values()}
    assert ids(client_for(owner).get(path)).isdisjoint(foreign)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("table", "/api/cafe/tables/{}/"),
        ("category", "/api/cafe/categories/{}/"),
        ("item", "/api/cafe/menu-items/{}/"),
        ("order", "/api/cafe/orders/{}/"),
        ("branch", "/api/users/branches/{}/"),
        ("waiter", "/api/users/employees/{}/"),
    ],
)
def test_details_of_another_company_are_404(client_for, owner, theirs, kind, path):
    response = client_for(owner).get(path.format(theirs[kind].pk))
    assert response.status_code == 404
    missing = client_for(owner).get(path.format("00000000-0000-0000-0000-000000000000"))
    assert (missing.status_code, missing.json()) == (404, response.json())


WRITES = [
    ("patch", "/api/cafe/tables/{table}/", {"seats": 9}),
    ("patch", "/api/cafe/tables/{table}/", {"status": "reserved"}),
    ("put", "/api/cafe/tables/{table}/", {"number": 3, "seats": 9}),
    ("delete", "/api/cafe/tables/{table}/", None),
    ("patch", "/api/cafe/categories/{category}/", {"name": "Hacked"}),
    ("put", "/api/cafe/categories/{category}/", {"name": "Hacked"}),
    ("delete", "/api/cafe/categories/{category}/", None),
    ("patch", "/api/cafe/menu-items/{item}/", {"price": "1.00"}),
    ("delete", "/api/cafe/menu-items/{item}/", None),
    ("patch", "/api/cafe/orders/{order}/", {"guests": 9}),
    ("post", "/api/cafe/orders/{order}/close/", None),
    ("post", "/api/cafe/orders/{order}/cancel/", None),
    ("post", "/api/cafe/orders/{order}/items/", {"items": [{"menu_item": "{item}", "quantity": 1}]}),
    ("patch", "/api/users/employees/{waiter}/", {"first_name": "Hacked"}),
    ("delete", "/api/users/employees/{waiter}/", None),
]


def _fill(text: str, objects: dict) -> str:
    for name, obj in objects.items():
        text = text.replace("{" + name + "}", str(obj.pk))
    return text


def _snapshot(theirs) -> tuple:
    order = Order.unscoped.get(pk=theirs["order"].pk)
    return (
        Table.unscoped.filter(pk=theirs["table"].pk).values_list("number", "seats", "status").first(),
        Category.unscoped.filter(pk=theirs["category"].pk).values_list("name", flat=True).first(),
        MenuItem.unscoped.filter(pk=theirs["item"].pk).values_list("price", flat=True).first(),
        (order.status, order.guests, order.items.count()),
        type(theirs["waiter"]).objects.filter(pk=theirs["waiter"].pk).values_list("first_name", "is_active").first(),
        Event.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_writes_to_another_companys_objects_are_404_and_change_nothing(client_for, owner, theirs, method, path, body):
    before = _snapshot(theirs)
    if body is not None:
        body = {
            k: ([{"menu_item": str(theirs["item"].pk), "quantity": 1}] if k == "items" else v) for k, v in body.items()
        }
    response = getattr(client_for(owner), method)(_fill(path, theirs), body, format="json")
    assert response.status_code == 404, response.content
    assert list(response.json()) == ["detail"]
    assert _snapshot(theirs) == before


def test_other_companys_ids_in_bodies_are_refused(client_for, owner, theirs):
    branch = owner.company.branches.get()
    my_table = TableFactory(branch=branch)
    client = client_for(owner)
    table_response = client.post("/api/cafe/orders/", {"table": str(theirs["table"].pk), "guests": 1}, format="json")
    assert table_response.status_code == 400
    assert "table" in table_response.json()
    item_response = client.post(
        "/api/cafe/orders/",
        {"table": str(my_table.pk), "guests": 1, "items": [{"menu_item": str(theirs["item"].pk), "quantity": 1}]},
        format="json",
    )
    assert item_response.status_code == 400
    assert "items" in item_response.json()
    category_response = client.post(
        "/api/cafe/menu-items/", {"category": str(theirs["category"].pk), "title": "X", "price": "1"}, format="json"
    )
    assert category_response.status_code == 400
    assert "category" in category_response.json()
    for path, body in (
        ("/api/cafe/tables/", {"number": 1, "branch": str(theirs["branch"].pk)}),
        ("/api/users/employees/", {"email": "e@example.com", "password": "Tr0ub4dor&3-horse", "role": "waiter",
                                   "branch": str(theirs["branch"].pk)}),
    ):  # fmt: skip
        response = client.post(path, body, format="json")
        assert response.status_code == 400, path
        assert "branch" in response.json(), path
    for path in ("/api/cafe/tables/", "/api/cafe/orders/", "/api/cafe/menu-items/"):
        response = client.get(f"{path}?branch={theirs['branch'].pk}")
        assert response.status_code == 400, path
        assert "branch" in response.json(), path
    assert Order.unscoped.filter(company=owner.company).count() == 0


def test_list_filter_by_another_companys_table_is_empty(client_for, owner, theirs):
    assert ids(client_for(owner).get(f"/api/cafe/orders/?table={theirs['table'].pk}")) == set()


# Branch-bound staff and another branch of their own company


@pytest.fixture
def two_branches():
    here = BranchFactory()
    there = BranchFactory(company=here.company)
    there_waiter = staff_of(there)
    there_table = TableFactory(branch=there, number=1)
    item = MenuItemFactory(category__company=here.company)
    there_order = order_for(there_waiter, there_table, [(item, 1)])
    return {"here": here, "there": there, "table": there_table, "order": there_order, "item": item}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WAITER, Role.CASHIER, Role.COOK])
def test_branch_staff_do_not_see_another_branch(client_for, two_branches, role):
    here = two_branches["here"]
    user = staff_of(here, role=role)
    mine_table = TableFactory(branch=here, number=1)
    mine_order = order_for(staff_of(here), mine_table)
    client = client_for(user)

    assert ids(client.get("/api/cafe/tables/")) == {str(mine_table.pk)}
    assert ids(client.get("/api/cafe/orders/")) == {str(mine_order.pk)}
    assert ids(client.get("/api/users/branches/")) == {str(here.pk)}
    assert client.get(f"/api/cafe/tables/{two_branches['table'].pk}/").status_code == 404
    assert client.get(f"/api/cafe/orders/{two_branches['order'].pk}/").status_code == 404
    assert client.get(f"/api/users/branches/{two_branches['there'].pk}/").status_code == 404
    assert client.get(f"/api/cafe/orders/?table={two_branches['table'].pk}").json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/cafe/tables/{table}/", {"status": "reserved"}),
        ("patch", "/api/cafe/tables/{table}/", {"seats": 9}),
        ("delete", "/api/cafe/tables/{table}/", None),
        ("patch", "/api/cafe/orders/{order}/", {"guests": 9}),
        ("post", "/api/cafe/orders/{order}/close/", None),
        ("post", "/api/cafe/orders/{order}/cancel/", None),
        ("post", "/api/cafe/orders/{order}/items/", {"items": "ITEMS"}),
    ],
)
def test_branch_manager_cannot_touch_another_branch(client_for, two_branches, method, path, body):
    manager = staff_of(two_branches["here"], role=Role.MANAGER)
    if body and body.get("items") == "ITEMS":
        body = {"items": [{"menu_item": str(two_branches["item"].pk), "quantity": 1}]}
    events = Event.objects.count()
    response = getattr(client_for(manager), method)(_fill(path, two_branches), body, format="json")
    assert response.status_code == 404
    order = Order.unscoped.get(pk=two_branches["order"].pk)
    assert (order.status, order.guests, order.items.count()) == (OrderStatus.OPEN, 2, 1)
    assert Table.unscoped.get(pk=two_branches["table"].pk).status == TableStatus.BUSY
    assert Event.objects.count() == events


def test_branch_waiter_cannot_order_at_another_branch_table(client_for, two_branches):
    waiter = staff_of(two_branches["here"])
    response = client_for(waiter).post(
        "/api/cafe/orders/", {"table": str(two_branches["table"].pk), "guests": 1}, format="json"
    )
    assert response.status_code == 400
    assert "table" in response.json()


def test_company_wide_admin_sees_every_branch(client_for, two_branches):
    admin = UserFactory(role=Role.ADMIN, branch=None, company=two_branches["here"].company)
    client = client_for(admin)
    assert str(two_branches["order"].pk) in ids(client.get("/api/cafe/orders/"))
    assert client.get(f"/api/cafe/tables/{two_branches['table'].pk}/").status_code == 200
    assert client.post(f"/api/cafe/orders/{two_branches['order'].pk}/close/").status_code == 200


def test_admin_with_profile_branch_is_still_company_wide(client_for, two_branches):
    admin = UserFactory(role=Role.ADMIN, branch=two_branches["here"])
    assert str(two_branches["table"].pk) in ids(client_for(admin).get("/api/cafe/tables/"))
