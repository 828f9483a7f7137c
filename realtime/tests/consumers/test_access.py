"""A socket does not outlive its right to exist: expiry, deactivation and moves
close it with 4003 within seconds; unrelated changes leave it open."""

import time
from datetime import timedelta

import pytest

from accounts.models import Role, User
from cafe.tests.factories import BranchFactory, CompanyFactory, UserFactory, owner_of
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, db

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(ws, path, user, **params):
    socket = await ws(path, access_token(user), **params)
    assert (await socket.receive())["type"] == "connection_established"
    return socket


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_socket_closes_4003_when_its_token_expires(ws, memory, path):
    waiter = await db(UserFactory)()
    socket = await ws(path, access_token(waiter, lifetime=timedelta(seconds=2)))
    assert (await socket.receive())["type"] == "connection_established"
    await socket.ping()
    started = time.monotonic()
    assert await socket.closed_with(timeout=4) == 4003
    assert time.monotonic() - started < 3.5


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_socket_closes_4003_when_its_user_is_deactivated(ws, memory, path):
    waiter = await db(UserFactory)()
    socket = await open_socket(ws, path, waiter)
    await db(User.objects.filter(pk=waiter.pk).update)(is_active=False)
    assert await socket.closed_with(timeout=3) == 4003


async def test_socket_closes_4003_when_its_user_is_deleted(ws, memory):
    waiter = await db(UserFactory)()
    socket = await open_socket(ws, ORDERS, waiter)
    await db(User.objects.filter(pk=waiter.pk).delete)()
    assert await socket.closed_with(timeout=3) == 4003


async def test_socket_closes_4003_when_its_user_moves_to_another_branch(ws, memory):
    waiter = await db(UserFactory)()
    colleague = await db(UserFactory)(branch=waiter.branch)
    sibling = await db(BranchFactory)(company=waiter.company)
    moved = await open_socket(ws, ORDERS, waiter)
    stays = await open_socket(ws, ORDERS, colleague)
    await db(User.objects.filter(pk=waiter.pk).update)(branch=sibling)
    assert await moved.closed_with(timeout=3) == 4003
    await stays.ping()
    assert await stays.nothing(0.3), "a colleague's socket is not touched"


async def test_socket_closes_4003_when_its_user_moves_to_another_company(ws, memory):
    owner = await db(owner_of)(await db(CompanyFactory)())
    socket = await open_socket(ws, ORDERS, owner)
    await db(User.objects.filter(pk=owner.pk).update)(company=await db(CompanyFactory)())
    assert await socket.closed_with(timeout=3) == 4003


async def test_company_wide_socket_closes_when_its_owner_becomes_branch_staff(ws, memory):
    branch = await db(BranchFactory)()
    owner = await db(owner_of)(branch.company)
    socket = await open_socket(ws, TABLES, owner)
    await db(User.objects.filter(pk=owner.pk).update)(role=Role.WAITER, branch=branch)
    assert await socket.closed_with(timeout=3) == 4003


async def test_owner_socket_on_a_chosen_branch_survives_a_profile_branch_change(ws, memory):
    """An owner's chosen branch does not depend on their profile branch."""
    chosen = await db(BranchFactory)()
    other = await db(BranchFactory)(company=chosen.company)
    owner = await db(UserFactory)(role=Role.OWNER, branch=None, company=chosen.company)
    socket = await open_socket(ws, ORDERS, owner, branch_id=chosen.pk)
    await db(User.objects.filter(pk=owner.pk).update)(branch=other)
    assert await socket.nothing(0.6)
    await socket.ping()


async def test_sockets_stay_open_through_unrelated_changes(ws, memory):
    waiter = await db(UserFactory)()
    socket = await open_socket(ws, ORDERS, waiter)
    await db(User.objects.filter(pk=waiter.pk).update)(first_name="Renamed")
    await db(UserFactory)(branch=waiter.branch, is_active=False)
    assert await socket.nothing(0.6), "several access checks pass without closing it"
    await socket.ping()
