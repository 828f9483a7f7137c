"""A socket reads the log (with its authorisation) before it joins the hub. Whatever
the hub handled in between, it must still get every event after its read."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async as db

from accounts.tenancy import tenant_for
from cafe.floor.services import table_create
from cafe.tests.factories import BranchFactory, UserFactory
from realtime import eventlog
from realtime import hub as hub_module
from realtime.hub import Hub, Subscription


class Recorder(Subscription):
    def __init__(self, user, stream: str) -> None:
        self.user_id, self.requested_branch = str(user.pk), None
        self.company_id, self.branch_id, self.stream = str(user.company_id), None, stream
        self.frames: list[dict] = []

    def deliver(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def seqs(self) -> list[int]:
        return [frame["seq"] for frame in self.frames]


@pytest.fixture
async def company(settings):
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 600  # only the joining itself may deliver
    branch = await db(BranchFactory)()
    owner = await db(UserFactory)(role="owner", branch=None, company=branch.company)
    tenant = await db(tenant_for)(owner)

    async def add_table(number: int) -> None:
        await db(table_create)(tenant=tenant, number=number, seats=2, branch=branch.pk)

    return owner, add_table


async def read_log(sub: Recorder) -> eventlog.CatchUp:
    return await db(eventlog.catch_up)(
        company_id=sub.company_id, branch_id=None, stream=sub.stream, since=None, limit=hub_module.BACKLOG_PAGE
    )


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0.01)


@pytest.mark.django_db(transaction=True)
async def test_events_between_a_sockets_read_and_its_joining_are_replayed(company, monkeypatch):
    owner, add_table = company
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    early, late = Recorder(owner, "tables"), Recorder(owner, "tables")
    try:
        for number in (1, 2):
            await add_table(number)
        early_read = await read_log(early)  # at seq 2, then this socket is slow to join
        for number in (3, 4, 5):
            await add_table(number)
        await settle()
        await hub.subscribe(late, await read_log(late), lambda latest: None)  # the hub follows from seq 5
        assert hub.last_seq[late.company_id] == 5
        await add_table(6)
        await settle()
        await hub.subscribe(early, early_read, lambda latest: None)
        assert early.seqs() == [3, 4, 5, 6]
        assert [frame["type"] for frame in early.frames] == ["table_created"] * 4
        await add_table(7)
        await settle()
        assert early.seqs() == [3, 4, 5, 6, 7]
        assert late.seqs() == [6, 7]
    finally:
        for task in hub.tasks:
            task.cancel()
