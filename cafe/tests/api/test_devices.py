"""Registered devices: a manager registers a tablet for a branch and gets its
credential once; the credential alone only says what the device is and who may
sign in on it; revoking it refuses it at once. Cross-tenant and per role."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Device, Role
from cafe.tests.factories import BranchFactory, TableFactory, owner_of, staff_of

pytestmark = pytest.mark.django_db

PIN = "4821"


def device_client(key: str | None, token: str | None = None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_X_DEVICE=key, **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}))
    elif token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def register(client_for, manager, **body) -> dict:
    body = {"name": "Hall tablet", "views": ["floor", "till"], **body}
    answer = client_for(manager).post("/api/users/devices/", body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def with_pin(user, pin: str = PIN):
    from django.contrib.auth.hashers import make_password

    user.pin = make_password(pin)
    user.save(update_fields=["pin"])
    return user


def test_a_manager_registers_a_device_for_their_branch_and_sees_the_key_once(client_for):
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    device = register(client_for, manager, views=["till", "floor", "floor"])
    assert device["branch"] == str(branch.pk)
    assert device["name"] == "Hall tablet"
    assert device["views"] == ["floor", "till"]
    assert device["key"].startswith("dev_")
    assert device["revoked_at"] is None
    stored = Device.unscoped.get(pk=device["id"])
    assert device["key"] not in stored.key_hash
    assert len(stored.key_hash) == 64
    listed = client_for(manager).get("/api/users/devices/").json()["results"]
    assert [row["id"] for row in listed] == [device["id"]]
    assert "key" not in listed[0]
    assert "key" not in client_for(manager).get(f"/api/users/devices/{device['id']}/").json()


def test_device_input_is_checked_field_by_field(client_for):
    owner = owner_of(BranchFactory().company)
    answer = client_for(owner).post("/api/users/devices/", {"name": "", "views": ["bar"]}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"name", "views"}
    answer = client_for(owner).post("/api/users/devices/", {"name": "T", "views": ["floor"]}, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["branch"]  # company-wide: which branch?
    foreign = BranchFactory()
    body = {"name": "T", "views": ["floor"], "branch": str(foreign.pk)}
    answer = client_for(owner).post("/api/users/devices/", body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["branch"]


def test_devices_are_bounded_per_company(client_for, settings):
    settings.COMPANY_MAX_DEVICES = 2
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    first = register(client_for, manager)
    register(client_for, manager)
    refused = client_for(manager).post("/api/users/devices/", {"name": "3", "views": ["floor"]}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["detail"]
    assert " 2 " in refused.json()["detail"]
    assert client_for(manager).delete(f"/api/users/devices/{first['id']}/").status_code == 204
    register(client_for, manager)  # a revoked device frees its place


def test_registering_is_idempotent_with_a_key(client_for):
    manager = staff_of(BranchFactory(), Role.MANAGER)
    client = client_for(manager)
    body = {"name": "Hall tablet", "views": ["floor"]}
    first = client.post("/api/users/devices/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/users/devices/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Device.unscoped.count() == 1


def test_the_credential_alone_says_what_the_device_is_and_who_may_sign_in(client_for, settings):
    settings.DEVICE_IDLE_LOCK_SECONDS = 90
    branch = BranchFactory(name="Riverside")
    manager = staff_of(branch, Role.MANAGER)
    anna = with_pin(staff_of(branch, first_name="Anna", last_name="Petrova"))
    with_pin(staff_of(branch, first_name="Gone"), PIN).__class__.objects.filter(first_name="Gone").update(
        is_active=False
    )
    staff_of(branch, first_name="NoPin")
    with_pin(staff_of(BranchFactory(company=branch.company), first_name="Elsewhere"))
    with_pin(owner_of(branch.company, first_name="Owner"))
    device = register(client_for, manager)
    me = device_client(device["key"]).get("/api/users/devices/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": device["id"],
        "name": "Hall tablet",
        "branch": str(branch.pk),
        "branch_name": "Riverside",
        "views": ["floor", "till"],
        "idle_lock_seconds": 90,
        "session_seconds": settings.DEVICE_SESSION_SECONDS,
    }
    staff = device_client(device["key"]).get("/api/users/devices/me/staff/")
    assert staff.status_code == 200
    assert staff.json()["results"] == [
        {"id": str(anna.pk), "first_name": "Anna", "last_name": "Petrova", "role": "waiter", "pin_locked": False}
    ]
    assert anna.email not in staff.content.decode()


def test_a_device_has_its_own_idle_lock_set_when_registered_or_changed(client_for, settings):
    settings.DEVICE_IDLE_LOCK_SECONDS = 120
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    kitchen = register(client_for, manager, name="Kitchen display", views=["kitchen"], idle_lock_seconds=900)
    assert kitchen["idle_lock_seconds"] == 900
    assert device_client(kitchen["key"]).get("/api/users/devices/me/").json()["idle_lock_seconds"] == 900
    hall = register(client_for, manager)
    assert hall["idle_lock_seconds"] is None
    assert device_client(hall["key"]).get("/api/users/devices/me/").json()["idle_lock_seconds"] == 120

    client = client_for(manager)
    body = {"idle_lock_seconds": 30, "name": "Hall tablet 2", "views": ["till", "floor"]}
    changed = client.patch(
        f"/api/users/devices/{hall['id']}/", {**body, "branch": str(BranchFactory().pk)}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["idle_lock_seconds"], changed.json()["name"]) == (30, "Hall tablet 2")
    assert changed.json()["views"] == ["floor", "till"]
    assert changed.json()["branch"] == str(branch.pk)  # a device does not move: register another
    assert device_client(hall["key"]).get("/api/users/devices/me/").json()["idle_lock_seconds"] == 30
    back = client.patch(f"/api/users/devices/{hall['id']}/", {"idle_lock_seconds": None}, format="json")
    assert back.json()["idle_lock_seconds"] is None
    assert device_client(hall["key"]).get("/api/users/devices/me/").json()["idle_lock_seconds"] == 120
    # The credential still works after a change.
    assert device_client(hall["key"]).get("/api/users/devices/me/staff/").status_code == 200


@pytest.mark.parametrize("body", [{"idle_lock_seconds": 5}, {"idle_lock_seconds": 86401}, {"idle_lock_seconds": "x"}])
def test_an_idle_lock_out_of_bounds_is_refused_naming_the_field(client_for, body):
    manager = staff_of(BranchFactory(), Role.MANAGER)
    refused = client_for(manager).post("/api/users/devices/", {"name": "T", "views": ["floor"], **body}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["idle_lock_seconds"]
    device = register(client_for, manager)
    refused = client_for(manager).patch(f"/api/users/devices/{device['id']}/", body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["idle_lock_seconds"]
    empty = client_for(manager).patch(f"/api/users/devices/{device['id']}/", {"views": []}, format="json")
    assert list(empty.json()) == ["views"]


@pytest.mark.parametrize(
    "path", ["/api/cafe/tables/", "/api/users/me/", "/api/cafe/orders/", "/api/users/devices/", "/api/cafe/snapshot/"]
)
def test_the_credential_alone_opens_nothing_else(client_for, path):
    branch = BranchFactory()
    TableFactory(branch=branch)
    device = register(client_for, staff_of(branch, Role.MANAGER))
    answer = device_client(device["key"]).get(path)
    assert answer.status_code == 401


@pytest.mark.parametrize("key", [None, "", "dev_nope", "x" * 500, "dev_" + "a" * 200])
def test_device_views_refuse_a_missing_or_unknown_credential(key):
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_X_DEVICE=key)
    for path in ("/api/users/devices/me/", "/api/users/devices/me/staff/"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert list(answer.json()) == ["detail"]


def test_revoking_refuses_the_credential_at_once_and_keeps_the_row(client_for):
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    device = register(client_for, manager)
    assert client_for(manager).delete(f"/api/users/devices/{device['id']}/").status_code == 204
    assert client_for(manager).delete(f"/api/users/devices/{device['id']}/").status_code == 204
    assert device_client(device["key"]).get("/api/users/devices/me/").status_code == 401
    assert device_client(device["key"]).get("/api/users/devices/me/staff/").status_code == 401
    row = client_for(manager).get(f"/api/users/devices/{device['id']}/").json()
    assert row["revoked_at"] is not None


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.COOK])
def test_staff_below_manager_neither_see_nor_register_devices(client_for, role):
    branch = BranchFactory()
    device = register(client_for, staff_of(branch, Role.MANAGER))
    client = client_for(staff_of(branch, role))
    assert client.get("/api/users/devices/").status_code == 403
    assert client.post("/api/users/devices/", {"name": "T", "views": ["floor"]}, format="json").status_code == 403
    assert client.delete(f"/api/users/devices/{device['id']}/").status_code == 403
    assert Device.unscoped.get(pk=device["id"]).revoked_at is None


def test_another_branch_or_company_sees_no_device_and_cannot_revoke_it(client_for):
    branch = BranchFactory()
    device = register(client_for, staff_of(branch, Role.MANAGER))
    for stranger in (staff_of(BranchFactory(company=branch.company), Role.MANAGER), owner_of(BranchFactory().company)):
        client = client_for(stranger)
        assert client.get("/api/users/devices/").json()["results"] == []
        assert client.get(f"/api/users/devices/{device['id']}/").status_code == 404
        assert client.delete(f"/api/users/devices/{device['id']}/").status_code == 404
    assert Device.unscoped.get(pk=device["id"]).revoked_at is None
    owner = client_for(owner_of(branch.company))
    assert [row["id"] for row in owner.get("/api/users/devices/").json()["results"]] == [device["id"]]
