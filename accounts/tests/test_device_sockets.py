"""Sockets of a PIN session: opened only with the device's credential (``&device=``),
and closed with 4003 within seconds once the device is revoked, while a colleague's
socket of their own session stays open."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import devices
from accounts.models import Device, Role
from accounts.tenancy import Tenant
from cafe.tests.factories import BranchFactory, staff_of
from realtime.tests.consumers import conftest as consumers
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, db

ws, memory, _stop_hub = consumers.ws, consumers.memory, consumers._stop_hub

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "4821"


def tablet_with_waiters(count: int = 1):
    branch = BranchFactory()
    manager = staff_of(branch, Role.MANAGER)
    device, key = devices.device_create(
        tenant=Tenant(user=manager, company=branch.company, branch=branch), name="Hall", views=["floor"]
    )
    waiters = [staff_of(branch, pin=make_password(PIN)) for _ in range(count)]
    return device, key, waiters


def pin_session(key: str, waiter) -> str:
    _user, session = devices.pin_login(key=key, employee_id=waiter.pk, pin=PIN)
    return session["access"]


async def test_a_device_sessions_socket_needs_the_devices_credential(ws, memory):
    _device, key, (waiter,) = await db(tablet_with_waiters)()
    access = await db(pin_session)(key, waiter)
    assert await (await ws(ORDERS, access)).closed_with() == 4003
    assert await (await ws(ORDERS, access, device="dev_forged")).closed_with() == 4003
    _other, other_key, _ = await db(tablet_with_waiters)()
    assert await (await ws(ORDERS, access, device=other_key)).closed_with() == 4003
    socket = await ws(ORDERS, access, device=key)
    assert (await socket.receive())["type"] == "connection_established"
    await socket.ping()


async def test_revoking_a_device_closes_its_sockets_within_seconds(ws, memory):
    device, key, (anna, boris) = await db(tablet_with_waiters)(2)
    first = await ws(ORDERS, await db(pin_session)(key, anna), device=key)
    second = await ws(TABLES, await db(pin_session)(key, boris), device=key)
    colleague = await ws(ORDERS, await db(access_token)(anna))  # her own session, not the tablet's
    for socket in (first, second, colleague):
        assert (await socket.receive())["type"] == "connection_established"
    await db(Device.unscoped.filter(pk=device.pk).update)(revoked_at=timezone.now())
    assert await first.closed_with(timeout=3) == 4003
    assert await second.closed_with(timeout=3) == 4003
    await colleague.ping()
    assert await colleague.nothing(1.5)
    own = await ws(ORDERS, await db(access_token)(anna), device=key)  # her own session ignores the parameter
    assert (await own.receive())["type"] == "connection_established"
    await own.ping()
