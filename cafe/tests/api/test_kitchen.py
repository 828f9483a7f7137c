"""The kitchen's REST edges: stations, modifiers, per-branch menu settings, line
edits, fire, and kitchen tasks — shapes, roles, and nothing across tenants."""

from decimal import Decimal

import pytest

from accounts.models import Role
from cafe.menu.models import MenuItemBranch, Station
from cafe.orders.models import KitchenTask, TaskStatus
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    ModifierFactory,
    ModifierGroupFactory,
    StationFactory,
    TableFactory,
    map_to_station,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from core.models import IdempotencyKey
from realtime.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for):
    """Clients that read answers in English (the default language is Russian): the
    messages below are asserted as written in the code."""

    def make(user):
        client = client_for(user)
        client.credentials(**client._credentials, HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


@pytest.fixture
def hot(branch):
    return StationFactory(branch=branch, name="Hot")


@pytest.fixture
def soup(hot):
    return station_dish(hot, title="Борщ", price=Decimal("350.00"))


@pytest.fixture
def table(branch):
    return TableFactory(branch=branch, number=4)


@pytest.fixture
def cook(branch):
    return staff_of(branch, Role.COOK)


@pytest.fixture
def manager(branch):
    return staff_of(branch, Role.MANAGER)


@pytest.fixture
def stranger():
    """An owner of another company, with a station, an order and a task there."""
    branch = BranchFactory()
    owner = owner_of(branch.company)
    station = StationFactory(branch=branch)
    order_for(owner, TableFactory(branch=branch), [(station_dish(station), 1)])
    return owner


# Stations


def test_manager_creates_a_station_in_their_branch(client_for, manager, branch):
    response = client_for(manager).post("/api/cafe/stations/", {"name": "Bar", "position": 2}, format="json")
    assert response.status_code == 201, response.json()
    station = Station.unscoped.get()
    assert response.json() == {"id": str(station.pk), "branch": str(branch.pk), "name": "Bar", "position": 2}
    again = client_for(manager).post("/api/cafe/stations/", {"name": "Bar"}, format="json")
    assert again.status_code == 400
    assert "name" in again.json()


def test_owner_names_the_branch_and_staff_only_read(client_for, branch, waiter, hot):
    owner = owner_of(branch.company)
    assert client_for(owner).post("/api/cafe/stations/", {"name": "Pastry"}, format="json").json() == {
        "branch": ["This field is required."]
    }
    other = BranchFactory(company=branch.company)
    created = client_for(owner).post("/api/cafe/stations/", {"name": "Pastry", "branch": str(other.pk)}, format="json")
    assert created.status_code == 201
    assert client_for(waiter).post("/api/cafe/stations/", {"name": "X"}, format="json").status_code == 403
    listed = client_for(waiter).get("/api/cafe/stations/").json()
    assert [s["name"] for s in listed["results"]] == ["Hot"]  # not the other branch's
    assert client_for(owner).get(f"/api/cafe/stations/?branch={other.pk}").json()["count"] == 1


def test_stations_of_other_tenants_are_404(client_for, waiter, stranger):
    foreign = Station.unscoped.get(company=stranger.company)
    other_branch = StationFactory(branch=BranchFactory(company=waiter.company))
    for station in (foreign, other_branch):
        assert client_for(waiter).get(f"/api/cafe/stations/{station.pk}/").status_code == 404
    assert client_for(stranger).get("/api/cafe/stations/").json()["count"] == 1


def test_deleting_a_station_with_tasks_conflicts(client_for, manager, waiter, table, soup, hot):
    order_for(waiter, table, [(soup, 1)])
    assert client_for(manager).delete(f"/api/cafe/stations/{hot.pk}/").status_code == 409


# Menu items: station, per-branch settings, modifiers


def test_menu_item_names_a_station_of_its_own_branch(client_for, manager, branch, hot):
    item = MenuItemFactory(category__company=branch.company, branch=branch)
    api = client_for(manager)
    foreign = StationFactory(branch=BranchFactory(company=branch.company))
    bad = api.patch(f"/api/cafe/menu-items/{item.pk}/", {"station": str(foreign.pk)}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"station": ["Station not found in this branch."]}
    good = api.patch(f"/api/cafe/menu-items/{item.pk}/", {"station": str(hot.pk), "remaining": 5}, format="json")
    assert good.status_code == 200
    assert (good.json()["station"], good.json()["remaining"]) == (str(hot.pk), 5)


def test_company_wide_item_is_mapped_per_branch(client_for, branch, waiter, hot):
    owner = owner_of(branch.company)
    item = MenuItemFactory(category__company=branch.company)
    api = client_for(owner)
    assert api.patch(f"/api/cafe/menu-items/{item.pk}/", {"station": str(hot.pk)}, format="json").status_code == 400
    url = f"/api/cafe/menu-items/{item.pk}/branches/{branch.pk}/"
    response = api.put(url, {"station": str(hot.pk), "remaining": 7}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "menu_item": str(item.pk),
        "branch": str(branch.pk),
        "station": str(hot.pk),
        "is_available": True,
        "remaining": 7,
    }
    seen = client_for(waiter).get(f"/api/cafe/menu-items/{item.pk}/").json()
    assert (seen["station"], seen["remaining"], seen["is_available"]) == (str(hot.pk), 7, True)
    assert api.get(f"/api/cafe/menu-items/{item.pk}/branches/").json() == [response.json()]
    assert client_for(waiter).put(url, {"is_available": False}, format="json").status_code == 403
    foreign_branch = BranchFactory()
    assert api.put(f"/api/cafe/menu-items/{item.pk}/branches/{foreign_branch.pk}/", {}, format="json").json() == {
        "branch": ["Branch not found."]
    }


def test_modifier_groups_and_modifiers_are_managed_over_rest(client_for, manager, branch):
    item = MenuItemFactory(category__company=branch.company, branch=branch)
    api = client_for(manager)
    group = api.post(
        "/api/cafe/modifier-groups/",
        {"menu_item": str(item.pk), "name": "Milk", "required": True, "max_choices": 1},
        format="json",
    )
    assert group.status_code == 201, group.json()
    group_id = group.json()["id"]
    oat = api.post("/api/cafe/modifiers/", {"group": group_id, "name": "oat", "price": "40"}, format="json")
    assert oat.status_code == 201, oat.json()
    assert oat.json() == {"id": oat.json()["id"], "group": group_id, "name": "oat", "price": "40.00", "position": 0}
    shown = api.get(f"/api/cafe/menu-items/{item.pk}/").json()["modifier_groups"]
    assert shown == [
        {
            "id": group_id,
            "menu_item": str(item.pk),
            "name": "Milk",
            "required": True,
            "max_choices": 1,
            "position": 0,
            "modifiers": [oat.json()],
        }
    ]
    assert api.get(f"/api/cafe/modifier-groups/?menu_item={item.pk}").json()["count"] == 1
    assert api.patch(f"/api/cafe/modifiers/{oat.json()['id']}/", {"price": "45"}, format="json").status_code == 200
    assert api.delete(f"/api/cafe/modifier-groups/{group_id}/").status_code == 204


def test_modifiers_of_other_companies_are_404_and_unusable(client_for, manager, stranger):
    foreign_group = ModifierGroupFactory(menu_item=MenuItemFactory(category__company=stranger.company))
    foreign = ModifierFactory(group=foreign_group)
    api = client_for(manager)
    assert api.get(f"/api/cafe/modifier-groups/{foreign_group.pk}/").status_code == 404
    assert api.get(f"/api/cafe/modifiers/{foreign.pk}/").status_code == 404
    assert api.get("/api/cafe/modifiers/").json()["count"] == 0
    response = api.post("/api/cafe/modifiers/", {"group": str(foreign_group.pk), "name": "x"}, format="json")
    assert response.json() == {"group": ["Modifier group not found."]}
    bad = api.post(
        "/api/cafe/modifier-groups/",
        {"menu_item": str(foreign_group.menu_item_id), "name": "x"},
        format="json",
    )
    assert bad.json() == {"menu_item": ["Menu item not found."]}


# Orders: modifiers, notes, line edits, fire


def test_order_line_with_modifiers_note_and_course(client_for, waiter, table, soup):
    group = ModifierGroupFactory(menu_item=soup, name="Bread", max_choices=2)
    rye = ModifierFactory(group=group, name="rye", price=Decimal("20.00"))
    body = {
        "table": str(table.pk),
        "guests": 2,
        "items": [{"menu_item": str(soup.pk), "quantity": 2, "modifiers": [str(rye.pk)], "note": "no cream"}],
    }
    response = client_for(waiter).post("/api/cafe/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    [line] = response.json()["items"]
    assert {k: line[k] for k in ("price", "total", "note", "modifiers", "course", "voided", "void_reason")} == {
        "price": "370.00",
        "total": "740.00",
        "note": "no cream",
        "modifiers": [{"id": str(rye.pk), "group": "Bread", "name": "rye", "price": "20.00"}],
        "course": 1,
        "voided": False,
        "void_reason": "",
    }
    body["items"][0]["modifiers"] = [str(ModifierFactory().pk)]
    refused = client_for(waiter).post("/api/cafe/orders/", body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["items"]["0"]) == ["modifiers"]
    body["items"][0].update(modifiers=[], note="x" * 201)
    assert "note" in client_for(waiter).post("/api/cafe/orders/", body, format="json").json()["items"]["0"]


def test_line_edit_void_and_their_retries(client_for, waiter, cook, table, soup):
    order = order_for(waiter, table, [(soup, 2)])
    line = order.items.get()
    api = client_for(waiter)
    url = f"/api/cafe/orders/{order.pk}/lines/{line.pk}/"
    headers = {"HTTP_IDEMPOTENCY_KEY": "edit-1"}
    first = api.patch(url, {"quantity": 3, "note": "spicy"}, format="json", **headers)
    assert first.status_code == 200, first.json()
    assert (first.json()["items"][0]["id"], first.json()["items"][0]["quantity"]) == (str(line.pk), 3)
    replay = api.patch(url, {"quantity": 3, "note": "spicy"}, format="json", **headers)
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert line.tasks.count() == 3
    assert api.patch(url, {}, format="json").status_code == 400
    voided = api.post(url + "void/", {"reason": "wrong table"}, format="json", HTTP_IDEMPOTENCY_KEY="void-1")
    assert voided.status_code == 200
    assert (voided.json()["items"][0]["voided"], voided.json()["items"][0]["void_reason"]) == (True, "wrong table")
    assert voided.json()["total"] == "0.00"
    assert list(api.post(url + "void/", {}, format="json").json()) == ["reason"]
    assert api.post(url + "void/", {"reason": "again"}, format="json").status_code == 409
    assert IdempotencyKey.objects.count() == 2
    assert client_for(cook).patch(url, {"quantity": 1}, format="json").status_code == 403


def test_waiter_gets_409_once_the_kitchen_started_the_line(client_for, waiter, cook, manager, table, soup):
    order = order_for(waiter, table, [(soup, 1)])
    line = order.items.get()
    task = line.tasks.get()
    assert client_for(cook).post(f"/api/cafe/kitchen/tasks/{task.pk}/claim/").status_code == 200
    url = f"/api/cafe/orders/{order.pk}/lines/{line.pk}/"
    assert client_for(waiter).post(url + "void/", {"reason": "x"}, format="json").status_code == 409
    assert client_for(manager).post(url + "void/", {"reason": "burnt"}, format="json").status_code == 200


def test_lines_of_other_orders_or_tenants_are_404(client_for, waiter, table, soup, stranger):
    order = order_for(waiter, table, [(soup, 1)])
    other = order_for(waiter, table, [(soup, 1)])
    line = other.items.get()
    api = client_for(waiter)
    assert api.patch(f"/api/cafe/orders/{order.pk}/lines/{line.pk}/", {"quantity": 2}, format="json").status_code == 404
    assert (
        client_for(stranger)
        .patch(f"/api/cafe/orders/{other.pk}/lines/{line.pk}/", {"quantity": 2}, format="json")
        .status_code
        == 404
    )
    assert client_for(stranger).post(f"/api/cafe/orders/{other.pk}/fire/").status_code == 404


def test_fire_releases_held_portions(client_for, waiter, cook, table, soup):
    body = {
        "table": str(table.pk),
        "guests": 2,
        "items": [
            {"menu_item": str(soup.pk), "quantity": 1},
            {"menu_item": str(soup.pk), "quantity": 1, "course": 2},
            {"menu_item": str(soup.pk), "quantity": 1, "hold": True},
        ],
    }
    order = client_for(waiter).post("/api/cafe/orders/", body, format="json").json()
    held = KitchenTask.unscoped.filter(status=TaskStatus.HELD)
    assert held.count() == 2
    url = f"/api/cafe/orders/{order['id']}/fire/"
    assert client_for(cook).post(url, {}, format="json").status_code == 403
    fired = client_for(waiter).post(url, {"course": 2}, format="json", HTTP_IDEMPOTENCY_KEY="fire-2")
    assert fired.status_code == 200
    assert [(t["course"], t["status"]) for t in fired.json()["fired"]] == [(2, "pending")]
    replay = client_for(waiter).post(url, {"course": 2}, format="json", HTTP_IDEMPOTENCY_KEY="fire-2")
    assert replay.json() == fired.json()
    rest = client_for(waiter).post(url, {}, format="json").json()["fired"]
    assert [(t["course"], t["status"]) for t in rest] == [(1, "pending")]
    assert held.count() == 0


def test_ordering_more_than_remains_answers_409_with_what_is_left(client_for, waiter, table, soup):
    soup.remaining = 1
    soup.save()
    body = {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(soup.pk), "quantity": 2}]}
    response = client_for(waiter).post("/api/cafe/orders/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Only 1 left of Борщ.", "menu_item": str(soup.pk), "remaining": 1}


# Kitchen tasks


def test_task_list_filters_oldest_first_and_shape(client_for, waiter, cook, table, soup, hot, branch):
    bar = StationFactory(branch=branch, name="Bar")
    drink = station_dish(bar, title="Мохито")
    first = order_for(waiter, table, [(soup, 2)])
    order_for(waiter, table, [(drink, 1)])
    api = client_for(cook)
    listed = api.get("/api/cafe/kitchen/tasks/").json()
    assert listed["count"] == 3
    assert [(t["title"], t["portion"]) for t in listed["results"]] == [("Борщ", 1), ("Борщ", 2), ("Мохито", 1)]
    task = listed["results"][0]
    assert list(task) == [
        "id", "branch", "order", "line", "station", "station_name", "portion", "quantity", "weight", "status",
        "status_display", "cook", "title", "modifiers", "note", "course", "table_number", "service", "pickup_number",
            "created_at",
        "fired_at", "claimed_at", "ready_at", "served_at", "cancelled_at", "updated_at",
    ]  # fmt: skip
    assert api.get(f"/api/cafe/kitchen/tasks/?station={bar.pk}").json()["count"] == 1
    assert api.get(f"/api/cafe/kitchen/tasks/?order={first.pk}").json()["count"] == 2
    api.post(f"/api/cafe/kitchen/tasks/{task['id']}/claim/")
    assert api.get("/api/cafe/kitchen/tasks/?status=in_progress").json()["count"] == 1
    assert api.get("/api/cafe/kitchen/tasks/?status=pending&status=in_progress").json()["count"] == 3
    assert api.get("/api/cafe/kitchen/tasks/?status=cooking").status_code == 400


def test_task_actions_one_and_bulk_with_roles(client_for, waiter, cook, manager, table, soup):
    order_for(waiter, table, [(soup, 3)])
    ids = [str(pk) for pk in KitchenTask.unscoped.order_by("portion").values_list("pk", flat=True)]
    tasks = "/api/cafe/kitchen/tasks/"
    assert client_for(waiter).post(f"{tasks}{ids[0]}/claim/").status_code == 403
    claimed = client_for(cook).post(f"{tasks}{ids[0]}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["cook"] == str(cook.pk)
    assert client_for(cook).post(f"{tasks}{ids[0]}/claim/").status_code == 409
    # all or nothing
    assert client_for(cook).post(f"{tasks}claim/", {"ids": ids}, format="json").status_code == 409
    assert KitchenTask.unscoped.filter(status=TaskStatus.PENDING).count() == 2
    bulk = client_for(manager).post(f"{tasks}claim/", {"ids": ids[1:]}, format="json")
    assert bulk.status_code == 200
    assert [t["id"] for t in bulk.json()] == ids[1:]
    assert client_for(cook).post(f"{tasks}ready/", {"ids": ids}, format="json").status_code == 200
    assert client_for(cook).post(f"{tasks}{ids[2]}/unready/").json()["status"] == "in_progress"
    assert client_for(cook).post(f"{tasks}{ids[0]}/served/").status_code == 403
    served = client_for(waiter).post(f"{tasks}served/", {"ids": ids[:2]}, format="json")
    assert [t["status"] for t in served.json()] == ["served", "served"]
    assert client_for(cook).post(f"{tasks}claim/", {"ids": []}, format="json").status_code == 400


def test_tasks_of_other_branches_and_companies_are_invisible(client_for, waiter, table, soup, stranger, branch):
    order_for(waiter, table, [(soup, 1)])
    other_branch = BranchFactory(company=branch.company)
    other_station = StationFactory(branch=other_branch)
    other_order = order_for(
        staff_of(other_branch), TableFactory(branch=other_branch), [(station_dish(other_station), 1)]
    )
    foreign = KitchenTask.unscoped.get(company=stranger.company)
    neighbour = other_order.items.get().tasks.get()
    cook = staff_of(branch, Role.COOK)
    api = client_for(cook)
    assert api.get("/api/cafe/kitchen/tasks/").json()["count"] == 1
    for task in (foreign, neighbour):
        assert api.get(f"/api/cafe/kitchen/tasks/{task.pk}/").status_code == 404
        assert api.post(f"/api/cafe/kitchen/tasks/{task.pk}/claim/").status_code == 404
        assert api.post("/api/cafe/kitchen/tasks/claim/", {"ids": [str(task.pk)]}, format="json").status_code == 404
    assert client_for(stranger).get("/api/cafe/kitchen/tasks/").json()["count"] == 1
    owner = owner_of(branch.company)
    assert client_for(owner).get("/api/cafe/kitchen/tasks/").json()["count"] == 2
    assert client_for(owner).get(f"/api/cafe/kitchen/tasks/?branch={other_branch.pk}").json()["count"] == 1
    assert KitchenTask.unscoped.filter(status=TaskStatus.PENDING).count() == 3


def test_company_wide_item_reaches_the_mapped_station(client_for, waiter, table, branch, hot):
    item = MenuItemFactory(category__company=branch.company)
    map_to_station(item, hot)
    body = {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(item.pk), "quantity": 1}]}
    assert client_for(waiter).post("/api/cafe/orders/", body, format="json").status_code == 201
    assert KitchenTask.unscoped.get().station_id == hot.pk
    assert MenuItemBranch.unscoped.count() == 1


def test_portions_in_the_kitchen_are_capped_per_order(client_for, waiter, table, soup, settings):
    """ORDER_MAX_PORTIONS: each portion is a task and a kitchen_task_created event, so an
    order (new lines or a line grown) cannot send more than that many to the kitchen."""
    settings.ORDER_MAX_PORTIONS = 4
    api = client_for(waiter)
    body = {"table": str(table.pk), "guests": 1, "items": [{"menu_item": str(soup.pk), "quantity": 3}]}
    order = api.post("/api/cafe/orders/", body, format="json").json()
    events = Event.objects.count()
    more = api.post(
        f"/api/cafe/orders/{order['id']}/items/", {"items": [{"menu_item": str(soup.pk), "quantity": 2}]}, format="json"
    )
    assert more.status_code == 409
    assert more.json() == {
        "detail": "An order has at most 4 portions in the kitchen (ORDER_MAX_PORTIONS); this one has 3, "
        "so at most 1 more can be sent."
    }
    line = order["items"][0]["id"]
    grown = api.patch(f"/api/cafe/orders/{order['id']}/lines/{line}/", {"quantity": 5}, format="json")
    assert grown.status_code == 409
    assert "ORDER_MAX_PORTIONS" in grown.json()["detail"]
    assert KitchenTask.unscoped.filter(order_id=order["id"]).count() == 3
    assert Event.objects.count() == events
    # Cancelled portions no longer count; lines without a station never do.
    assert api.patch(f"/api/cafe/orders/{order['id']}/lines/{line}/", {"quantity": 1}, format="json").status_code == 200
    assert api.patch(f"/api/cafe/orders/{order['id']}/lines/{line}/", {"quantity": 4}, format="json").status_code == 200
    plain = MenuItemFactory(category__company=table.company, branch=table.branch)
    extra = {"items": [{"menu_item": str(plain.pk), "quantity": 50}]}
    assert api.post(f"/api/cafe/orders/{order['id']}/items/", extra, format="json").status_code == 201
