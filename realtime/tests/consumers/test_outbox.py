"""What a socket may hold, in characters: its outbox (WEBSOCKET_OUTBOX_BYTES, then
1013), the live events it holds while catching up, and a catch-up that reads its
next page of the log only once the outbox has drained (backpressure)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async as db

from accounts.tenancy import tenant_for
from cafe.floor.services import table_create
from cafe.tests.factories import BranchFactory, UserFactory
from realtime import eventlog
from realtime import hub as hub_module
from realtime.hub import BACKLOG_PAGE, Hub, Subscription
from realtime.models import Event
from realtime.tests.consumers.conftest import SlowTransport, consumer_on


def closing(consumer) -> list[int]:
    closed: list[int] = []

    async def close(code: int) -> None:
        closed.append(code)

    consumer.close = close
    return closed


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def until(condition, timeout: float = 10) -> None:
    """Waits for the catch-up's read of the log (in a thread) to show."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_more_characters_waiting_than_the_cap_close_1013(settings):
    settings.WEBSOCKET_OUTBOX_BYTES = 10
    transport = SlowTransport()
    consumer = consumer_on(transport)
    closed = closing(consumer)
    transport.writable.clear()
    consumer.deliver("in flight, not counted")
    consumer.deliver("abcd")
    consumer.deliver("efghij")  # 10 waiting: at the cap
    await settle()
    assert closed == []
    assert consumer.outbox_size == 10
    consumer.deliver("k")
    await settle()
    assert closed == [1013]
    assert not consumer.outbox
    assert consumer.outbox_size == 0


async def test_the_count_follows_the_writes(settings):
    settings.WEBSOCKET_OUTBOX_BYTES = 10
    transport = SlowTransport()
    consumer = consumer_on(transport)
    closed = closing(consumer)
    for _ in range(5):
        transport.writable.clear()
        for text in ("x", "abcd", "efgh"):
            consumer.deliver(text)
        assert consumer.outbox_size == 8
        transport.writable.set()
        await settle()
        assert consumer.outbox_size == 0
        assert not consumer.outbox
    assert closed == []
    assert transport.sent == ["x", "abcd", "efgh"] * 5


async def test_live_events_held_during_a_catch_up_are_capped_too(settings):
    settings.WEBSOCKET_OUTBOX_BYTES = 10
    consumer = consumer_on(SlowTransport())
    closed = closing(consumer)
    consumer.pending = []
    consumer.offer(1, "abcde")
    consumer.offer(2, "fghij")
    await settle()
    assert closed == []
    assert consumer.pending == [(1, "abcde"), (2, "fghij")]
    consumer.offer(3, "k")
    await settle()
    assert closed == [1013]
    assert consumer.pending is None


async def test_drained_waits_for_the_low_water_mark_or_the_socket_leaving(settings, monkeypatch):
    settings.WEBSOCKET_OUTBOX_BYTES = 100
    settings.EVENT_MAX_BYTES = 10
    monkeypatch.setattr(eventlog, "PAGE_BYTES", 40)  # room is left at 100 - 40 - 10 = 50
    transport = SlowTransport()
    consumer = consumer_on(transport)
    consumer.subscribed = True
    monkeypatch.setattr(hub_module, "get_hub", lambda: None)
    transport.writable.clear()
    for _ in range(9):
        consumer.deliver("x" * 10)  # one in flight, 80 waiting
    drained = asyncio.ensure_future(consumer.drained())
    await settle()
    assert not drained.done()
    transport.writable.set()
    await settle()
    assert drained.done()
    assert consumer.outbox_size == 0

    transport.writable.clear()
    for _ in range(9):
        consumer.deliver("x" * 10)
    drained = asyncio.ensure_future(consumer.drained())
    await settle()
    assert not drained.done()
    consumer.subscribed = False  # as after a close: nothing to wait for
    consumer._leave()
    await settle()
    assert drained.done()


# Catch-up by size, with backpressure, against the real event log


class Gated(Subscription):
    """A socket that lets its catch-up read a page only when the test allows it."""

    def __init__(self, user, stream: str) -> None:
        self.user_id, self.requested_branch = str(user.pk), None
        self.company_id, self.branch_id, self.stream = str(user.company_id), None, stream
        self.frames: list[dict] = []
        self.allowed = asyncio.Semaphore(0)
        self.drains = 0

    def deliver(self, text: str) -> None:
        self.frames.append(json.loads(text))

    def resync_required(self, latest: int) -> None:
        raise AssertionError("no resync expected")

    async def drained(self) -> None:
        self.drains += 1
        await self.allowed.acquire()

    def seqs(self) -> list[int]:
        return [frame["seq"] for frame in self.frames]


@pytest.fixture
async def tables(settings):
    """An owner's company with 12 table events (Cyrillic in each: bytes, not characters, count)."""
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 600
    branch = await db(BranchFactory)()
    owner = await db(UserFactory)(role="owner", branch=None, company=branch.company)
    tenant = await db(tenant_for)(owner)
    for number in range(1, 13):
        await db(table_create)(tenant=tenant, number=number, seats=2, branch=branch.pk)
    return owner


def sizes(owner) -> dict[int, int]:
    rows = Event.objects.filter(company=owner.company_id).values_list("seq", "message")
    return {seq: len(message.encode()) for seq, message in rows}


def expected_pages(size: dict[int, int], page_bytes: int) -> list[list[int]]:
    """The rule: a page ends with the first event that brings it to ``page_bytes``."""
    pages, page, total = [], [], 0
    for seq in sorted(size):
        page.append(seq)
        total += size[seq]
        if total >= page_bytes:
            pages.append(page)
            page, total = [], 0
    return [*pages, page]


@pytest.mark.django_db(transaction=True)
async def test_the_log_is_paged_by_size_and_every_event_comes_once(tables):
    owner = tables
    size = await db(sizes)(owner)
    messages = await db(lambda: list(Event.objects.values_list("message", flat=True)))()
    assert all(len(message.encode()) > len(message) for message in messages)  # Cyrillic: bytes count
    page_bytes = 3 * size[1] + 1  # four events reach it, or three larger ones
    expected = expected_pages(size, page_bytes)
    assert expected[:2] == [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert len(expected) > 3
    scope = {"company_id": str(owner.company_id), "branch_id": None, "stream": "tables"}
    after, pages = 0, []
    while True:
        page = await db(eventlog.event_backlog)(**scope, after=after, upto=12, limit=1000, max_bytes=page_bytes)
        pages.append([seq for seq, _ in page])
        if not eventlog.more_after(page, limit=1000, max_bytes=page_bytes):
            break
        after = page[-1][0]
    assert pages == expected
    # The same cut for the hub's gap fill.
    rows = await db(eventlog.events_after)(
        company_id=str(owner.company_id), after=0, upto=12, limit=1000, max_bytes=page_bytes
    )
    assert [row[0] for row in rows] == [1, 2, 3, 4]
    assert rows[0][1] is not None
    assert eventlog.more_after(rows, limit=1000, max_bytes=page_bytes)
    # One event bigger than a page still comes, alone.
    page = await db(eventlog.event_backlog)(**scope, after=0, upto=12, limit=1000, max_bytes=1)
    assert [seq for seq, _ in page] == [1]
    assert eventlog.more_after(page, limit=1000, max_bytes=1)


@pytest.mark.django_db(transaction=True)
async def test_a_resume_reads_the_next_page_only_once_the_socket_has_room(tables, monkeypatch):
    owner = tables
    size = await db(sizes)(owner)
    monkeypatch.setattr(eventlog, "PAGE_BYTES", 3 * size[1] + 1)
    reads: list[int] = []
    backlog = eventlog.event_backlog

    def counted(**kwargs):
        reads.append(kwargs["after"])
        return backlog(**kwargs)

    monkeypatch.setattr(eventlog, "event_backlog", counted)
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    sub = Gated(owner, "tables")
    try:
        start = await db(eventlog.catch_up)(**sub.log_scope, since=None, limit=BACKLOG_PAGE)
        await hub.subscribe(sub, start, lambda latest: None)
        assert sub.frames == []
        resume = asyncio.ensure_future(hub.resume(sub, 0))
        await asyncio.sleep(0.2)
        assert sub.seqs() == [], "a resume first waits for room"
        assert reads == [], "a resume first waits for room"
        sub.allowed.release()
        await until(lambda: len(sub.frames) >= 4)
        await asyncio.sleep(0.2)
        assert sub.seqs() == [1, 2, 3, 4]
        assert reads == [0]
        sub.allowed.release()
        await until(lambda: len(sub.frames) >= 8)
        await asyncio.sleep(0.2)
        assert sub.seqs() == list(range(1, 9))
        assert reads == [0, 4]
        for _ in range(len(expected_pages(size, eventlog.PAGE_BYTES))):
            sub.allowed.release()
        await asyncio.wait_for(resume, 3)
        assert sub.seqs() == list(range(1, 13))
        assert reads == [0] + [page[-1] for page in expected_pages(size, eventlog.PAGE_BYTES)[:-1]]
        assert sub.pending is None
        assert sub.cursor == 12

        # A socket that leaves while its catch-up waits for room stops it.
        sub.allowed = asyncio.Semaphore(1)
        resume = asyncio.ensure_future(hub.resume(sub, 0))
        await until(lambda: len(sub.frames) >= 16)
        await asyncio.sleep(0.2)
        assert sub.seqs()[12:] == [1, 2, 3, 4]
        hub.unsubscribe(sub)
        sub.allowed.release()
        await asyncio.wait_for(resume, 3)
        assert sub.seqs()[12:] == [1, 2, 3, 4]
        assert reads[-1] == 0
    finally:
        for task in hub.tasks:
            task.cancel()


@pytest.mark.django_db(transaction=True)
async def test_the_gap_fill_pages_by_size_without_skipping(tables, monkeypatch):
    owner = tables
    size = await db(sizes)(owner)
    monkeypatch.setattr(eventlog, "PAGE_BYTES", 2 * size[1] + 1)
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    sub = Gated(owner, "tables")
    sub.allowed = asyncio.Semaphore(100)
    company = str(owner.company_id)
    try:
        hub.routes[(company, None, "tables")].add(sub)
        hub.members[company].add(sub)
        hub.last_seq[company] = 0
        await hub._fill(company, 12)
        assert sub.seqs() == list(range(1, 13))
        assert hub.last_seq[company] == 12
    finally:
        for task in hub.tasks:
            task.cancel()


async def test_a_socket_closed_in_the_middle_of_a_delivery_costs_the_others_nothing(settings, monkeypatch):
    """A socket that overflows while the hub goes through its route leaves the hub
    right after, not during the loop (which would end it, and the others' event)."""
    settings.WEBSOCKET_OUTBOX_BYTES = 10
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 600
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    transports = [SlowTransport() for _ in range(6)]
    consumers = [consumer_on(transport) for transport in transports]
    try:
        for consumer in consumers:
            consumer.user_id, consumer.requested_branch = "u", None
            consumer.company_id, consumer.branch_id, consumer.stream = "c", None, "orders"
            consumer.subscribed = True
            closing(consumer)
            hub.routes[("c", None, "orders")].add(consumer)
            hub.members["c"].add(consumer)
        hub.last_seq["c"] = 0
        slow = consumers[3]
        transports[3].writable.clear()
        slow.deliver("in flight")
        hub._dispatch("c", 1, None, "order_created", "x" * 11)
        for transport, consumer in zip(transports, consumers, strict=True):
            if consumer is not slow:
                assert transport.sent == ["x" * 11]
        await settle()
        assert hub.routes[("c", None, "orders")] == set(consumers) - {slow}
    finally:
        for task in hub.tasks:
            task.cancel()


@pytest.mark.django_db(transaction=True)
async def test_a_poll_fills_every_company_behind_in_few_queries_and_pages_without_skipping(settings, monkeypatch):
    """After an outage every company a process follows is behind: the poll reads
    which moved in one query and their events a few companies a query, cut into
    pages (here of 5 events) without skipping or repeating one."""
    settings.REDIS_URL = ""
    settings.HUB_POLL_SECONDS = 600
    owners = []
    for _ in range(3):
        branch = await db(BranchFactory)()
        owner = await db(UserFactory)(role="owner", branch=None, company=branch.company)
        owners.append((owner, branch, await db(tenant_for)(owner)))
    still = owners[2][0]  # a company that writes nothing
    hub = Hub(asyncio.get_running_loop())
    monkeypatch.setattr(hub_module, "_hub", hub)
    monkeypatch.setattr(hub, "receive", lambda envelopes: None)  # the live path is down
    monkeypatch.setattr(hub_module, "BACKLOG_PAGE", 5)
    monkeypatch.setattr(hub_module, "FILL_COMPANIES", 2)
    reads = []
    many = eventlog.events_after_many

    def counted(**kwargs):
        reads.append(sorted(kwargs["bounds"]))
        return many(**kwargs)

    monkeypatch.setattr(eventlog, "events_after_many", counted)
    subs = {}
    try:
        for owner, _, _ in owners:
            sub = subs[owner.company_id] = Gated(owner, "tables")
            company = str(owner.company_id)
            hub.routes[(company, None, "tables")].add(sub)
            hub.members[company].add(sub)
            hub.last_seq[company] = 0
        for _, branch, tenant in owners[:2]:
            for number in range(1, 8):
                await db(table_create)(tenant=tenant, number=number, seats=2, branch=branch.pk)
        ahead = await db(eventlog.companies_ahead)(seqs=dict(hub.last_seq))
        assert ahead == {str(owner.company_id): 7 for owner, _, _ in owners[:2]}
        await hub.poll_log()
        await until(lambda: all(len(subs[o.company_id].frames) == 7 for o, _, _ in owners[:2]))
        await asyncio.sleep(0.1)
        for owner, _, _ in owners[:2]:
            assert subs[owner.company_id].seqs() == list(range(1, 8))
            assert hub.last_seq[str(owner.company_id)] == 7
        assert subs[still.company_id].frames == []
        assert len(reads) == 3  # 14 events in pages of 5, both companies in each query
    finally:
        for task in hub.tasks:
            task.cancel()
