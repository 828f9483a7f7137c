"""The live path may lose an event (a publisher that dies after commit, a dropped
Redis message); the socket still gets it, in order, from the log. A change that
rolls back leaves no event and sends nothing."""

import pytest
from django.db import transaction

from accounts.models import Company
from accounts.tenancy import tenant_for
from cafe.floor.models import Table
from cafe.orders.models import OrderStatus
from cafe.orders.services import order_finish
from cafe.tests.factories import order_for
from cafe.tests.servers import free_port
from realtime import publishing
from realtime.models import Event
from realtime.tests.delivery.conftest import assert_quiet, expected_events, http, open_socket, recv, recv_events, ws_url

# Real server processes: the delivery tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("delivery")]


def latest(world) -> int:
    return Company.objects.get(pk=world.company.pk).event_seq


def branch_events(world, branch, after):
    return expected_events(company_id=world.company.pk, stream="orders", branch_id=branch, after=after)


def test_events_of_a_process_that_cannot_publish_still_arrive(start_server, make_world, channel):
    world = make_world(branches=1)
    branch = str(world.branches[0].pk)
    token = world.waiters[branch][0][1]
    # The writer's Redis is gone (as if it died between commit and publish); the
    # socket's server is fine and learns of the event from the log.
    writer = start_server("writer", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", EVENTS_CHANNEL=channel)
    reader = start_server("reader", EVENTS_CHANNEL=channel)
    table = str(world.tables[branch][0].pk)
    item = {"menu_item": str(world.menu[0].pk), "quantity": 2}

    with open_socket(ws_url(reader, "orders", token)) as ws:
        before = recv(ws)["seq"]
        created = http(writer.http, "POST", "/api/cafe/orders/", token, {"table": table, "guests": 2, "items": [item]})
        assert created.status == 201, created.body
        closed = http(writer.http, "POST", f"/api/cafe/orders/{created.body['id']}/close/", token, {})
        assert closed.status == 200, closed.body
        expected = branch_events(world, branch, before)
        assert [e[2] for e in expected] == [
            "order_created",
            "table_status_changed",
            "order_closed",
            "table_status_changed",
        ]
        assert recv_events(ws, 4) == expected
        assert_quiet(ws)
    assert "could not publish" in writer.log()


def test_events_committed_but_never_published_arrive(start_server, make_world, channel, settings, monkeypatch):
    settings.EVENTS_CHANNEL = channel
    server = start_server("a", EVENTS_CHANNEL=channel)
    world = make_world(branches=1)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]
    with open_socket(ws_url(server, "orders", token)) as ws:
        before = recv(ws)["seq"]
        monkeypatch.setattr(publishing, "publish", lambda envelopes: None)  # dies right after commit
        order_for(waiter, world.tables[branch][0])
        expected = branch_events(world, branch, before)
        assert len(expected) == 2
        assert recv_events(ws, 2) == expected
        assert_quiet(ws)


def test_a_dropped_redis_message_is_filled_from_the_log_in_order(
    start_server, make_world, channel, settings, monkeypatch
):
    settings.EVENTS_CHANNEL = channel
    # No polling to speak of: only the gap in `seq` can bring the lost event.
    server = start_server("a", EVENTS_CHANNEL=channel, HUB_POLL_SECONDS="600")
    world = make_world(branches=2)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]
    publish = publishing.publish
    with (
        open_socket(ws_url(server, "orders", token)) as ws,
        open_socket(ws_url(server, "tables", world.owner_token)) as tables,
    ):
        before = recv(ws)["seq"]
        recv(tables)

        # order_created is lost on the way; table_status_changed (seq + 1) is not.
        monkeypatch.setattr(publishing, "publish", lambda envelopes: publish(envelopes[1:]))
        order_for(waiter, world.tables[branch][0])
        monkeypatch.setattr(publishing, "publish", publish)
        expected = branch_events(world, branch, before)
        assert [e[2] for e in expected] == ["order_created", "table_status_changed"]
        assert recv_events(ws, 2) == expected
        assert recv_events(tables, 1) == expected[1:]

        # Both events of a change lost: the next change reveals the gap.
        before = latest(world)
        monkeypatch.setattr(publishing, "publish", lambda envelopes: None)
        other = world.waiters[str(world.branches[1].pk)][0][0]
        order_for(other, world.tables[str(world.branches[1].pk)][0])  # another branch: not for this socket
        order_for(waiter, world.tables[branch][1])
        monkeypatch.setattr(publishing, "publish", publish)
        assert_quiet(ws, 1)  # nothing told the server yet
        order = order_for(waiter, world.tables[branch][2])
        order_finish(tenant=tenant_for(waiter), order_id=order.pk, status=OrderStatus.CLOSED)
        expected = branch_events(world, branch, before)
        assert len(expected) == 6
        assert recv_events(ws, 6) == expected
        assert_quiet(ws, 0.5)
        table_events = expected_events(company_id=world.company.pk, stream="tables", after=before)
        assert len(table_events) == 4
        assert recv_events(tables, 4) == table_events
        assert_quiet(tables, 0.5)


class Rollback(Exception):
    pass


def test_a_rolled_back_change_sends_nothing_and_logs_nothing(start_server, make_world, channel, settings):
    settings.EVENTS_CHANNEL = channel
    server = start_server("a", EVENTS_CHANNEL=channel)
    world = make_world(branches=1)
    branch = str(world.branches[0].pk)
    waiter, token = world.waiters[branch][0]
    table = world.tables[branch][0]
    with open_socket(ws_url(server, "orders", token)) as ws, open_socket(ws_url(server, "tables", token)) as tables:
        before = recv(ws)["seq"]
        recv(tables)
        events_before = Event.objects.count()

        with pytest.raises(Rollback), transaction.atomic():  # noqa: PT012 - the block is one transaction, rolled back as a whole
            order_for(waiter, table)  # emits order_created and table_status_changed...
            assert Event.objects.count() == events_before + 2
            raise Rollback  # ...and then the change fails

        assert Event.objects.count() == events_before
        assert latest(world) == before
        assert Table.unscoped.get(pk=table.pk).status == "free"
        # Failed requests send nothing either.
        bad = {"table": str(table.pk), "guests": 0}
        assert http(server.http, "POST", "/api/cafe/orders/", token, bad).status == 400
        assert_quiet(ws, 1.5)  # longer than a poll: nothing comes from the log either
        assert_quiet(tables, 0.1)

        order_for(waiter, table)
        expected = branch_events(world, branch, before)
        assert [e[0] for e in expected] == [before + 1, before + 2]  # the rolled-back numbers are reused
        assert recv_events(ws, 2) == expected
        assert recv_events(tables, 1) == expected[1:]
        assert_quiet(ws, 0.5)
