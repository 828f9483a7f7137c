import json

import pytest

from accounts.models import Role
from cafe.floor.models import Table, TableStatus
from cafe.tests.factories import BranchFactory, TableFactory, order_for, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(branch):
    return staff_of(branch, role=Role.MANAGER)


def table_json(table: Table) -> dict:
    return {
        "id": str(table.pk),
        "branch": str(table.branch_id),
        "number": table.number,
        "seats": table.seats,
        "status": table.status,
        "status_display": {"free": "Свободен", "busy": "Занят", "reserved": "Забронирован"}[table.status],
        "zone": str(table.zone_id) if table.zone_id else None,
        "x": table.x,
        "y": table.y,
        "width": table.width,
        "height": table.height,
        "shape": table.shape,
        "rotation": table.rotation,
    }


def last_event() -> dict:
    return json.loads(Event.objects.order_by("-seq").first().message)


def test_list_and_detail_shape(client_for, branch):
    waiter = staff_of(branch)
    free = TableFactory(branch=branch, number=1)
    busy = TableFactory(branch=branch, number=2, status=TableStatus.BUSY)
    client = client_for(waiter)
    body = client.get("/api/cafe/tables/").json()
    assert body["count"] == 2
    assert body["results"] == [table_json(free), table_json(busy)]
    assert body["results"][1]["status_display"] == "Занят"
    assert client.get(f"/api/cafe/tables/{busy.pk}/").json() == table_json(busy)


def test_manager_creates_table_in_own_branch(client_for, manager, branch):
    response = client_for(manager).post("/api/cafe/tables/", {"number": 4, "seats": 2}, format="json")
    assert response.status_code == 201, response.json()
    table = Table.unscoped.get()
    assert response.json() == table_json(table)
    assert response.json()["status"] == "free"
    assert table.branch == branch
    assert last_event()["type"] == "table_created"
    assert last_event()["data"]["table"] == response.json()


def test_owner_creates_table_with_branch(client_for, branch):
    owner = owner_of(branch.company)
    client = client_for(owner)
    missing = client.post("/api/cafe/tables/", {"number": 4}, format="json")
    assert missing.status_code == 400
    assert "branch" in missing.json()
    response = client.post("/api/cafe/tables/", {"number": 4, "branch": str(branch.pk)}, format="json")
    assert response.status_code == 201
    assert response.json()["branch"] == str(branch.pk)
    assert response.json()["seats"] == 4


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
def test_non_managers_cannot_create_edit_or_delete(client_for, branch, role):
    user = staff_of(branch, role=role)
    table = TableFactory(branch=branch, number=1)
    client = client_for(user)
    assert client.post("/api/cafe/tables/", {"number": 2}, format="json").status_code == 403
    assert client.patch(f"/api/cafe/tables/{table.pk}/", {"seats": 9}, format="json").status_code == 403
    assert client.put(f"/api/cafe/tables/{table.pk}/", {"number": 1, "seats": 9}, format="json").status_code == 403
    assert client.delete(f"/api/cafe/tables/{table.pk}/").status_code == 403
    table.refresh_from_db()
    assert table.seats == 4
    assert Event.objects.count() == 0


def test_waiter_reserves_and_frees(client_for, branch):
    waiter = staff_of(branch)
    table = TableFactory(branch=branch)
    client = client_for(waiter)
    reserved = client.patch(f"/api/cafe/tables/{table.pk}/", {"status": "reserved"}, format="json")
    assert reserved.status_code == 200
    assert (reserved.json()["status"], reserved.json()["status_display"]) == ("reserved", "Забронирован")
    freed = client.patch(f"/api/cafe/tables/{table.pk}/", {"status": "free"}, format="json")
    assert (freed.json()["status"], freed.json()["status_display"]) == ("free", "Свободен")
    types = list(Event.objects.order_by("seq").values_list("type", flat=True))
    assert types == ["table_status_changed", "table_updated", "table_status_changed", "table_updated"]


def test_status_busy_cannot_be_set_by_hand(client_for, branch):
    table = TableFactory(branch=branch)
    response = client_for(staff_of(branch)).patch(f"/api/cafe/tables/{table.pk}/", {"status": "busy"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_table_with_open_order_stays_busy(client_for, branch):
    waiter = staff_of(branch)
    table = TableFactory(branch=branch)
    order_for(waiter, table)
    before = Event.objects.count()
    for status in ("free", "reserved"):
        response = client_for(waiter).patch(f"/api/cafe/tables/{table.pk}/", {"status": status}, format="json")
        assert response.status_code == 409
        assert "detail" in response.json()
    table.refresh_from_db()
    assert table.status == TableStatus.BUSY
    assert Event.objects.count() == before


def test_manager_updates_table(client_for, manager, branch):
    table = TableFactory(branch=branch, number=1, seats=2)
    client = client_for(manager)
    patched = client.patch(f"/api/cafe/tables/{table.pk}/", {"seats": 6}, format="json")
    assert patched.status_code == 200
    assert patched.json()["seats"] == 6
    put = client.put(f"/api/cafe/tables/{table.pk}/", {"number": 10, "seats": 3}, format="json")
    assert put.status_code == 200
    assert (put.json()["number"], put.json()["seats"]) == (10, 3)
    assert last_event()["type"] == "table_updated"
    assert last_event()["data"]["table"] == put.json()


def test_duplicate_number_400(client_for, manager, branch):
    TableFactory(branch=branch, number=1)
    table = TableFactory(branch=branch, number=2)
    client = client_for(manager)
    created = client.post("/api/cafe/tables/", {"number": 1}, format="json")
    assert created.status_code == 400
    assert "number" in created.json()
    renumbered = client.patch(f"/api/cafe/tables/{table.pk}/", {"number": 1}, format="json")
    assert renumbered.status_code == 400
    assert "number" in renumbered.json()
    assert Table.unscoped.count() == 2
    assert Event.objects.count() == 0


def test_delete(client_for, manager, branch):
    table = TableFactory(branch=branch)
    response = client_for(manager).delete(f"/api/cafe/tables/{table.pk}/")
    assert response.status_code == 204
    assert not Table.unscoped.exists()
    assert last_event()["type"] == "table_deleted"


def test_delete_table_with_orders_409(client_for, manager, branch):
    table = TableFactory(branch=branch)
    order_for(manager, table)
    response = client_for(manager).delete(f"/api/cafe/tables/{table.pk}/")
    assert response.status_code == 409
    assert Table.unscoped.filter(pk=table.pk).exists()


def test_owner_branch_filter(client_for, branch):
    other = BranchFactory(company=branch.company)
    mine, theirs = TableFactory(branch=branch), TableFactory(branch=other)
    client = client_for(owner_of(branch.company))
    assert client.get("/api/cafe/tables/").json()["count"] == 2
    filtered = client.get(f"/api/cafe/tables/?branch={other.pk}").json()
    assert [t["id"] for t in filtered["results"]] == [str(theirs.pk)]
    assert mine.pk != theirs.pk
    bad = client.get(f"/api/cafe/tables/?branch={BranchFactory().pk}")
    assert bad.status_code == 400
    assert "branch" in bad.json()
