import pytest

from accounts.models import Role
from cafe.tests.factories import MenuItemFactory, TableFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_waiter_creates_order_with_seed_body(client_for):
    waiter = UserFactory()
    table = TableFactory(branch=waiter.branch)
    item = MenuItemFactory(category__company=waiter.company)
    body = {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(item.pk), "quantity": 2}]}
    response = client_for(waiter).post("/api/cafe/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "700.00"
    table.refresh_from_db()
    assert table.status == "busy"
    assert UserFactory(role=Role.OWNER, branch=None, company=waiter.company).company == waiter.company
