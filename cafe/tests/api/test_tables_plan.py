"""The table plan: a table's hall and its place there (``zone``, ``x``, ``y``,
``width``, ``height``, ``shape``, ``rotation``), kept on the hall's canvas (turned,
the box it covers), a hall of the table's own branch, the tables list by hall, the
limit of tables per hall; the REST answers and the table events carry it all."""

import json

import pytest

from accounts.models import Role
from cafe.floor.models import Table
from cafe.tests.factories import BranchFactory, TableFactory, ZoneFactory, order_for, owner_of, staff_of
from realtime.models import Event

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def manager(client_for, branch):
    return client_for(staff_of(branch, role=Role.MANAGER))


@pytest.fixture
def hall(branch):
    return ZoneFactory(branch=branch, name="Main", width=1000, height=600)


def events() -> list[dict]:
    return [json.loads(message) for message in Event.objects.order_by("seq").values_list("message", flat=True)]


def test_a_table_drawn_on_a_hall_is_answered_and_sent_with_its_place(manager, branch, hall):
    body = {"number": 7, "seats": 6, "zone": str(hall.pk), "x": 120, "y": 80, "width": 160, "height": 80}
    response = manager.post("/api/cafe/tables/", {**body, "shape": "round", "rotation": 30}, format="json")

    assert response.status_code == 201, response.json()
    table = Table.unscoped.get()
    assert response.json() == {
        "id": str(table.pk),
        "branch": str(branch.pk),
        "number": 7,
        "seats": 6,
        "status": "free",
        "status_display": "Свободен",
        "zone": str(hall.pk),
        "x": 120,
        "y": 80,
        "width": 160,
        "height": 80,
        "shape": "round",
        "rotation": 30,
    }
    assert (table.zone, table.x, table.y, table.shape, table.rotation) == (hall, 120, 80, "round", 30)
    [created] = events()
    assert (created["type"], created["data"]["table"]) == ("table_created", response.json())
    moved = manager.patch(f"/api/cafe/tables/{table.pk}/", {"x": 300, "rotation": 0}, format="json").json()
    assert (moved["x"], moved["y"], moved["rotation"], moved["zone"]) == (300, 80, 0, str(hall.pk))
    assert events()[-1]["type"] == "table_updated"
    assert events()[-1]["data"]["table"] == moved
    assert manager.get(f"/api/cafe/tables/{table.pk}/").json() == moved


def test_a_table_on_no_plan_has_the_defaults(manager):
    body = manager.post("/api/cafe/tables/", {"number": 1}, format="json").json()
    assert {key: body[key] for key in ("zone", "x", "y", "width", "height", "shape", "rotation")} == {
        "zone": None,
        "x": 0,
        "y": 0,
        "width": 100,
        "height": 100,
        "shape": "rect",
        "rotation": 0,
    }


@pytest.mark.parametrize(
    ("place", "errors"),
    [
        # Past the right edge: 950 + 100 > 1000.
        ({"x": 950}, {"x": ["The table does not fit across its zone: it covers 950 to 1050 of 1000."]}),
        ({"y": 550}, {"y": ["The table does not fit down its zone: it covers 550 to 650 of 600."]}),
        # 200 × 20 at (0, 0) fits; turned 90° about its centre it covers 90..110 × -90..110.
        (
            {"width": 200, "height": 20, "rotation": 90},
            {"y": ["The table does not fit down its zone: it covers -90 to 110 of 600."]},
        ),
        # A round 200 × 100 turned 90°: its ellipse covers 50..150 × -50..150.
        (
            {"width": 200, "height": 100, "shape": "round", "rotation": 90},
            {"y": ["The table does not fit down its zone: it covers -50 to 150 of 600."]},
        ),
        # A square turned 45° reaches 20.7 past its own box on every side.
        (
            {"rotation": 45},
            {
                "x": ["The table does not fit across its zone: it covers -21 to 121 of 1000."],
                "y": ["The table does not fit down its zone: it covers -21 to 121 of 600."],
            },
        ),
    ],
)
def test_a_table_off_its_halls_canvas_is_400_naming_the_field(manager, hall, place, errors):
    response = manager.post("/api/cafe/tables/", {"number": 1, "zone": str(hall.pk), **place}, format="json", **EN)
    assert response.status_code == 400
    assert response.json() == errors
    assert not Table.unscoped.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "place",
    [
        {"x": 900, "y": 500},  # touching the far corner
        {"width": 200, "height": 20, "y": 100, "rotation": 90},
        {"x": 500, "y": 300, "rotation": 90},  # a square turned 90° covers its own box
        {"width": 100, "height": 100, "shape": "round", "rotation": 45},  # a circle turns in place
    ],
)
def test_a_table_within_its_halls_canvas_is_placed(manager, hall, place):
    response = manager.post("/api/cafe/tables/", {"number": 1, "zone": str(hall.pk), **place}, format="json")
    assert response.status_code == 201, response.json()


def test_moving_a_table_off_the_canvas_changes_nothing(manager, branch, hall):
    table = TableFactory(branch=branch, zone=hall, x=100, y=100)
    response = manager.patch(f"/api/cafe/tables/{table.pk}/", {"width": 1000}, format="json", **EN)
    assert response.status_code == 400
    assert list(response.json()) == ["x"]
    table.refresh_from_db()
    assert table.width == 100
    small = ZoneFactory(branch=branch, width=150, height=150)
    response = manager.patch(f"/api/cafe/tables/{table.pk}/", {"zone": str(small.pk)}, format="json", **EN)
    assert response.status_code == 400
    assert set(response.json()) == {"x", "y"}
    table.refresh_from_db()
    assert table.zone == hall
    assert not Event.objects.exists()


def test_a_zone_of_another_branch_or_company_is_400_naming_zone(client_for, manager, branch):
    sibling = ZoneFactory(branch=BranchFactory(company=branch.company))
    stranger = ZoneFactory()
    table = TableFactory(branch=branch)
    for zone in (sibling, stranger):
        created = manager.post("/api/cafe/tables/", {"number": 9, "zone": str(zone.pk)}, format="json", **EN)
        assert created.status_code == 400
        assert created.json() == {"zone": ["Zone not found in this branch."]}
        moved = manager.patch(f"/api/cafe/tables/{table.pk}/", {"zone": str(zone.pk)}, format="json", **EN)
        assert moved.json() == {"zone": ["Zone not found in this branch."]}
    # An owner: a zone of another branch of the company is not the table's.
    owner = client_for(owner_of(branch.company))
    moved = owner.patch(f"/api/cafe/tables/{table.pk}/", {"zone": str(sibling.pk)}, format="json", **EN)
    assert moved.json() == {"zone": ["Zone not found in this branch."]}
    table.refresh_from_db()
    assert table.zone is None


def test_only_managers_move_tables_other_staff_reserve_them(client_for, branch, hall):
    table = TableFactory(branch=branch, zone=hall)
    waiter = client_for(staff_of(branch))
    assert waiter.patch(f"/api/cafe/tables/{table.pk}/", {"x": 10}, format="json").status_code == 403
    assert waiter.patch(f"/api/cafe/tables/{table.pk}/", {"zone": None}, format="json").status_code == 403
    reserved = waiter.patch(f"/api/cafe/tables/{table.pk}/", {"status": "reserved"}, format="json")
    assert reserved.status_code == 200
    assert (reserved.json()["zone"], reserved.json()["x"]) == (str(hall.pk), 0)


def test_the_status_event_keeps_the_seeds_shape(client_for, branch, hall):
    """``table_status_changed`` stays as the seed defines it (the table's id, number,
    status, label and branch); its hall and place come with ``table_updated``."""
    table = TableFactory(branch=branch, zone=hall, number=3)
    order_for(staff_of(branch), table)
    [status] = [event for event in events() if event["type"] == "table_status_changed"]
    assert status["data"] == {
        "table_id": str(table.pk),
        "table_number": 3,
        "status": "busy",
        "status_display": "Занят",
        "branch_id": str(branch.pk),
    }


def test_the_tables_list_filters_by_hall(manager, branch, hall):
    terrace = ZoneFactory(branch=branch, name="Terrace")
    inside = TableFactory(branch=branch, zone=hall, number=1)
    outside = TableFactory(branch=branch, zone=terrace, number=2)
    loose = TableFactory(branch=branch, number=3)

    def numbers(query: str) -> list[int]:
        return [table["number"] for table in manager.get(f"/api/cafe/tables/{query}").json()["results"]]

    assert numbers("") == [1, 2, 3]
    assert numbers(f"?zone={hall.pk}") == [inside.number]
    assert numbers(f"?zone={terrace.pk}") == [outside.number]
    assert numbers("?zone=none") == [loose.number]
    assert numbers(f"?zone={ZoneFactory().pk}") == []
    bad = manager.get("/api/cafe/tables/?zone=hall", **EN)
    assert bad.status_code == 400
    assert bad.json() == {"zone": ["Give a zone's id or none."]}


def test_put_replaces_the_plan_and_null_takes_a_table_off_it(manager, branch, hall):
    table = TableFactory(branch=branch, zone=hall, number=1, x=300, rotation=10)
    body = manager.put(f"/api/cafe/tables/{table.pk}/", {"number": 1, "seats": 2}, format="json").json()
    assert (body["zone"], body["x"], body["rotation"], body["seats"]) == (None, 0, 0, 2)


@pytest.mark.parametrize(
    ("place", "field"),
    [
        ({"rotation": 360}, "rotation"),
        ({"rotation": -1}, "rotation"),
        ({"shape": "oval"}, "shape"),
        ({"x": -1}, "x"),
        ({"y": 100_001}, "y"),
        ({"width": 0}, "width"),
        ({"height": "tall"}, "height"),
        ({"zone": "hall"}, "zone"),
    ],
)
def test_bad_plan_input_is_400_naming_the_field(manager, place, field):
    response = manager.post("/api/cafe/tables/", {"number": 1, **place}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_tables_past_the_halls_limit_answer_409(manager, branch, hall, settings):
    settings.ZONE_MAX_TABLES = 1
    TableFactory(branch=branch, zone=hall, number=1)
    other = TableFactory(branch=branch, number=2)
    response = manager.post("/api/cafe/tables/", {"number": 3, "zone": str(hall.pk)}, format="json", **EN)
    assert response.status_code == 409
    assert response.json() == {"detail": "A zone has at most 1 tables (ZONE_MAX_TABLES)."}
    moved = manager.patch(f"/api/cafe/tables/{other.pk}/", {"zone": str(hall.pk)}, format="json", **EN)
    assert moved.status_code == 409
    # A table already there moves within its hall freely.
    first = Table.unscoped.get(number=1)
    assert manager.patch(f"/api/cafe/tables/{first.pk}/", {"x": 5}, format="json").status_code == 200


def test_idempotency_key_replays_a_table_move(manager, branch, hall):
    table = TableFactory(branch=branch, zone=hall)
    url = f"/api/cafe/tables/{table.pk}/"
    first = manager.patch(url, {"x": 40}, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    again = manager.patch(url, {"x": 40}, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert [event["type"] for event in events()] == ["table_updated"]
