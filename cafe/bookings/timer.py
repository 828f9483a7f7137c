"""The floor follows the book: the time-driven changes, as plain functions of
``now`` that the server's timer (``core.ticks``) calls once per tick in one process.

- ``bookings_reserve_due``: the tables of a booked or confirmed booking show
  ``reserved`` (``reserved_for`` the booking) from the branch's ``booking_lead``
  minutes before its start until it arrives, is cancelled or becomes a no-show —
  when they are free; a table reserved for a booking that no longer holds it
  (cancelled, moved off it or later, a no-show) goes back to ``free``.
- ``bookings_no_show_due``: a booked or confirmed booking not arrived by its start
  plus the branch's ``booking_grace`` minutes becomes ``no_show``; its tables
  reserved for it are freed (a table an order holds stays busy).

Each booking is settled in a transaction of its own, locking the booking, then its
tables (the kernel's lock order, docs/architecture.md), and checking again under
the locks, so a request racing the timer (an arrival, a cancel, a move) either
wins or sees what the timer did. Every change sends its events like any other
write. Both return how many bookings they changed."""

import datetime
import uuid
from collections import defaultdict

from django.db import transaction
from django.db.models import Max

from accounts.models import Branch
from cafe.bookings.models import Booking, BookingStatus, BookingTable
from cafe.bookings.services import booking_status_set, tables_locked_for
from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_status_set
from realtime.emit import PendingEvent, emit

WAITING = (BookingStatus.BOOKED, BookingStatus.CONFIRMED)


def _minutes(count: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


def _holds_now(booking: Booking | None, link: BookingTable | None, now: datetime.datetime) -> bool:
    """Whether the table of ``link`` should show reserved for ``booking`` at ``now``."""
    if booking is None or link is None or booking.status not in WAITING or not link.holding:
        return False
    return booking.starts_at - _minutes(booking.branch.booking_lead) <= now < link.blocks_until


def _reconcile(booking_id: uuid.UUID, company_id: uuid.UUID, table_ids: set[uuid.UUID], now: datetime.datetime) -> bool:
    """Brings the tables ``table_ids`` (those of the booking and those reserved for it)
    in line with the booking at ``now``; True if anything changed."""
    with transaction.atomic():
        booking = (
            Booking.unscoped.select_related("branch")
            .select_for_update(of=("self",), no_key=True)
            .filter(pk=booking_id)
            .first()
        )
        links = {link.table_id: link for link in BookingTable.objects.filter(booking_id=booking_id)}
        events: list[PendingEvent] = []
        for table in tables_locked_for(company_id, table_ids | set(links)):
            holds = _holds_now(booking, links.get(table.pk), now)
            if holds and table.status == TableStatus.FREE and table.reserved_for is None:
                events += table_status_set(table, TableStatus.RESERVED, save=False)
                table.reserved_for = booking_id
            elif not holds and table.reserved_for == booking_id:
                table.reserved_for = None
                if table.status == TableStatus.RESERVED:
                    events += table_status_set(table, TableStatus.FREE, save=False)
            else:
                continue
            table.save(update_fields=["status", "reserved_for", "updated_at"])
        if events:
            emit(company_id=company_id, events=events)
        return bool(events)


def bookings_reserve_due(now: datetime.datetime) -> int:
    """Reserves the free tables of bookings about to start and frees tables reserved for
    bookings that no longer hold them (see the module's docstring)."""
    lead = Branch.unscoped.aggregate(most=Max("booking_lead"))["most"] or 0
    due: dict[tuple[uuid.UUID, uuid.UUID], set[uuid.UUID]] = defaultdict(set)
    coming = BookingTable.objects.filter(
        holding=True,
        booking__status__in=WAITING,
        starts_at__lte=now + _minutes(lead),
        blocks_until__gt=now,
        table__status=TableStatus.FREE,
        table__reserved_for__isnull=True,
    ).values_list("booking_id", "booking__company_id", "table_id")
    for booking_id, company_id, table_id in coming:
        due[(booking_id, company_id)].add(table_id)
    for table_id, company_id, reserved_for in Table.unscoped.filter(reserved_for__isnull=False).values_list(
        "pk", "company_id", "reserved_for"
    ):
        if reserved_for is not None:
            due[(reserved_for, company_id)].add(table_id)
    return sum(
        _reconcile(booking_id, company_id, tables, now)
        for (booking_id, company_id), tables in sorted(due.items(), key=lambda entry: str(entry[0][0]))
    )


def bookings_no_show_due(now: datetime.datetime) -> int:
    """Marks ``no_show`` the bookings not arrived by their start plus the grace period."""
    started = Booking.unscoped.filter(status__in=WAITING, starts_at__lte=now).select_related("branch")
    changed = 0
    for booking_id in [b.pk for b in started.order_by("pk") if b.starts_at + _minutes(b.branch.booking_grace) <= now]:
        with transaction.atomic():
            booking = (
                Booking.unscoped.select_related("branch")
                .select_for_update(of=("self",), no_key=True)
                .filter(pk=booking_id, status__in=WAITING)
                .first()
            )
            if booking is None:  # arrived or cancelled meanwhile
                continue
            emit(company_id=booking.company_id, events=booking_status_set(booking, BookingStatus.NO_SHOW))
            changed += 1
    return changed
