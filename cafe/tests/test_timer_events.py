"""A timer job's changes send their events like any other write: two real server
processes run a job (cafe/tests/tick_jobs.py) that flips a table between free and
reserved each second; a socket on either server gets every change, in order, with
contiguous seqs (from the log's start, ``since=0``, so both see the same ones),
though no request was made."""

from contextlib import ExitStack

import pytest
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, TableFactory, staff_of
from cafe.tests.tick_jobs import FLIP_NUMBER
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import TABLES, receive, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]


def test_a_timer_jobs_changes_reach_the_sockets_of_every_server(start_server):
    branch = BranchFactory()
    table = TableFactory(branch=branch, number=FLIP_NUMBER)
    token = access_token(staff_of(branch))
    env = {"TICKS_ENABLED": "1", "TICK_SECONDS": "1", "TICK_JOBS_EXTRA": "cafe.tests.tick_jobs.FLIP"}
    servers = [start_server("a", **env), start_server("b", **env)]

    with ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(url(server, TABLES, token, since=0), open_timeout=10)) for server in servers
        ]
        greetings = [receive(socket) for socket in sockets]
        assert all(greeting["type"] == "connection_established" for greeting in greetings)
        changes = [[receive(socket, timeout=15) for _ in range(4)] for socket in sockets]

    for received in changes:
        assert [event["type"] for event in received] == ["table_status_changed"] * 4
        assert {event["data"]["table_id"] for event in received} == {str(table.pk)}
        statuses = [event["data"]["status"] for event in received]
        assert statuses in (["reserved", "free"] * 2, ["free", "reserved"] * 2)
        seqs = [event["seq"] for event in received]
        assert seqs == list(range(seqs[0], seqs[0] + 4))
    assert [event["seq"] for event in changes[0]] == [event["seq"] for event in changes[1]]
    assert [event["data"] for event in changes[0]] == [event["data"] for event in changes[1]]


def test_the_floor_follows_the_book_in_a_running_server(start_server):
    """The booking jobs registered by the cafe run in the server by themselves: a
    booking about to start reserves its table (and a late one becomes a no-show),
    with their events on the socket, though no request was made."""
    import datetime

    from django.utils import timezone

    from accounts.tenancy import tenant_for
    from cafe.bookings.services import booking_create
    from cafe.models import Booking, Table

    branch = BranchFactory()
    soon, late = TableFactory(branch=branch, number=1), TableFactory(branch=branch, number=2)
    waiter = staff_of(branch)
    now = timezone.now().replace(second=0, microsecond=0)
    coming = booking_create(
        tenant=tenant_for(waiter), tables=[soon.pk], start=now + datetime.timedelta(minutes=30), guests=2,
        guest_name="Anna",
    )  # fmt: skip
    missed = booking_create(
        tenant=tenant_for(waiter), tables=[late.pk], start=now + datetime.timedelta(minutes=2), guests=2,
        guest_name="Boris",
    )  # fmt: skip
    # Its party is later than the grace period (the start in the past, as if booked earlier).
    Booking.unscoped.filter(pk=missed.pk).update(
        starts_at=now - datetime.timedelta(minutes=branch.booking_grace + 5),
        ends_at=now + datetime.timedelta(minutes=60),
    )
    token = access_token(waiter)
    server = start_server("a", TICKS_ENABLED="1", TICK_SECONDS="1")

    seen: set[tuple[str, str]] = set()
    wanted = {("table_status_changed", "reserved"), ("booking_updated", "no_show")}
    with connect(url(server, TABLES, token, since=0), open_timeout=10) as socket:
        assert receive(socket)["type"] == "connection_established"
        while not wanted <= seen:  # the setup's booking_created first, then the timer's changes
            event = receive(socket, timeout=20)
            data = event["data"]
            seen.add((event["type"], data["booking"]["status"] if "booking" in data else data.get("status", "")))
    assert Table.unscoped.get(pk=soon.pk).status == "reserved"
    assert Booking.unscoped.get(pk=missed.pk).status == "no_show"
    assert Booking.unscoped.get(pk=coming.pk).status == "booked"
