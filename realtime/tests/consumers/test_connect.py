"""Connecting: the greeting, the scope a socket gets, and every refusal's close code."""

import uuid
from datetime import timedelta

import jwt
import pytest
from django.conf import settings

from accounts.models import Role, User
from accounts.services import tokens_for
from cafe.tests.factories import BranchFactory, CompanyFactory, UserFactory
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, company_wide, db

pytestmark = pytest.mark.django_db(transaction=True)


def greeting(stream: str, company, branch, seq: int = 0) -> dict:
    company_id = str(company.pk)
    branch_id = str(branch.pk) if branch else None
    group = f"cafe_{stream}_{company_id}" + (f"_{branch_id}" if branch else "")
    return {
        "type": "connection_established",
        "company_id": company_id,
        "branch_id": branch_id,
        "group": group,
        "seq": seq,
    }


@pytest.mark.parametrize(("path", "stream"), [(ORDERS, "orders"), (TABLES, "tables")])
async def test_branch_staff_get_their_profile_branch(ws, path, stream):
    waiter = await db(UserFactory)()
    socket = await ws(path, access_token(waiter))
    assert await socket.receive() == greeting(stream, waiter.company, waiter.branch)
    await socket.ping()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WAITER, Role.CASHIER, Role.COOK])
async def test_every_branch_role_may_name_its_own_branch(ws, role):
    user = await db(UserFactory)(role=role)
    socket = await ws(ORDERS, access_token(user), branch_id=user.branch.pk)
    assert await socket.receive() == greeting("orders", user.company, user.branch)


@pytest.mark.parametrize(("path", "stream"), [(ORDERS, "orders"), (TABLES, "tables")])
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_owner_without_branch_gets_a_company_wide_socket(ws, path, stream, role):
    company = await db(CompanyFactory)()
    owner = await db(company_wide)(company, role)
    socket = await ws(path, access_token(owner))
    assert await socket.receive() == greeting(stream, company, None)


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
async def test_owner_gets_the_branch_asked_for(ws, role):
    branch = await db(BranchFactory)()
    owner = await db(company_wide)(branch.company, role)
    socket = await ws(ORDERS, access_token(owner), branch_id=branch.pk)
    assert await socket.receive() == greeting("orders", branch.company, branch)


async def test_owner_with_a_profile_branch_gets_it_unless_asking_for_another(ws):
    home = await db(BranchFactory)()
    other = await db(BranchFactory)(company=home.company)
    owner = await db(UserFactory)(role=Role.OWNER, branch=home)
    socket = await ws(TABLES, access_token(owner))
    assert await socket.receive() == greeting("tables", home.company, home)
    socket = await ws(TABLES, access_token(owner), branch_id=other.pk)
    assert await socket.receive() == greeting("tables", home.company, other)


async def test_greeting_carries_the_company_latest_seq(ws):
    waiter = await db(UserFactory)()
    company = waiter.company
    company.event_seq = 41
    await db(company.save)(update_fields=["event_seq"])
    socket = await ws(ORDERS, access_token(waiter))
    assert await socket.receive() == greeting("orders", company, waiter.branch, seq=41)


# Refusals: accepted, then closed with the code, and nothing else is sent.


async def refused(ws, path: str, token: str | None, **params) -> int | None:
    socket = await ws(path, token, **params)
    return await socket.closed_with()


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_no_token_is_4003(ws, path):
    assert await refused(ws, path, None) == 4003
    assert await refused(ws, path, "") == 4003


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "%00"])
async def test_malformed_token_is_4003(ws, token):
    assert await refused(ws, ORDERS, token) == 4003


async def test_forged_token_is_4003(ws):
    waiter = await db(UserFactory)()
    claims = {"token_type": "access", "exp": 4102444800, "jti": uuid.uuid4().hex, "user_id": str(waiter.pk)}
    forged = jwt.encode(claims, "not-" + settings.SECRET_KEY, algorithm="HS256")
    assert await refused(ws, ORDERS, forged) == 4003
    header, payload, signature = access_token(waiter).split(".")
    tampered = ".".join([header, payload, signature[::-1]])
    assert await refused(ws, ORDERS, tampered) == 4003


async def test_expired_token_is_4003(ws):
    waiter = await db(UserFactory)()
    assert await refused(ws, ORDERS, access_token(waiter, lifetime=timedelta(seconds=-1))) == 4003


async def test_refresh_token_is_not_an_access_token(ws):
    waiter = await db(UserFactory)()
    assert await refused(ws, ORDERS, tokens_for(waiter)["refresh"]) == 4003


async def test_token_of_a_deleted_user_is_4003(ws):
    waiter = await db(UserFactory)()
    token = access_token(waiter)
    await db(User.objects.filter(pk=waiter.pk).delete)()
    assert await refused(ws, ORDERS, token) == 4003


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_inactive_user_is_4003(ws, path):
    waiter = await db(UserFactory)()
    token = access_token(waiter)
    await db(User.objects.filter(pk=waiter.pk).update)(is_active=False)
    assert await refused(ws, path, token) == 4003


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_user_without_company_is_4004(ws, path):
    loner = await db(UserFactory)(role="", branch=None, company=None)
    assert await refused(ws, path, access_token(loner)) == 4004
    assert await refused(ws, path, access_token(loner), branch_id=uuid.uuid4()) == 4004


@pytest.mark.parametrize("branch_id", ["not-a-uuid", "123", pytest.param(str(uuid.uuid4()), id="unknown-uuid")])
async def test_owner_asking_for_a_malformed_or_unknown_branch_is_4005(ws, branch_id):
    owner = await db(company_wide)(await db(CompanyFactory)())
    assert await refused(ws, ORDERS, access_token(owner), branch_id=branch_id) == 4005


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_owner_asking_for_another_company_branch_is_4005(ws, path):
    owner = await db(company_wide)(await db(CompanyFactory)())
    foreign = await db(BranchFactory)()
    assert await refused(ws, path, access_token(owner), branch_id=foreign.pk) == 4005


@pytest.mark.parametrize("path", [ORDERS, TABLES])
async def test_branch_staff_asking_for_another_branch_is_4005(ws, path):
    waiter = await db(UserFactory)()
    sibling = await db(BranchFactory)(company=waiter.company)
    assert await refused(ws, path, access_token(waiter), branch_id=sibling.pk) == 4005
    assert await refused(ws, path, access_token(waiter), branch_id="not-a-uuid") == 4005
