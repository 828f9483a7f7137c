"""Two sockets of one company joining at once, with the hub's tracking started from
the later one's snapshot: the earlier one must still get the events in between."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async as sync_to_async

from accounts.tenancy import tenant_for
from cafe import hub as hub_module
from cafe import selectors, services
from cafe.hub import Hub, Subscription
from cafe.tests.factories import BranchFactory, UserFactory


class Recorder(Subscription):
    def __init__(self, user, stream: str) -> None:
        self.user_id, self.requested_branch = str(user.pk), None
        self.company_id, self.branch_id, self.stream = str(user.company_id), None, stream
        self.frames: list[dict] = []

    def deliver(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def seqs(self) -> list[int]:
        return [frame["seq"] for frame in self.frames]


@pytest.mark.django_db(transaction=True)
async def test_a_socket_whose_snapshot_is_older_than_the_hubs_still_gets_what_came_between(settings, monkeypatch):
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 600  # only the catch-up itself may deliver
    branch = await sync_to_async(BranchFactory)()
    owner = await sync_to_async(UserFactory)(role="owner", branch=None, company=branch.company)
    tenant = await sync_to_async(tenant_for)(owner)

    def add_table(number: int) -> None:
        services.table_create(tenant=tenant, number=number, seats=2, branch=branch.pk)

    for number in (1, 2):
        await sync_to_async(add_table)(number)

    first_read = threading.Event()
    release_first = threading.Event()
    real_catch_up = selectors.catch_up
    calls = 0

    def catch_up(**kwargs):
        nonlocal calls
        calls += 1
        mine = calls == 1
        answer = real_catch_up(**kwargs)
        if mine:  # the first socket read the log at seq 2, then stalls
            first_read.set()
            release_first.wait(10)
        return answer

    monkeypatch.setattr(hub_module.selectors, "catch_up", catch_up)
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    early, late = Recorder(owner, "tables"), Recorder(owner, "tables")
    try:
        joining = asyncio.ensure_future(hub.subscribe(early, None, lambda latest: None))
        await asyncio.to_thread(first_read.wait, 10)
        for number in (3, 4, 5):  # published while no socket of the company has finished joining
            await sync_to_async(add_table)(number)
        for _ in range(20):
            await asyncio.sleep(0.01)
        await hub.subscribe(late, None, lambda latest: None)  # the hub now follows from seq 5
        assert hub.last_seq[late.company_id] == 5
        release_first.set()
        await asyncio.wait_for(joining, 10)
        assert early.seqs() == [3, 4, 5]
        assert [frame["type"] for frame in early.frames] == ["table_created"] * 3
        assert late.seqs() == []
        await sync_to_async(add_table)(6)
        for _ in range(50):
            if early.seqs()[-1:] == [6] and late.seqs() == [6]:
                break
            await asyncio.sleep(0.02)
        assert early.seqs() == [3, 4, 5, 6] and late.seqs() == [6]
    finally:
        release_first.set()
        for task in hub.tasks:
            task.cancel()
