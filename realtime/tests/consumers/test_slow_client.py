"""A client whose buffer is full must not hold up the hub, lose frames or reorder them."""

import asyncio

from realtime.consumers import run_eagerly
from realtime.tests.consumers.conftest import SlowTransport, consumer_on


async def test_a_write_that_need_not_wait_runs_without_a_task():
    transport = SlowTransport()
    assert run_eagerly(transport.send({"text": "now"})) is None
    assert transport.sent == ["now"]


async def test_frames_queue_behind_a_blocked_write_and_arrive_in_order():
    transport = SlowTransport()
    consumer = consumer_on(transport)
    consumer.deliver("1")
    transport.writable.clear()
    for text in ("2", "3", "4"):
        consumer.deliver(text)  # returns at once: the hub is never held up
    assert transport.sent == ["1"]
    assert list(consumer.outbox) == ["3", "4"]
    transport.writable.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert transport.sent == ["1", "2", "3", "4"]
    assert consumer.writer is None
    assert not consumer.outbox
    consumer.deliver("5")
    assert transport.sent[-1] == "5"


async def test_a_client_too_far_behind_is_closed_1013(monkeypatch):
    monkeypatch.setattr("realtime.consumers.OUTBOX_LIMIT", 3)
    transport = SlowTransport()
    consumer = consumer_on(transport)
    closed: list[int] = []

    async def close(code: int) -> None:
        closed.append(code)

    consumer.close = close
    transport.writable.clear()
    for text in "abcde":
        consumer.deliver(text)
    await asyncio.sleep(0)
    assert closed == [1013]
    assert not consumer.outbox
