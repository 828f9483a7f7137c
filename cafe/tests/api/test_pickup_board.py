"""Display tokens and the pickup board they open: numbers and states only, one
branch, nothing else reachable with the key, and a revoked key refused."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from cafe.tests.factories import BranchFactory, StationFactory, owner_of, staff_of, station_dish

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def dish(branch):
    return station_dish(StationFactory(branch=branch, company=branch.company))


def display_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Display {key}")
    return client


def make_token(client_for, user, **body):
    answer = client_for(user).post("/api/users/display-tokens/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def takeaway(client, dish, customer="Anna"):
    body = {"service": "takeaway", "customer_name": customer, "customer_phone": "+7 900 000-00-00",
            "items": [{"menu_item": str(dish.pk), "quantity": 1}]}  # fmt: skip
    answer = client.post("/api/cafe/orders/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_board_shows_numbers_preparing_then_ready_and_nothing_else(client_for, branch, dish):
    manager = staff_of(branch, Role.MANAGER)
    token = make_token(client_for, manager, label="Hall TV")
    assert token["branch"] == str(branch.pk)
    assert token["url"] == f"/app/pickup/#display={token['key']}"
    waiter = client_for(staff_of(branch))
    first, second = takeaway(waiter, dish), takeaway(waiter, dish, "Boris")
    board = display_client(token["key"]).get("/api/cafe/pickup-board/")
    assert board.status_code == 200
    assert board.json() == {"preparing": [first["pickup_number"], second["pickup_number"]], "ready": []}
    cook = client_for(staff_of(branch, Role.COOK))
    tasks = cook.get("/api/cafe/kitchen/tasks/").json()["results"]
    task = next(task for task in tasks if task["order"] == first["id"])
    assert cook.post(f"/api/cafe/kitchen/tasks/{task['id']}/claim/").status_code == 200
    assert cook.post(f"/api/cafe/kitchen/tasks/{task['id']}/ready/").status_code == 200
    board = display_client(token["key"]).get("/api/cafe/pickup-board/").json()
    assert board == {"preparing": [second["pickup_number"]], "ready": [first["pickup_number"]]}
    assert "Anna" not in str(board)
    # Served (picked up): off the board.
    assert waiter.post(f"/api/cafe/kitchen/tasks/{task['id']}/served/").status_code == 200
    assert display_client(token["key"]).get("/api/cafe/pickup-board/").json()["ready"] == []


def test_board_is_of_its_own_branch_only(client_for, branch, dish):
    other = BranchFactory(company=branch.company)
    other_dish = station_dish(StationFactory(branch=other, company=other.company))
    token = make_token(client_for, staff_of(branch, Role.MANAGER))
    takeaway(client_for(staff_of(other)), other_dish)
    assert display_client(token["key"]).get("/api/cafe/pickup-board/").json() == {"preparing": [], "ready": []}


def test_the_key_opens_nothing_else_and_staff_tokens_do_not_open_the_board(client_for, branch):
    manager = staff_of(branch, Role.MANAGER)
    key = make_token(client_for, manager)["key"]
    display = display_client(key)
    for path in ["/api/cafe/orders/", "/api/cafe/tables/", "/api/users/me/", "/api/users/display-tokens/"]:
        assert display.get(path).status_code == 401, path
    assert client_for(manager).get("/api/cafe/pickup-board/").status_code == 401
    assert APIClient().get("/api/cafe/pickup-board/").status_code == 401


def test_revoked_key_is_refused(client_for, branch):
    manager = staff_of(branch, Role.MANAGER)
    token = make_token(client_for, manager)
    assert display_client(token["key"]).get("/api/cafe/pickup-board/").status_code == 200
    assert client_for(manager).delete(f"/api/users/display-tokens/{token['id']}/").status_code == 204
    answer = display_client(token["key"]).get("/api/cafe/pickup-board/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Display token is invalid or revoked."}
    listed = client_for(manager).get("/api/users/display-tokens/").json()["results"]
    assert listed[0]["revoked_at"] is not None
    assert "key" not in listed[0]
    assert display_client("dsp_" + "x" * 40).get("/api/cafe/pickup-board/").status_code == 401
    assert display_client("nonsense").get("/api/cafe/pickup-board/").status_code == 401


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
def test_only_managing_roles_make_tokens(client_for, branch, role):
    answer = client_for(staff_of(branch, role)).post("/api/users/display-tokens/", {}, format="json")
    assert answer.status_code == 403


def test_owner_names_the_branch_and_cannot_name_another_companys(client_for, branch):
    owner = owner_of(branch.company)
    assert client_for(owner).post("/api/users/display-tokens/", {}, format="json").status_code == 400
    foreign = BranchFactory()
    answer = client_for(owner).post("/api/users/display-tokens/", {"branch": str(foreign.pk)}, format="json")
    assert answer.status_code == 400
    assert "branch" in answer.json()
    assert make_token(client_for, owner, branch=str(branch.pk))["branch"] == str(branch.pk)


def test_another_branchs_manager_cannot_see_or_revoke_a_token(client_for, branch):
    token = make_token(client_for, staff_of(branch, Role.MANAGER))
    other = staff_of(BranchFactory(company=branch.company), Role.MANAGER)
    assert client_for(other).get("/api/users/display-tokens/").json()["results"] == []
    assert client_for(other).delete(f"/api/users/display-tokens/{token['id']}/").status_code == 404
    assert display_client(token["key"]).get("/api/cafe/pickup-board/").status_code == 200


def test_a_company_holds_a_bounded_number_of_live_tokens(client_for, branch, monkeypatch):
    monkeypatch.setattr("accounts.display.DISPLAY_TOKENS_MAX", 2)
    manager = staff_of(branch, Role.MANAGER)
    first = make_token(client_for, manager)
    make_token(client_for, manager)
    assert client_for(manager).post("/api/users/display-tokens/", {}, format="json").status_code == 400
    client_for(manager).delete(f"/api/users/display-tokens/{first['id']}/")
    make_token(client_for, manager)
