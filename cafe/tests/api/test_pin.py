"""PINs and the sessions they open on a registered device: set by the employee
with their password or by a manager; a PIN opens a session bound to the device,
refused without the device's credential, with another device's, and after the
device is revoked; guesses are throttled per device and per employee, and a PIN
locks after repeated failures."""

import pytest
from django.contrib.auth.hashers import check_password
from rest_framework.test import APIClient

from accounts.models import Role, User
from cafe.orders.models import Order
from cafe.tests.api.test_devices import PIN, device_client, register, with_pin
from cafe.tests.factories import (
    PASSWORD,
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    owner_of,
    staff_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return BranchFactory()


@pytest.fixture
def device(client_for, branch):
    return register(client_for, staff_of(branch, Role.MANAGER))


def pin_login(key, employee, pin=PIN):
    return device_client(key).post(
        "/api/users/devices/pin-login/", {"employee": str(employee.pk), "pin": pin}, format="json"
    )


def session(key, employee, pin=PIN) -> str:
    answer = pin_login(key, employee, pin)
    assert answer.status_code == 200, answer.json()
    return answer.json()["access"]


def test_an_employee_sets_their_pin_with_their_password(client_for, branch):
    waiter = staff_of(branch)
    client = client_for(waiter)
    assert client.post("/api/users/me/pin/", {"password": PASSWORD, "pin": "135790"}, format="json").status_code == 204
    waiter.refresh_from_db()
    assert check_password("135790", waiter.pin)
    assert "135790" not in waiter.pin
    wrong = client.post("/api/users/me/pin/", {"password": "not-it", "pin": "2468"}, format="json")
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["password"]


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", " 1234", "", 1234, None])
def test_a_pin_is_4_to_6_digits(client_for, branch, pin):
    answer = client_for(staff_of(branch)).post("/api/users/me/pin/", {"password": PASSWORD, "pin": pin}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["pin"]


def test_owners_and_admins_have_no_pin(client_for, branch):
    answer = client_for(owner_of(branch.company)).post(
        "/api/users/me/pin/", {"password": PASSWORD, "pin": "1234"}, format="json"
    )
    assert answer.status_code == 400
    assert list(answer.json()) == ["pin"]


def test_a_manager_sets_and_clears_a_pin_of_their_branch_only(client_for, branch, device):
    manager = client_for(staff_of(branch, Role.MANAGER))
    waiter = staff_of(branch)
    assert manager.put(f"/api/users/pins/{waiter.pk}/", {"pin": "9876"}, format="json").status_code == 204
    assert pin_login(device["key"], waiter, "9876").status_code == 200
    assert manager.delete(f"/api/users/pins/{waiter.pk}/").status_code == 204
    assert pin_login(device["key"], waiter, "9876").status_code == 401
    elsewhere = staff_of(BranchFactory(company=branch.company))
    foreign = staff_of(BranchFactory())
    for stranger in (elsewhere, foreign):
        assert manager.put(f"/api/users/pins/{stranger.pk}/", {"pin": "9876"}, format="json").status_code == 404
        stranger.refresh_from_db()
        assert stranger.pin == ""
    waiter_client = client_for(staff_of(branch))
    assert waiter_client.put(f"/api/users/pins/{waiter.pk}/", {"pin": "1111"}, format="json").status_code == 403
    owner = client_for(owner_of(branch.company))
    assert owner.put(f"/api/users/pins/{elsewhere.pk}/", {"pin": "1111"}, format="json").status_code == 204
    assert owner.put(f"/api/users/pins/{foreign.pk}/", {"pin": "1111"}, format="json").status_code == 404


def test_a_pin_opens_a_session_bound_to_the_device(client_for, branch, device, settings):
    waiter = with_pin(staff_of(branch, first_name="Anna"))
    answer = pin_login(device["key"], waiter)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == settings.DEVICE_SESSION_SECONDS
    assert body["user"]["id"] == str(waiter.pk)
    assert "refresh" not in body
    assert answer["Cache-Control"].startswith("max-age=0")
    access = body["access"]
    assert device_client(device["key"], access).get("/api/users/me/").json()["id"] == str(waiter.pk)
    assert device_client(device["key"], access).get("/api/cafe/tables/").status_code == 200
    # Without the device's credential, or with another device's, the token is useless.
    assert device_client(None, access).get("/api/cafe/tables/").status_code == 401
    other = register(client_for, staff_of(branch, Role.MANAGER), name="Bar tablet")
    assert device_client(other["key"], access).get("/api/cafe/tables/").status_code == 401
    assert device_client("dev_forged", access).get("/api/cafe/tables/").status_code == 401


def test_revoking_the_device_refuses_its_sessions_at_once(client_for, branch, device):
    manager = staff_of(branch, Role.MANAGER)
    access = session(device["key"], with_pin(staff_of(branch)))
    assert device_client(device["key"], access).get("/api/cafe/tables/").status_code == 200
    assert client_for(manager).delete(f"/api/users/devices/{device['id']}/").status_code == 204
    assert device_client(device["key"], access).get("/api/cafe/tables/").status_code == 401
    assert pin_login(device["key"], with_pin(staff_of(branch))).status_code == 401


def test_a_session_ends_when_its_employee_leaves_the_devices_branch(client_for, branch, device):
    waiter = with_pin(staff_of(branch))
    access = session(device["key"], waiter)
    User.objects.filter(pk=waiter.pk).update(branch=BranchFactory(company=branch.company))
    assert device_client(device["key"], access).get("/api/cafe/tables/").status_code == 401


def test_a_pin_is_useless_without_the_device_credential(branch):
    waiter = with_pin(staff_of(branch))
    for key in (None, "dev_unknown"):
        answer = pin_login(key, waiter)
        assert answer.status_code == 401
    answer = APIClient().post("/api/users/devices/pin-login/", {"employee": str(waiter.pk), "pin": PIN}, format="json")
    assert answer.status_code == 401


def test_only_staff_of_the_devices_branch_sign_in_on_it(client_for, branch, device):
    elsewhere = with_pin(staff_of(BranchFactory(company=branch.company)))
    foreign = with_pin(staff_of(BranchFactory()))
    inactive = with_pin(staff_of(branch, is_active=False))
    for employee in (elsewhere, foreign, inactive):
        answer = pin_login(device["key"], employee)
        assert answer.status_code == 401
        assert list(answer.json()) == ["detail"]


def test_writes_on_one_device_are_recorded_under_each_employee(client_for, branch, device):
    anna, boris = with_pin(staff_of(branch)), with_pin(staff_of(branch), "5555")
    dish = MenuItemFactory(category=CategoryFactory(company=branch.company))
    made = []
    for employee, pin, number in ((anna, PIN, 1), (boris, "5555", 2)):
        client = device_client(device["key"], session(device["key"], employee, pin))
        body = {"table": str(TableFactory(branch=branch, number=number).pk), "guests": 2,
                "items": [{"menu_item": str(dish.pk), "quantity": 1}]}  # fmt: skip
        answer = client.post("/api/cafe/orders/", body, format="json")
        assert answer.status_code == 201, answer.json()
        made.append(answer.json()["id"])
    assert [Order.unscoped.get(pk=pk).waiter_id for pk in made] == [anna.pk, boris.pk]


def test_wrong_pins_are_throttled_per_employee_on_a_device(client_for, branch, device):
    waiter = with_pin(staff_of(branch))
    for _ in range(5):
        assert pin_login(device["key"], waiter, "0000").status_code == 401
    throttled = pin_login(device["key"], waiter, PIN)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another employee on the same device is not held up by it.
    assert pin_login(device["key"], with_pin(staff_of(branch))).status_code == 200


def test_wrong_pins_are_throttled_per_device(client_for, branch, device, settings):
    settings.PIN_DEVICE_FAILURES_ALLOWED = 6
    staff = [with_pin(staff_of(branch)) for _ in range(3)]
    for employee in staff:
        assert pin_login(device["key"], employee, "0000").status_code == 401
        assert pin_login(device["key"], employee, "0001").status_code == 401
    assert pin_login(device["key"], with_pin(staff_of(branch))).status_code == 429
    other = register(client_for, staff_of(branch, Role.MANAGER), name="Other")
    assert pin_login(other["key"], staff[0]).status_code == 200


def test_wrong_pins_are_throttled_per_employee_across_devices(client_for, branch, settings):
    settings.PIN_EMPLOYEE_FAILURES_ALLOWED = 4
    manager = staff_of(branch, Role.MANAGER)
    waiter = with_pin(staff_of(branch))
    first, second, third = (register(client_for, manager, name=str(i)) for i in range(3))
    for key in (first["key"], second["key"]):
        assert pin_login(key, waiter, "0000").status_code == 401
        assert pin_login(key, waiter, "0001").status_code == 401
    assert pin_login(third["key"], waiter).status_code == 429


def test_a_pin_locks_after_repeated_failures_until_it_is_set_again(client_for, branch, device, settings):
    settings.PIN_FAILURES_ALLOWED = settings.PIN_EMPLOYEE_FAILURES_ALLOWED = 100
    settings.PIN_DEVICE_FAILURES_ALLOWED = 100
    settings.PIN_LOCKOUT_FAILURES = 4
    waiter = with_pin(staff_of(branch))
    for _ in range(4):
        assert pin_login(device["key"], waiter, "0000").status_code == 401
    locked = pin_login(device["key"], waiter, PIN)
    assert locked.status_code == 403
    staff = device_client(device["key"]).get("/api/users/devices/me/staff/").json()["results"]
    assert [row["pin_locked"] for row in staff] == [True]
    manager = client_for(staff_of(branch, Role.MANAGER))
    assert manager.put(f"/api/users/pins/{waiter.pk}/", {"pin": "2468"}, format="json").status_code == 204
    assert pin_login(device["key"], waiter, "2468").status_code == 200


def test_a_right_pin_clears_the_failures_in_a_row(branch, device, settings):
    settings.PIN_FAILURES_ALLOWED = 100
    settings.PIN_LOCKOUT_FAILURES = 3
    waiter = with_pin(staff_of(branch))
    for _ in range(3):
        assert pin_login(device["key"], waiter, "0000").status_code == 401
        assert pin_login(device["key"], waiter, "0000").status_code == 401
        assert pin_login(device["key"], waiter).status_code == 200
    waiter.refresh_from_db()
    assert waiter.pin_failures == 0
