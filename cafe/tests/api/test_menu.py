from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.menu.models import Category, MenuItem
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(branch):
    return staff_of(branch, role=Role.MANAGER)


@pytest.fixture
def owner(branch):
    return owner_of(branch.company)


@pytest.fixture
def category(branch):
    return CategoryFactory(company=branch.company, name="Супы", position=1)


# Categories


def test_category_crud(client_for, owner):
    client = client_for(owner)
    created = client.post("/api/cafe/categories/", {"name": "Напитки", "position": 2}, format="json")
    assert created.status_code == 201, created.json()
    category = Category.unscoped.get()
    assert created.json() == {"id": str(category.pk), "name": "Напитки", "position": 2}
    assert client.get("/api/cafe/categories/").json()["results"] == [created.json()]
    assert client.get(f"/api/cafe/categories/{category.pk}/").json() == created.json()
    patched = client.patch(f"/api/cafe/categories/{category.pk}/", {"name": "Чай"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["name"] == "Чай"
    assert client.delete(f"/api/cafe/categories/{category.pk}/").status_code == 204
    assert not Category.unscoped.exists()


def test_category_name_unique_in_company(client_for, owner, category):
    response = client_for(owner).post("/api/cafe/categories/", {"name": "Супы"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    # Another company may use the name.
    other_owner = owner_of(BranchFactory().company)
    assert client_for(other_owner).post("/api/cafe/categories/", {"name": "Супы"}, format="json").status_code == 201


def test_category_with_items_cannot_be_deleted(client_for, owner, category):
    MenuItemFactory(category=category)
    assert client_for(owner).delete(f"/api/cafe/categories/{category.pk}/").status_code == 409
    assert Category.unscoped.filter(pk=category.pk).exists()


def test_waiter_reads_but_does_not_write_menu(client_for, branch, category):
    waiter = staff_of(branch)
    item = MenuItemFactory(category=category)
    client = client_for(waiter)
    assert client.get("/api/cafe/categories/").status_code == 200
    assert client.get("/api/cafe/menu-items/").status_code == 200
    assert client.post("/api/cafe/categories/", {"name": "X"}, format="json").status_code == 403
    assert client.patch(f"/api/cafe/menu-items/{item.pk}/", {"price": "1.00"}, format="json").status_code == 403
    assert client.delete(f"/api/cafe/menu-items/{item.pk}/").status_code == 403


# Menu items


def test_menu_item_create_shape_and_money(client_for, manager, branch, category):
    response = client_for(manager).post(
        "/api/cafe/menu-items/", {"category": str(category.pk), "title": "Борщ", "price": "350"}, format="json"
    )
    assert response.status_code == 201, response.json()
    item = MenuItem.unscoped.get()
    assert response.json() == {
        "id": str(item.pk),
        "category": str(category.pk),
        "title": "Борщ",
        "price": "350.00",
        "is_available": True,
        # A manager's item belongs to their branch.
        "branch": str(branch.pk),
        "station": None,
        "remaining": None,
        "sold_by": "portion",
        "modifier_groups": [],
    }


def test_owner_creates_company_wide_item(client_for, branch, category):
    owner = owner_of(branch.company)
    response = client_for(owner).post(
        "/api/cafe/menu-items/",
        {"category": str(category.pk), "title": "Чай", "price": "80.5", "branch": None},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["branch"] is None
    assert response.json()["price"] == "80.50"


def test_menu_item_list_for_branch_staff(client_for, branch, category):
    other = BranchFactory(company=branch.company)
    everywhere = MenuItemFactory(category=category, title="A")
    here = MenuItemFactory(category=category, title="B", branch=branch)
    there = MenuItemFactory(category=category, title="C", branch=other)
    waiter = staff_of(branch)
    client = client_for(waiter)
    listed = client.get("/api/cafe/menu-items/").json()
    assert {i["id"] for i in listed["results"]} == {str(everywhere.pk), str(here.pk)}
    assert client.get(f"/api/cafe/menu-items/{there.pk}/").status_code == 404
    owner = client_for(owner_of(branch.company))
    assert owner.get("/api/cafe/menu-items/").json()["count"] == 3
    filtered = owner.get(f"/api/cafe/menu-items/?branch={other.pk}").json()["results"]
    assert {i["id"] for i in filtered} == {str(everywhere.pk), str(there.pk)}


def test_menu_item_update_and_delete(client_for, manager, branch, category):
    item = MenuItemFactory(category=category, branch=branch)
    client = client_for(manager)
    patched = client.patch(f"/api/cafe/menu-items/{item.pk}/", {"price": "99.9", "is_available": False}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["price"], patched.json()["is_available"]) == ("99.90", False)
    assert client.delete(f"/api/cafe/menu-items/{item.pk}/").status_code == 204
    assert not MenuItem.unscoped.exists()


def test_menu_item_on_an_order_cannot_be_deleted(client_for, manager, branch, category):
    item = MenuItemFactory(category=category, branch=branch, price=Decimal("10.00"))
    order = order_for(manager, TableFactory(branch=branch), [(item, 1)])
    response = client_for(manager).delete(f"/api/cafe/menu-items/{item.pk}/")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert MenuItem.unscoped.filter(pk=item.pk).exists()
    assert order.items.get().price == Decimal("10.00")


def test_unavailable_item_cannot_be_ordered(client_for, branch, category):
    waiter = staff_of(branch)
    item = MenuItemFactory(category=category, is_available=False)
    table = TableFactory(branch=branch)
    response = client_for(waiter).post(
        "/api/cafe/orders/",
        {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(item.pk), "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "menu_item" in response.json()["items"]["0"]
