"""Sockets per user, per company and per company on one process; replays of the log
per socket and per user (realtime/admission.py, docs/security.md "Sockets per tenant").
On both live transports: in this process's counts, and in Redis as several processes
share them."""

import asyncio

import pytest
import redis
from django.conf import settings as django_settings

from accounts.models import Role
from accounts.tenancy import tenant_for
from cafe.floor.services import table_create
from cafe.tests.factories import BranchFactory, UserFactory, staff_of
from realtime import admission
from realtime.hub import get_hub
from realtime.tests.consumers.conftest import ORDERS, TABLES, access_token, company_wide, db

pytestmark = pytest.mark.django_db(transaction=True)

KITCHEN = "/ws/cafe/kitchen/"


def too_many_sockets(message: str) -> dict:
    return {"type": "error", "code": "too_many_sockets", "message": message}


def too_many_resumes(message: str, retry_after: int) -> dict:
    return {"type": "error", "code": "too_many_resumes", "message": message, "retry_after": retry_after}


async def refused(ws, path: str, token: str, **params) -> dict:
    """Opens a socket over a limit: its error frame, after which it is closed 4029."""
    socket = await ws(path, token, lang="en", **params)
    error = await socket.receive()
    assert await socket.closed_with() == 4029
    return error


async def joined(ws, path: str, token: str, **params):
    socket = await ws(path, token, lang="en", **params)
    assert (await socket.receive())["type"] == "connection_established"
    return socket


async def add_tables(branch, numbers) -> None:
    """Tables created by the branch's manager: a `table_created` event each, on the tables socket."""
    tenant = await db(tenant_for)(await db(staff_of)(branch, Role.MANAGER))
    for number in numbers:
        await db(table_create)(tenant=tenant, number=number, seats=2)


async def started(transport) -> None:
    """This process's hub running on the transport (its Redis listener subscribed)."""
    get_hub()
    await transport()


async def slots_given_back(user_id: str, company_id: str) -> None:
    """Waits until this process and Redis (if used) count no socket of the user or company."""
    hub = get_hub()
    keys = [admission._user_sockets(user_id, company_id), admission._company_sockets(company_id)]
    client = redis.Redis.from_url(django_settings.REDIS_URL) if hub.admission.redis is not None else None
    try:
        for _ in range(100):
            local = hub.admission.users[user_id] or hub.admission.companies[company_id]
            shared = client is not None and any(client.zcard(key) for key in keys)
            if not local and not shared:
                return
            await asyncio.sleep(0.02)
    finally:
        if client is not None:
            client.close()
    raise AssertionError("the sockets' slots were not given back")


# Sockets


async def test_a_user_holds_at_most_their_sockets_and_gets_one_back_when_one_closes(ws, transport, settings):
    settings.WEBSOCKET_MAX_PER_USER = 3
    await started(transport)
    waiter = await db(UserFactory)(role=Role.WAITER)
    token = access_token(waiter)
    sockets = [await joined(ws, path, token) for path in (ORDERS, TABLES, KITCHEN)]
    assert await refused(ws, ORDERS, token) == too_many_sockets(
        "This user already has 3 sockets open, the most allowed; close one and try again."
    )
    # Another user of the same branch is not held back by this one.
    await (await joined(ws, ORDERS, access_token(await db(staff_of)(waiter.branch, Role.COOK)))).ping()
    await sockets[0].ping()
    await sockets.pop().communicator.disconnect()
    await joined(ws, KITCHEN, token)


async def test_a_company_holds_at_most_its_sockets_and_other_companies_still_get_in(ws, transport, settings):
    settings.WEBSOCKET_MAX_PER_COMPANY = 3
    await started(transport)
    branch, other = await db(BranchFactory)(), await db(BranchFactory)()
    owner = await db(company_wide)(branch.company)
    for role in (Role.WAITER, Role.COOK, Role.MANAGER):
        await joined(ws, ORDERS, access_token(await db(staff_of)(branch, role)))
    for user in (owner, await db(staff_of)(branch, Role.CASHIER)):
        assert await refused(ws, ORDERS, access_token(user)) == too_many_sockets(
            "This company already has 3 sockets open, the most allowed; close one and try again."
        )
    for role in (Role.WAITER, Role.OWNER):
        await (await joined(ws, TABLES, access_token(await db(staff_of)(other, role)))).ping()


async def test_a_company_takes_at_most_its_share_of_a_process(ws, transport, settings):
    settings.MAX_CONNECTIONS, settings.WEBSOCKET_COMPANY_SHARE = 10, 0.3
    await started(transport)
    branch, other = await db(BranchFactory)(), await db(BranchFactory)()
    for role in (Role.WAITER, Role.COOK, Role.MANAGER):
        await joined(ws, ORDERS, access_token(await db(staff_of)(branch, role)))
    assert await refused(ws, TABLES, access_token(await db(staff_of)(branch, Role.WAITER))) == too_many_sockets(
        "This company already holds 3 sockets on this server process, its share of the connections; try again shortly."
    )
    for _ in range(3):
        await joined(ws, ORDERS, access_token(await db(staff_of)(other, Role.WAITER)))


async def test_the_refusal_is_in_the_sockets_language(ws, settings):
    settings.REDIS_URL, settings.WEBSOCKET_MAX_PER_USER = "", 1
    waiter = await db(UserFactory)(role=Role.WAITER)
    token = access_token(waiter)
    await joined(ws, ORDERS, token)
    socket = await ws(TABLES, token)
    assert await socket.receive() == too_many_sockets(
        "У этого пользователя уже открыто 1 сокетов — больше нельзя; закройте один и попробуйте снова."
    )
    assert await socket.closed_with() == 4029


async def test_every_end_of_a_socket_gives_its_slot_back(ws, transport, settings):
    settings.WEBSOCKET_MAX_PER_USER = 2
    await started(transport)
    waiter = await db(UserFactory)(role=Role.WAITER)
    token, user_id, company_id = access_token(waiter), str(waiter.pk), str(waiter.company_id)
    # The client closes; the server closes (a frame over the limit: 1009).
    first, second = await joined(ws, ORDERS, token), await joined(ws, TABLES, token)
    await first.communicator.disconnect()
    await second.send("x" * (django_settings.WEBSOCKET_MAX_FRAME + 1))
    assert await second.closed_with() == 1009
    await slots_given_back(user_id, company_id)
    # A refused socket holds none.
    sockets = [await joined(ws, ORDERS, token), await joined(ws, TABLES, token)]
    await refused(ws, KITCHEN, token)
    for socket in sockets:
        await socket.communicator.disconnect()
    await slots_given_back(user_id, company_id)


@pytest.mark.parametrize("transport", ["redis"], indirect=True)
async def test_sockets_on_other_processes_count_and_a_dead_process_frees_its_slots(ws, transport, settings):
    """Another process's admissions, in the same Redis: they count here; when it stops
    renewing them (killed), they expire after WEBSOCKET_SLOT_SECONDS."""
    settings.WEBSOCKET_MAX_PER_USER, settings.WEBSOCKET_SLOT_SECONDS = 3, 1.0
    await started(transport)
    waiter = await db(UserFactory)(role=Role.WAITER)
    token = access_token(waiter)
    elsewhere = admission.Admission()
    try:
        for _ in range(2):
            await elsewhere.admit(user_id=str(waiter.pk), company_id=str(waiter.company_id))
        await joined(ws, ORDERS, token)
        assert (await refused(ws, TABLES, token))["code"] == "too_many_sockets"
        await asyncio.sleep(0.6)
        await elsewhere.renew_once()  # still alive at 0.6 s: renewed for another second
        await asyncio.sleep(0.6)
        assert (await refused(ws, TABLES, token))["code"] == "too_many_sockets"
        await asyncio.sleep(1.1)  # the other process died: nothing renews its slots
        await joined(ws, TABLES, token)
        await joined(ws, KITCHEN, token)
        assert (await refused(ws, KITCHEN, token))["code"] == "too_many_sockets"
    finally:
        await elsewhere.redis.aclose()


async def test_without_redis_sockets_are_still_admitted_on_this_processs_counts(ws, settings):
    """Redis unreachable: admission falls back to this process's counts, which still hold."""
    settings.REDIS_URL, settings.WEBSOCKET_MAX_PER_USER = "redis://127.0.0.1:1/0", 2
    settings.HUB_POLL_SECONDS = 30
    waiter = await db(UserFactory)(role=Role.WAITER)
    token = access_token(waiter)
    await joined(ws, ORDERS, token)
    await joined(ws, TABLES, token)
    assert (await refused(ws, KITCHEN, token))["code"] == "too_many_sockets"


# Replays


async def test_a_socket_replays_the_log_at_most_its_limit_a_minute(ws, transport, settings):
    settings.WEBSOCKET_REPLAYS_PER_SOCKET = 2
    await started(transport)
    waiter = await db(UserFactory)(role=Role.WAITER)
    await add_tables(waiter.branch, [1, 2, 3])
    socket = await joined(ws, TABLES, access_token(waiter), since=0)  # the first replay
    assert [event["seq"] for event in await socket.receive_many(3)] == [1, 2, 3]
    await socket.send_json({"action": "resume", "since": 1})
    assert [event["seq"] for event in await socket.receive_many(2)] == [2, 3]
    await socket.send_json({"action": "resume", "since": 0})
    error = await socket.receive()
    assert 58 <= error["retry_after"] <= 60
    assert error == too_many_resumes(
        f"This socket may replay the event log at most 2 times a minute; try again in {error['retry_after']} s.",
        error["retry_after"],
    )
    # Nothing was replayed, and the socket stays open and live.
    await socket.ping()
    await add_tables(waiter.branch, [4])
    assert (await socket.receive())["seq"] == 4


async def test_a_user_replays_the_log_at_most_their_limit_a_minute(ws, transport, settings):
    settings.WEBSOCKET_REPLAYS_PER_USER = 3
    await started(transport)
    branch = await db(BranchFactory)()
    waiter, cook = await db(staff_of)(branch, Role.WAITER), await db(staff_of)(branch, Role.COOK)
    await add_tables(branch, [1, 2])
    token = access_token(waiter)
    replaying = [await joined(ws, TABLES, token, since=0) for _ in range(2)]
    assert [event["seq"] for event in await replaying[0].receive_many(2)] == [1, 2]
    assert [event["seq"] for event in await replaying[1].receive_many(2)] == [1, 2]
    await replaying[0].send_json({"action": "resume", "since": 0})  # the third
    assert [event["seq"] for event in await replaying[0].receive_many(2)] == [1, 2]
    await replaying[1].send_json({"action": "resume", "since": 0})
    error = await replaying[1].receive()
    assert error["code"] == "too_many_resumes"
    assert 58 <= error["retry_after"] <= 60
    # A join with `since` behind the latest event is a replay: refused, closed 4029.
    error = await refused(ws, TABLES, token, since=1)
    assert error == too_many_resumes(
        f"This user may replay the event log at most 3 times a minute; try again in {error['retry_after']} s.",
        error["retry_after"],
    )
    # What replays nothing still joins: no `since`, or `since` at the latest event.
    await joined(ws, TABLES, token)
    await (await joined(ws, ORDERS, token, since=2)).ping()
    # Another user of the branch replays as usual.
    cooks = await joined(ws, TABLES, access_token(cook), since=0)
    assert [event["seq"] for event in await cooks.receive_many(2)] == [1, 2]


async def test_a_device_that_reconnects_a_few_times_a_minute_still_resumes(ws, transport, settings):
    """The defaults: a tablet with its three sockets drops off the Wi-Fi four times in a
    minute and reconnects each time with the seq it last handled; it misses nothing."""
    await started(transport)
    waiter = await db(UserFactory)(role=Role.WAITER)
    token = access_token(waiter)
    since = 0
    for number in range(1, 5):
        await add_tables(waiter.branch, [number])
        sockets = [await joined(ws, path, token, since=since) for path in (ORDERS, TABLES, KITCHEN)]
        assert [event["seq"] for event in await sockets[1].receive_many(number - since)] == list(
            range(since + 1, number + 1)
        )
        await sockets[1].send_json({"action": "resume", "since": since})  # and one resume on top
        assert [event["seq"] for event in await sockets[1].receive_many(number - since)] == list(
            range(since + 1, number + 1)
        )
        for socket in sockets:
            await socket.communicator.disconnect()
        since = number


class _TornDown:
    """redis-py's asyncio cluster client while a master fails over: it writes to a
    connection it has just torn down, and the loop raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def eval(self, *args):
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        AttributeError("'NoneType' object has no attribute 'writelines'"),  # asyncio's loop
        RuntimeError("unable to perform operation on <TCPTransport closed=True>; the handler is closed"),  # uvloop
    ],
    ids=["asyncio", "uvloop"],
)
async def test_a_redis_connection_torn_down_in_a_failover_is_redis_away_for_admission_and_replays(settings, error):
    """Admission and the replay count fall back to this process's counts (no 1011 for a
    socket joining or resuming while a Redis Cluster master fails over)."""
    settings.WEBSOCKET_MAX_PER_USER, settings.WEBSOCKET_REPLAYS_PER_USER = 2, 1
    counts = admission.Admission()
    counts.redis = _TornDown(error)  # type: ignore[assignment]
    slots = [await counts.admit(user_id="u", company_id="c") for _ in range(2)]
    assert len(slots) == 2
    with pytest.raises(admission.Refused):
        await counts.admit(user_id="u", company_id="c")
    await counts.replay(user_id="u")
    with pytest.raises(admission.Refused):
        await counts.replay(user_id="u")
