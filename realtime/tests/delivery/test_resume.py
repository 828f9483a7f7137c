"""Resuming after a reconnect: `&since=N` and `{"action": "resume", "since": N}`
against a real server process, with the event log as the truth."""

import io
import random
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from websockets.exceptions import ConnectionClosed

from accounts.models import Company
from accounts.tenancy import tenant_for
from cafe.orders.models import OrderStatus
from cafe.orders.services import order_finish
from cafe.tests.factories import order_for
from realtime.models import Event
from realtime.tests.delivery.conftest import (
    Reader,
    assert_quiet,
    event_key,
    expected_events,
    http,
    open_socket,
    recv,
    recv_events,
    ws_url,
)

# Real server processes: the delivery tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("delivery")]


@pytest.fixture
def server(start_server, channel, settings):
    settings.EVENTS_CHANNEL = channel  # what this test process writes reaches the server
    return start_server("a", EVENTS_CHANNEL=channel)


def latest(world) -> int:
    return Company.objects.get(pk=world.company.pk).event_seq


def history(world, rounds: int = 3) -> None:
    """Orders opened and closed in every branch, so scopes interleave in the log."""
    for _ in range(rounds):
        for branch in world.branches:
            waiter = world.waiters[str(branch.pk)][0][0]
            order = order_for(waiter, world.tables[str(branch.pk)][0], items=[(world.menu[0], 1)])
            order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CLOSED)


def scope(world, stream="orders", branch=None, after=0):
    return expected_events(company_id=world.company.pk, stream=stream, branch_id=branch, after=after)


def test_since_in_the_url_replays_the_scope_then_goes_live(server, make_world):
    world = make_world(branches=2)
    history(world)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]
    since = scope(world, branch=branch)[1][0]  # after the branch's second event
    expected = scope(world, branch=branch, after=since)

    with open_socket(ws_url(server, "orders", token, since=since)) as ws:
        hello = recv(ws)
        assert hello["type"] == "connection_established"
        assert hello["seq"] == latest(world)
        assert hello["branch_id"] == branch
        assert recv_events(ws, len(expected)) == expected
        assert_quiet(ws, 0.5)

        before = latest(world)
        order_for(waiter, world.tables[branch][1])
        live = scope(world, branch=branch, after=before)
        assert [e[2] for e in live] == ["order_created", "table_status_changed"]
        assert recv_events(ws, len(live)) == live
        assert_quiet(ws)


def test_company_wide_tables_socket_resumes_every_branch(server, make_world):
    world = make_world(branches=2)
    history(world)
    expected = scope(world, stream="tables", after=2)
    assert {e[2] for e in expected} == {"table_status_changed"}
    assert len(expected) > 4

    with open_socket(ws_url(server, "tables", world.owner_token, since=2)) as ws:
        assert recv(ws)["branch_id"] is None
        assert recv_events(ws, len(expected)) == expected
        assert_quiet(ws)


def test_resume_action_replays_then_goes_live(server, make_world):
    world = make_world(branches=2)
    history(world)
    branch = str(world.branches[1].pk)
    waiter, token = world.waiters[branch][0]

    with open_socket(ws_url(server, "orders", token)) as ws:
        hello = recv(ws)
        assert hello["seq"] == latest(world)
        ws.send('{"action": "resume", "since": 0}')
        assert recv_events(ws, len(scope(world, branch=branch))) == scope(world, branch=branch)
        assert_quiet(ws, 0.5)

        ws.send(f'{{"action": "resume", "since": {hello["seq"]}}}')  # nothing new: nothing sent
        assert_quiet(ws, 0.5)
        ws.send('{"action": "ping"}')
        assert recv(ws) == {"type": "pong"}

        before = latest(world)
        order_for(waiter, world.tables[branch][0])
        live = scope(world, branch=branch, after=before)
        assert recv_events(ws, len(live)) == live
        assert_quiet(ws)


def test_no_gap_and_no_duplicate_at_the_seam_while_events_are_created(server, make_world):
    """Sockets join (with `since`, or with the resume action) while orders are being
    created and ended over HTTP; each ends with exactly its scope after `since`."""
    world = make_world(branches=2, tables=3)
    history(world, rounds=2)
    stop = threading.Event()
    failures = []

    def write(token, tables):
        rng = random.Random(token)
        for _ in range(30):
            if stop.is_set():
                return
            line = {"menu_item": str(world.menu[0].pk), "quantity": 1}
            body = {"table": rng.choice(tables), "guests": 1, "items": [line]}
            created = http(server.http, "POST", "/api/cafe/orders/", token, body)
            if created.status != 201:
                failures.append(created)
                continue
            ended = http(server.http, "POST", f"/api/cafe/orders/{created.body['id']}/close/", token, {})
            if ended.status != 200:
                failures.append(ended)

    writers = []
    for b in world.branches:
        tables = [str(t.pk) for t in world.tables[str(b.pk)]]
        writers.append(threading.Thread(target=write, args=(world.waiters[str(b.pk)][1][1], tables)))
    for thread in writers:
        thread.start()

    branch = str(world.branches[0].pk)
    token = world.waiters[branch][0][1]
    joined = []  # (reader, stream, branch, since, by_action)
    try:
        for n in range(8):
            threading.Event().wait(0.3)
            stream, scope_branch, who = random.Random(n).choice(
                [("orders", branch, token), ("tables", branch, token), ("orders", None, world.owner_token)]
            )
            events = scope(world, stream=stream, branch=scope_branch)
            since = events[-3][0] - 1  # a few events of its scope back
            by_action = n % 2 == 1
            reader = Reader(ws_url(server, stream, who, since=None if by_action else since))
            if by_action:
                reader.ws.send(f'{{"action": "resume", "since": {since}}}')
            joined.append((reader, stream, scope_branch, since, by_action))
    finally:
        stop.set()
        for thread in writers:
            thread.join(60)
    assert failures == []

    for reader, stream, scope_branch, since, by_action in joined:
        expected = scope(world, stream=stream, branch=scope_branch, after=since)
        frames = reader.finish(expected[-1][0])
        hello, frames = frames[0], frames[1:]
        assert hello["type"] == "connection_established"
        received = [event_key(frame) for frame in frames]
        if by_action:
            # Live events may come before the server reads the resume action; the
            # replay then starts over at the first event after `since` (<= hello's seq).
            restart = next(i for i, key in enumerate(received) if key[0] <= hello["seq"])
            early, received = received[:restart], received[restart:]
            assert early == scope(world, stream=stream, branch=scope_branch, after=hello["seq"])[: len(early)]
        assert received == expected, (stream, scope_branch, since, by_action)


def test_resync_required_when_since_is_older_than_the_log(server, make_world, settings):
    world = make_world(branches=1)
    history(world, rounds=2)
    pruned_upto = latest(world)
    settings.EVENT_RETENTION = timedelta(microseconds=1)
    call_command("prune_events", stdout=io.StringIO())
    assert not Event.objects.filter(company=world.company).exists()
    history(world, rounds=1)
    now = latest(world)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]

    for since in (0, pruned_upto - 1):
        with open_socket(ws_url(server, "orders", token, since=since)) as ws:
            assert recv(ws)["type"] == "connection_established"
            assert recv(ws) == {"type": "resync_required", "seq": now}
            assert_quiet(ws, 0.5)
            before = latest(world)
            order = order_for(waiter, world.tables[branch][1])
            order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CANCELLED)
            live = scope(world, branch=branch, after=before)
            assert recv_events(ws, len(live)) == live  # goes on live from the latest
            assert_quiet(ws, 0.5)
            now = latest(world)

    # What the log still holds is replayed as usual.
    with open_socket(ws_url(server, "orders", token, since=pruned_upto)) as ws:
        recv(ws)
        expected = scope(world, branch=branch, after=pruned_upto)
        assert expected[0][0] == pruned_upto + 1
        assert recv_events(ws, len(expected)) == expected
        assert_quiet(ws, 0.5)

    with open_socket(ws_url(server, "tables", token)) as ws:
        recv(ws)
        ws.send('{"action": "resume", "since": 1}')
        assert recv(ws) == {"type": "resync_required", "seq": latest(world)}


def test_since_beyond_the_latest_asks_for_a_resync(server, make_world):
    world = make_world(branches=1)
    history(world, rounds=1)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]
    now = latest(world)
    with open_socket(ws_url(server, "orders", token, since=now + 100)) as ws:
        assert recv(ws)["seq"] == now
        assert recv(ws) == {"type": "resync_required", "seq": now}
        order_for(waiter, world.tables[branch][1])
        live = scope(world, branch=branch, after=now)
        assert recv_events(ws, len(live)) == live
        assert_quiet(ws, 0.5)


def test_invalid_since(server, make_world):
    world = make_world(branches=1)
    token = world.waiters[str(world.branches[0].pk)][0][1]
    with open_socket(ws_url(server, "orders", token) + "&since=-3") as ws:
        assert recv(ws)["code"] == "invalid_since"
        with pytest.raises(ConnectionClosed) as closed:
            recv(ws)
        assert closed.value.rcvd.code == 1008
    with open_socket(ws_url(server, "orders", token)) as ws:
        recv(ws)
        for since in ('"x"', "-1", "1.5", "true", "null"):
            ws.send(f'{{"action": "resume", "since": {since}}}')
            assert recv(ws)["code"] == "invalid_since"
        ws.send('{"action": "ping"}')
        assert recv(ws) == {"type": "pong"}
