"""Races of the book on PostgreSQL, round after round, each party on its own thread
and database connection, released together:

- two hosts book one table for overlapping times: exactly one booking is taken, the
  other answers 409 naming the table and the winner's time (whichever request the
  explicit check missed, the exclusion constraint refuses), never a 500;
- a party arrives while the timer marks their booking a no-show: exactly one wins,
  with nothing half done (arrived: one open order, the tables busy; no-show: no
  order, the tables free)."""

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import tokens_for
from accounts.tenancy import tenant_for
from cafe.bookings.models import Booking, BookingStatus, BookingTable
from cafe.bookings.services import booking_create
from cafe.bookings.timer import bookings_no_show_due, bookings_reserve_due
from cafe.floor.models import Table, TableStatus
from cafe.orders.models import Order, OrderStatus
from cafe.tests.factories import BranchFactory, TableFactory, staff_of

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
URL = "/api/cafe/bookings/"


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    client.raise_request_exception = False  # a 500 is an answer, as a device gets it
    return client


def _at_once(*parties: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(parties))
    results: list[Any] = [None] * len(parties)

    def run(index: int, party: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = party()
        except Exception as exc:  # reported, judged below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, party)) for index, party in enumerate(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a party hung for a minute"
    return results


@pytest.fixture
def branch(services, settings):
    settings.LANGUAGE_CODE = "en"
    return BranchFactory()


def test_two_overlapping_bookings_of_one_table_exactly_one_wins(branch):
    hosts = [_client(staff_of(branch)) for _ in range(2)]
    base = (timezone.now() + datetime.timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    for round_ in range(ROUNDS):
        table = TableFactory(branch=branch, number=100 + round_)
        starts = [base, base + datetime.timedelta(minutes=30)]  # overlapping, not the same start
        bodies = [
            {"tables": [str(table.pk)], "start": start.isoformat(), "guests": 2, "guest_name": f"Host {index}"}
            for index, start in enumerate(starts)
        ]
        answers = _at_once(
            *[
                lambda client=client, body=body: client.post(URL, body, format="json")
                for client, body in zip(hosts, bodies, strict=True)
            ]
        )
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [201, 409], [answer.content for answer in answers]
        won = next(answer for answer in answers if answer.status_code == 201).json()
        lost = next(answer for answer in answers if answer.status_code == 409).json()
        winner_start = datetime.datetime.fromisoformat(won["start"])
        assert lost["detail"].startswith(
            f"Table {table.number} is booked on {winner_start:%Y-%m-%d} from {winner_start:%H:%M}"
        )
        assert list(BookingTable.objects.filter(table=table).values_list("booking_id", flat=True)) == [
            Booking.unscoped.get(pk=won["id"]).pk
        ]


def test_a_booking_the_check_cannot_see_yet_is_refused_by_the_constraint(branch):
    """The explicit check reads committed rows only: a booking still in flight passes it,
    and PostgreSQL's exclusion constraint makes the second writer wait for the first,
    then refuses it; the answer is the same 409, naming the winner's time."""
    table = TableFactory(branch=branch, number=7)
    host = _client(staff_of(branch))
    start = (timezone.now() + datetime.timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                booking_create(
                    tenant=tenant_for(staff_of(branch)), tables=[table.pk], start=start, guests=2, guest_name="First"
                )
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(timeout=30)
    answers: list[Any] = []
    second = threading.Thread(
        target=lambda: answers.append(
            host.post(
                URL,
                {
                    "tables": [str(table.pk)],
                    "start": (start + datetime.timedelta(hours=1)).isoformat(),
                    "guests": 2,
                    "guest_name": "Second",
                },
                format="json",
            )
        )
    )
    second.start()
    with connection.cursor() as cursor:  # until the second writer waits on the first's row
        for _ in range(3000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the second booking never waited for the first")
    release.set()
    holder.join(timeout=30)
    second.join(timeout=30)
    assert answers[0].status_code == 409, answers[0].content
    assert answers[0].json() == {
        "detail": f"Table 7 is booked on {start:%Y-%m-%d} from 18:00 until 20:15 (with the turnover buffer); "
        "choose another time or table."
    }
    assert Booking.unscoped.get().guest_name == "First"


def test_an_arrival_racing_a_no_show_exactly_one_wins(branch):
    host = _client(staff_of(branch))
    outcomes = set()
    for round_ in range(ROUNDS):
        tables = [TableFactory(branch=branch, number=200 + 2 * round_ + k) for k in range(2)]
        start = (timezone.now() + datetime.timedelta(minutes=5)).replace(second=0, microsecond=0)
        body = {"tables": [str(t.pk) for t in tables], "start": start.isoformat(), "guests": 6, "guest_name": "Late"}
        booking = host.post(URL, body, format="json").json()
        bookings_reserve_due(timezone.now())
        late = start + datetime.timedelta(minutes=branch.booking_grace + 1)
        arrive, timer = _at_once(
            lambda booking=booking: host.post(f"{URL}{booking['id']}/arrive/"),
            lambda late=late: bookings_no_show_due(late),
        )
        assert not isinstance(arrive, Exception), arrive
        assert not isinstance(timer, Exception), timer
        row = Booking.unscoped.get(pk=booking["id"])
        statuses = set(Table.unscoped.filter(pk__in=[t.pk for t in tables]).values_list("status", "reserved_for"))
        orders = Order.unscoped.filter(table__in=tables)
        if row.status == BookingStatus.ARRIVED:
            assert arrive.status_code == 200, arrive.content
            assert timer == 0
            assert statuses == {(TableStatus.BUSY, None)}
            assert [(order.pk, order.status) for order in orders] == [(row.order_id, OrderStatus.OPEN)]
            assert orders.get().joined_tables.count() == 1
        else:
            assert row.status == BookingStatus.NO_SHOW
            assert arrive.status_code == 409, arrive.content
            assert arrive.json() == {"detail": "The booking is no-show; it cannot become arrived."}
            assert timer == 1
            assert statuses == {(TableStatus.FREE, None)}
            assert not orders.exists()
            assert row.order_id is None
        outcomes.add(row.status)
    print(f"\noutcomes over {ROUNDS} rounds: {sorted(outcomes)}")
