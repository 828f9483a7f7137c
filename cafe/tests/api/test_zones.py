"""Halls (zones): CRUD per branch, who may do what, the canvas that cannot shrink
under its tables, the zone that cannot go while tables are on it, the limit per
branch, their events, Idempotency-Key."""

import json
import threading

import pytest
from django.db import connection

from accounts.models import Role
from cafe.floor.models import Table, Zone
from cafe.tests.factories import BranchFactory, TableFactory, UserFactory, ZoneFactory, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def zone_json(zone: Zone) -> dict:
    return {
        "id": str(zone.pk),
        "branch": str(zone.branch_id),
        "name": zone.name,
        "position": zone.position,
        "width": zone.width,
        "height": zone.height,
    }


def events() -> list[dict]:
    return [json.loads(message) for message in Event.objects.order_by("seq").values_list("message", flat=True)]


def test_a_manager_sets_up_a_hall_and_every_role_reads_it(client_for, branch):
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    response = manager.post("/api/cafe/zones/", {"name": "Terrace", "position": 2, "width": 800, "height": 500})

    assert response.status_code == 201, response.json()
    zone = Zone.unscoped.get()
    assert response.json() == zone_json(zone)
    assert (zone.branch, zone.name, zone.position, zone.width, zone.height) == (branch, "Terrace", 2, 800, 500)
    [event] = events()
    assert event["type"] == "zone_created"
    assert event["data"] == {
        "zone": response.json(),
        "company_id": str(branch.company_id),
        "branch_id": str(branch.pk),
    }
    for role in Role:
        if role in (Role.OWNER, Role.ADMIN):
            user = UserFactory(role=role, branch=None, company=branch.company)
        else:
            user = staff_of(branch, role=role)
        client = client_for(user)
        assert client.get("/api/cafe/zones/").json()["results"] == [zone_json(zone)]
        assert client.get(f"/api/cafe/zones/{zone.pk}/").json() == zone_json(zone)


def test_defaults_and_list_order_by_position(client_for, branch):
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    second = manager.post("/api/cafe/zones/", {"name": "Bar", "position": 1}).json()
    first = manager.post("/api/cafe/zones/", {"name": "Main"}).json()
    assert (first["position"], first["width"], first["height"]) == (0, 1000, 1000)
    assert [zone["name"] for zone in manager.get("/api/cafe/zones/").json()["results"]] == ["Main", "Bar"]
    assert second["name"] == "Bar"


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
def test_other_staff_cannot_write_zones(client_for, branch, role):
    zone = ZoneFactory(branch=branch, name="Main")
    client = client_for(staff_of(branch, role=role))
    assert client.post("/api/cafe/zones/", {"name": "New"}).status_code == 403
    assert client.patch(f"/api/cafe/zones/{zone.pk}/", {"name": "X"}).status_code == 403
    assert client.put(f"/api/cafe/zones/{zone.pk}/", {"name": "X"}).status_code == 403
    assert client.delete(f"/api/cafe/zones/{zone.pk}/").status_code == 403
    zone.refresh_from_db()
    assert zone.name == "Main"
    assert not Event.objects.exists()


def test_other_branches_and_companies_zones_are_404_and_not_listed(client_for, branch):
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    sibling = ZoneFactory(branch=BranchFactory(company=branch.company))
    stranger = ZoneFactory()
    assert manager.get("/api/cafe/zones/").json()["results"] == []
    for zone in (sibling, stranger):
        assert manager.get(f"/api/cafe/zones/{zone.pk}/").status_code == 404
        assert manager.patch(f"/api/cafe/zones/{zone.pk}/", {"name": "X"}).status_code == 404
        assert manager.delete(f"/api/cafe/zones/{zone.pk}/").status_code == 404
    owner = client_for(owner_of(branch.company))
    listed = {zone["id"] for zone in owner.get("/api/cafe/zones/").json()["results"]}
    assert listed == {str(sibling.pk)}
    assert owner.get(f"/api/cafe/zones/{stranger.pk}/").status_code == 404
    filtered = owner.get(f"/api/cafe/zones/?branch={branch.pk}").json()["results"]
    assert filtered == []
    assert owner.get(f"/api/cafe/zones/?branch={stranger.branch_id}", **EN).json() == {"branch": ["Branch not found."]}


def test_company_wide_users_name_the_branch(client_for, branch):
    owner = client_for(owner_of(branch.company))
    assert owner.post("/api/cafe/zones/", {"name": "Main"}, **EN).json() == {"branch": ["This field is required."]}
    foreign = BranchFactory()
    response = owner.post("/api/cafe/zones/", {"name": "Main", "branch": str(foreign.pk)}, **EN)
    assert response.json() == {"branch": ["Branch not found."]}
    created = owner.post("/api/cafe/zones/", {"name": "Main", "branch": str(branch.pk)})
    assert created.status_code == 201
    assert created.json()["branch"] == str(branch.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "A", "width": 0}, "width"),
        ({"name": "A", "height": 100_001}, "height"),
        ({"name": "A", "position": -1}, "position"),
        ({"name": "A", "position": 32_768}, "position"),
        ({"name": "A", "width": "wide"}, "width"),
    ],
)
def test_bad_zone_input_is_400_naming_the_field(client_for, branch, body, field):
    response = client_for(staff_of(branch, role=Role.MANAGER)).post("/api/cafe/zones/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_name_is_unique_in_its_branch(client_for, branch):
    ZoneFactory(branch=branch, name="Main")
    ZoneFactory(branch=BranchFactory(company=branch.company), name="Terrace")
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    response = manager.post("/api/cafe/zones/", {"name": "Main"}, **EN)
    assert response.status_code == 400
    assert response.json() == {"name": ["A zone with this name already exists in this branch."]}
    assert manager.post("/api/cafe/zones/", {"name": "Terrace"}).status_code == 201


def test_renaming_and_resizing_sends_zone_updated(client_for, branch):
    zone = ZoneFactory(branch=branch, name="Main")
    response = client_for(staff_of(branch, role=Role.MANAGER)).patch(
        f"/api/cafe/zones/{zone.pk}/", {"name": "Hall", "width": 1200}, format="json"
    )
    assert response.status_code == 200
    zone.refresh_from_db()
    assert response.json() == zone_json(zone)
    assert (zone.name, zone.width, zone.height) == ("Hall", 1200, 1000)
    [event] = events()
    assert (event["type"], event["data"]["zone"]) == ("zone_updated", response.json())


def test_a_zone_cannot_move_to_another_branch(client_for, branch):
    zone = ZoneFactory(branch=branch)
    sibling = BranchFactory(company=branch.company)
    response = client_for(owner_of(branch.company)).patch(
        f"/api/cafe/zones/{zone.pk}/", {"branch": str(sibling.pk)}, format="json", **EN
    )
    assert response.json() == {"branch": ["A zone cannot move to another branch."]}


def test_the_canvas_cannot_shrink_under_its_tables(client_for, branch):
    zone = ZoneFactory(branch=branch, width=1000, height=1000)
    TableFactory(branch=branch, zone=zone, number=1, x=700, y=100, width=200, height=100)
    # A 200 × 100 table at (500, 500) turned 90°: it covers 550..650 across, 450..650 down.
    TableFactory(branch=branch, zone=zone, number=2, x=500, y=500, width=200, height=100, rotation=90)
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    url = f"/api/cafe/zones/{zone.pk}/"

    response = manager.patch(url, {"width": 899, "height": 649}, format="json", **EN)

    assert response.status_code == 400
    assert response.json() == {
        "width": ["Its tables need at least 900 (table 1 reaches there)."],
        "height": ["Its tables need at least 650 (table 2 reaches there)."],
    }
    zone.refresh_from_db()
    assert (zone.width, zone.height) == (1000, 1000)
    assert not Event.objects.exists()
    assert manager.patch(url, {"width": 900, "height": 650}, format="json").status_code == 200


def test_a_zone_with_tables_cannot_be_deleted_until_they_move(client_for, branch):
    zone = ZoneFactory(branch=branch, name="Terrace")
    table = TableFactory(branch=branch, zone=zone)
    TableFactory(branch=branch, zone=zone)
    manager = client_for(staff_of(branch, role=Role.MANAGER))

    response = manager.delete(f"/api/cafe/zones/{zone.pk}/", **EN)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The zone Terrace still has 2 tables; move them to another zone or off the plan first."
    }
    Zone.unscoped.get(pk=zone.pk)
    assert manager.patch(f"/api/cafe/tables/{table.pk}/", {"zone": None}, format="json").status_code == 200
    Table.unscoped.filter(zone=zone).update(zone=None)
    assert manager.delete(f"/api/cafe/zones/{zone.pk}/").status_code == 204
    assert not Zone.unscoped.exists()
    assert events()[-1]["type"] == "zone_deleted"
    assert events()[-1]["data"]["zone"]["name"] == "Terrace"


def test_zones_past_the_limit_answer_409(client_for, branch, settings):
    settings.BRANCH_MAX_ZONES = 2
    ZoneFactory(branch=branch)
    ZoneFactory(branch=BranchFactory(company=branch.company))  # another branch's does not count
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    assert manager.post("/api/cafe/zones/", {"name": "Second"}).status_code == 201
    response = manager.post("/api/cafe/zones/", {"name": "Third"}, **EN)
    assert response.status_code == 409
    assert response.json() == {"detail": "A branch has at most 2 zones (BRANCH_MAX_ZONES)."}
    assert Zone.unscoped.filter(branch=branch).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_zones_cannot_pass_the_limit(client_for, settings):
    """Counted with the branch's row locked: of four creations that would each fit
    alone, one gets 201 (on SQLite the database's write lock serialises them too)."""
    settings.BRANCH_MAX_ZONES = 1
    branch = BranchFactory()
    clients = [client_for(staff_of(branch, role=Role.MANAGER)) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def create(client, n: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post("/api/cafe/zones/", {"name": f"Hall {n}"}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(client, n)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses)[0] == 201
    assert statuses.count(201) == 1
    assert Zone.unscoped.filter(branch=branch).count() == 1


def test_idempotency_key_replays_a_zone_creation_and_deletion(client_for, branch):
    manager = client_for(staff_of(branch, role=Role.MANAGER))
    first = manager.post("/api/cafe/zones/", {"name": "Main"}, format="json", HTTP_IDEMPOTENCY_KEY="z-1")
    again = manager.post("/api/cafe/zones/", {"name": "Main"}, format="json", HTTP_IDEMPOTENCY_KEY="z-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Zone.unscoped.count() == 1
    other = manager.post("/api/cafe/zones/", {"name": "Bar"}, format="json", HTTP_IDEMPOTENCY_KEY="z-1")
    assert other.status_code == 422
    url = f"/api/cafe/zones/{first.json()['id']}/"
    gone = manager.delete(url, HTTP_IDEMPOTENCY_KEY="z-2")
    replayed = manager.delete(url, HTTP_IDEMPOTENCY_KEY="z-2")
    assert (gone.status_code, replayed.status_code) == (204, 204)
    assert replayed.content == b""
    assert [event["type"] for event in events()] == ["zone_created", "zone_deleted"]
