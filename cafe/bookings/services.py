"""Writes of the book: taking a booking, moving it (time, tables, guests), its status
(``BOOKING_TRANSITIONS``) and seating the party (``booking_arrive``). Each public
function is one transaction that ends by handing its events to ``emit``.

No overlap: two holding bookings of one table whose spans (start to end plus the
branch's ``booking_buffer``) overlap never both exist. Every write that gives a
booking its tables or time checks it with one explicit query on the copies kept in
``BookingTable`` (``_clash``), then writes them: on SQLite the transaction is
``IMMEDIATE``, so it holds the database's write lock from its start and the check
and the write cannot interleave with another; on PostgreSQL a concurrent booking the
query could not see yet is refused by the exclusion constraint
``booking_tables_never_overlap`` when its row is written, and answered the same 409.

Locks (docs/architecture.md, the kernel's lock order): a booking first, then what
the order kernel locks (``cafe.orders.locking``: orders → tables → …)."""

import datetime
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.bookings.events import BOOKING_CREATED, BOOKING_UPDATED, booking_event
from cafe.bookings.models import BOOKING_TRANSITIONS, HOLDING_STATUSES, Booking, BookingStatus, BookingTable
from cafe.bookings.selectors import booking_locked
from cafe.floor.hours import is_open_at
from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_status_set
from cafe.guests.services import guest_for_contact
from cafe.orders.services import order_create
from cafe.shared.business_day import day_span, zone
from cafe.shared.services import with_prefetched
from core.errors import Conflict
from realtime.emit import PendingEvent, emit

OVERLAP_CONSTRAINT = "booking_tables_never_overlap"
# Changes that move a booking: every rule is checked again.
MOVING = frozenset({"tables", "start", "duration", "guests"})


def _instant(branch_zone: datetime.tzinfo, start: datetime.datetime) -> datetime.datetime:
    """``start`` as an instant: as given with an offset, or a wall-clock time in the
    branch's zone (400 for a time the clocks skip on that day)."""
    if start.tzinfo is not None:
        return start
    moment = start.replace(tzinfo=branch_zone)
    if moment.astimezone(datetime.UTC).astimezone(branch_zone).replace(tzinfo=None) != start:
        raise ValidationError({"start": [_("This local time does not exist on that day (the clocks go forward).")]})
    return moment


def _tables(tenant: Tenant, table_ids: Sequence[uuid.UUID]) -> list[Table]:
    """The tables named, all of one branch the tenant may act on (400 on ``tables``), in
    the order given (the first is where the party's order is opened)."""
    if len(table_ids) > settings.BOOKING_MAX_TABLES:
        raise ValidationError(
            {"tables": [_("A booking holds at most %(limit)s tables.") % {"limit": settings.BOOKING_MAX_TABLES}]}
        )
    found = tenant.scope(Table).select_related("branch").in_bulk(list(table_ids))
    missing = [str(pk) for pk in table_ids if pk not in found]
    if missing:
        raise ValidationError({"tables": [_("Table not found: %(tables)s.") % {"tables": ", ".join(missing)}]})
    rows = [found[pk] for pk in table_ids]
    if len({table.branch_id for table in rows}) > 1:
        raise ValidationError({"tables": [_("The tables of a booking are all in one branch.")]})
    return rows


def _check(booking: Booking, tables: Sequence[Table], *, start_changed: bool) -> None:
    """The rules of a booking's time, size and tables (400 naming the field)."""
    seats, guests = sum(table.seats for table in tables), booking.guests
    if guests > seats:
        raise ValidationError(
            {
                "guests": [
                    _("The tables seat %(seats)s; the party is %(guests)s.")
                    % {"seats": seats, "guests": booking.guests}
                ]
            }
        )
    if not start_changed:
        return
    branch, now = booking.branch, timezone.now()
    if booking.starts_at < now - datetime.timedelta(minutes=1):
        raise ValidationError({"start": [_("The start is in the past.")]})
    ahead = settings.BOOKING_MAX_DAYS_AHEAD
    if booking.starts_at > now + datetime.timedelta(days=ahead):
        raise ValidationError(
            {
                "start": [
                    _("Bookings are taken at most %(days)s days ahead.") % {"days": settings.BOOKING_MAX_DAYS_AHEAD}
                ]
            }
        )
    if not is_open_at(branch, booking.starts_at):
        raise ValidationError({"start": [_("The branch is closed at this time.")]})
    day = booking.starts_at.astimezone(zone(branch)).date()
    first, after = day_span(branch, day)
    taken = branch.bookings.filter(starts_at__gte=first, starts_at__lt=after)
    if taken.exclude(pk=booking.pk).count() >= settings.BOOKINGS_MAX_PER_DAY:
        raise ValidationError(
            {
                "start": [
                    _("This branch takes at most %(limit)s bookings a day (BOOKINGS_MAX_PER_DAY).")
                    % {"limit": settings.BOOKINGS_MAX_PER_DAY}
                ]
            }
        )


def _blocks_until(booking: Booking) -> datetime.datetime:
    return booking.ends_at + datetime.timedelta(minutes=booking.branch.booking_buffer)


def _clash(booking: Booking, table_ids: Sequence[uuid.UUID]) -> BookingTable | None:
    """The first holding booking of one of these tables whose span overlaps this one's
    (start to end plus the buffer, half-open as the constraint's ``[)``)."""
    return (
        BookingTable.objects.filter(
            table__in=list(table_ids),
            holding=True,
            starts_at__lt=_blocks_until(booking),
            blocks_until__gt=booking.starts_at,
        )
        .exclude(booking=booking)
        .select_related("table", "booking__branch")
        .order_by("starts_at", "table__number")
        .first()
    )


def _overlap(clash: BookingTable) -> Conflict:
    here = zone(clash.booking.branch)
    start, end = clash.starts_at.astimezone(here), clash.blocks_until.astimezone(here)
    return Conflict(
        _(
            "Table %(table)s is booked on %(day)s from %(start)s until %(end)s (with the turnover buffer); "
            "choose another time or table."
        )
        % {
            "table": clash.table.number,
            "day": start.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        },
        code="booking_overlap",
    )


def _is_overlap(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT or OVERLAP_CONSTRAINT in str(exc)


def _links_write(booking: Booking, tables: Sequence[Table]) -> list[BookingTable]:
    """Gives the (saved) booking exactly these tables, with its span and whether it
    holds them copied onto each link; 409 naming the table and the other booking's
    time when one of them is taken."""
    holding = booking.status in HOLDING_STATUSES
    ids = [table.pk for table in tables]
    if holding and (clash := _clash(booking, ids)) is not None:
        raise _overlap(clash)
    existing = {link.table_id: link for link in BookingTable.objects.filter(booking=booking)}
    links = []
    for table in tables:
        link = existing.pop(table.pk, None) or BookingTable(booking=booking, table=table)
        link.table = table
        link.starts_at, link.blocks_until, link.holding = booking.starts_at, _blocks_until(booking), holding
        links.append(link)
    try:
        with transaction.atomic():
            if existing:
                BookingTable.objects.filter(pk__in=[link.pk for link in existing.values()]).delete()
            kept = [link for link in links if link.pk is not None]
            if kept:
                BookingTable.objects.bulk_update(kept, ["starts_at", "blocks_until", "holding"])
            BookingTable.objects.bulk_create([link for link in links if link.pk is None])
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        clash = _clash(booking, ids)  # the booking that won has committed: it is seen now
        if clash is None:
            raise Conflict(_("One of the tables was booked for this time meanwhile."), code="booking_overlap") from None
        raise _overlap(clash) from None
    links.sort(key=lambda link: link.table.number)
    with_prefetched(booking, table_links=links)
    return links


def _holding_set(booking: Booking) -> None:
    """Copies whether the booking holds its tables onto its links (a status change)."""
    BookingTable.objects.filter(booking=booking).update(holding=booking.status in HOLDING_STATUSES)


def _contact(tenant: Tenant, booking: Booking) -> None:
    guest = guest_for_contact(tenant=tenant, name=booking.guest_name, phone=booking.guest_phone)
    booking.guest = guest
    if guest is not None:
        booking.guest_phone = guest.phone


@transaction.atomic
def booking_create(
    *,
    tenant: Tenant,
    tables: Sequence[uuid.UUID],
    start: datetime.datetime,
    guests: int,
    guest_name: str,
    duration: int | None = None,
    guest_phone: str = "",
    note: str = "",
    source: str = "phone",
) -> Booking:
    """A booking of ``tables`` (one branch) from ``start`` (an instant, or a wall-clock
    time in the branch's zone) for ``duration`` minutes (the branch's
    ``booking_duration`` by default). The guest is found or added by phone."""
    rows = _tables(tenant, tables)
    branch = rows[0].branch
    starts_at = _instant(zone(branch), start)
    booking = Booking(
        company=tenant.company,
        branch=branch,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=duration or branch.booking_duration),
        guests=guests,
        guest_name=guest_name,
        guest_phone=guest_phone,
        note=note,
        source=source,
        created_by=tenant.user,
    )
    _check(booking, rows, start_changed=True)
    _contact(tenant, booking)
    booking.save()
    _links_write(booking, rows)
    emit(company_id=tenant.company_id, events=[booking_event(BOOKING_CREATED, booking)])
    return booking


def _must_be_changeable(booking: Booking) -> None:
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.CONFIRMED):
        raise Conflict(
            _("The booking is %(status)s; only booked or confirmed bookings change.")
            % {"status": booking.get_status_display().lower()}
        )


@transaction.atomic
def booking_update(*, tenant: Tenant, booking_id: uuid.UUID, **changes: Any) -> Booking:
    """Moves a booking (``start``, ``duration``, ``tables``, ``guests``: every rule is
    checked again, the start's only if it changes) or changes its details; tables it
    no longer holds that were reserved for it are freed."""
    booking = booking_locked(tenant, booking_id)
    _must_be_changeable(booking)
    links = list(BookingTable.objects.filter(booking=booking).select_related("table").order_by("pk"))
    table_ids = changes.pop("tables", None)
    rows = _tables(tenant, table_ids) if table_ids is not None else [link.table for link in links]
    if rows and rows[0].branch_id != booking.branch_id:
        raise ValidationError({"tables": [_("A booking cannot move to another branch.")]})
    start_changed = False
    if "start" in changes:
        starts_at = _instant(zone(booking.branch), changes.pop("start"))
        start_changed = starts_at != booking.starts_at
        duration = booking.ends_at - booking.starts_at
        booking.starts_at, booking.ends_at = starts_at, starts_at + duration
    if "duration" in changes:
        booking.ends_at = booking.starts_at + datetime.timedelta(minutes=changes.pop("duration"))
    for field, value in changes.items():
        setattr(booking, field, value)
    _check(booking, rows, start_changed=start_changed)
    if "guest_phone" in changes or "guest_name" in changes:
        _contact(tenant, booking)
    booking.save()
    _links_write(booking, rows)
    freed = _release(booking, keep={table.pk for table in rows})
    emit(company_id=tenant.company_id, events=[*freed, booking_event(BOOKING_UPDATED, booking)])
    return booking


def _release(booking: Booking, *, keep: Collection[uuid.UUID] = ()) -> list[PendingEvent[Any]]:
    """Tables reserved for the booking that it no longer holds (cancelled, no-show,
    moved off them) go back to ``free``."""
    ids = Table.unscoped.filter(company=booking.company_id, reserved_for=booking.pk).exclude(pk__in=list(keep))
    return tables_release(booking.company_id, list(ids.values_list("pk", flat=True)), booking.pk)


def tables_locked_for(company_id: uuid.UUID, table_ids: Collection[uuid.UUID]) -> list[Table]:
    """The company's tables, locked in id order as ``cafe.orders.locking`` locks them
    (for the timer, which has no user: it acts for the company)."""
    if not table_ids:
        return []
    rows = Table.unscoped.filter(company=company_id, pk__in=sorted(set(table_ids))).order_by("pk")
    return list(rows.select_for_update(of=("self",), no_key=True))


def tables_release(
    company_id: uuid.UUID, table_ids: Collection[uuid.UUID], booking_id: uuid.UUID
) -> list[PendingEvent[Any]]:
    """Each of the tables still reserved for ``booking_id`` becomes free (locked in id
    order, after the booking; one an order took meanwhile stays busy)."""
    events: list[PendingEvent[Any]] = []
    for table in tables_locked_for(company_id, table_ids):
        if table.reserved_for != booking_id:
            continue
        table.reserved_for = None
        if table.status == TableStatus.RESERVED:
            events += table_status_set(table, TableStatus.FREE, save=False)
        table.save(update_fields=["status", "reserved_for", "updated_at"])
    return events


def booking_move(booking: Booking, status: str) -> None:
    """The one place a booking's status changes, as ``BOOKING_TRANSITIONS`` allows (409
    otherwise). The caller saves it and copies ``holding`` to its links."""
    if status not in BOOKING_TRANSITIONS[booking.status]:
        raise Conflict(
            _("The booking is %(status)s; it cannot become %(to)s.")
            % {"status": booking.get_status_display().lower(), "to": BookingStatus(status).label.lower()}
        )
    booking.status = status


def booking_status_set(booking: Booking, status: str) -> list[PendingEvent[Any]]:
    """Moves a locked booking to ``status`` (not ``arrived``: ``booking_arrive``), saves
    it, copies ``holding`` onto its links and frees the tables reserved for it when it
    stops holding them. Returns its events; runs inside the caller's transaction."""
    booking_move(booking, status)
    booking.save(update_fields=["status", "updated_at"])
    _holding_set(booking)
    freed = [] if status in HOLDING_STATUSES else _release(booking)
    return [*freed, booking_event(BOOKING_UPDATED, _with_links(booking))]


def _with_links(booking: Booking) -> Booking:
    links = list(BookingTable.objects.filter(booking=booking).select_related("table").order_by("table__number"))
    with_prefetched(booking, table_links=links)
    return booking


@transaction.atomic
def booking_transition(*, tenant: Tenant, booking_id: uuid.UUID, status: str) -> Booking:
    """Confirms, cancels or marks a no-show (409 for any move ``BOOKING_TRANSITIONS``
    does not allow)."""
    booking = booking_locked(tenant, booking_id)
    if status == BookingStatus.ARRIVED:
        raise Conflict(_("Seat the party with arrive/."))
    emit(company_id=tenant.company_id, events=booking_status_set(booking, status))
    return booking


@transaction.atomic
def booking_arrive(*, tenant: Tenant, booking_id: uuid.UUID) -> Booking:
    """Seats the party: the booking becomes ``arrived`` and its tables busy with one
    open order (the first table its ``table``, the rest ``joined_tables``; the
    booking's guests and guest), opened through the order kernel, which refuses a
    table another order holds (409)."""
    booking = booking_locked(tenant, booking_id)
    booking_move(booking, BookingStatus.ARRIVED)
    links = list(BookingTable.objects.filter(booking=booking).select_related("table").order_by("table__number"))
    if not links:
        raise Conflict(_("The booking has no tables; give it one first."))
    tables = [link.table_id for link in links]
    order = order_create(
        tenant=tenant,
        table=tables[0],
        joined_tables=tables[1:],
        guests=booking.guests,
        guest=booking.guest_id,
        seating=booking.pk,
    )
    booking.order, booking.arrived_at = order, timezone.now()
    booking.save(update_fields=["status", "order", "arrived_at", "updated_at"])
    Table.unscoped.filter(pk__in=tables, reserved_for=booking.pk).update(reserved_for=None)
    with_prefetched(booking, table_links=links)
    emit(company_id=tenant.company_id, events=[booking_event(BOOKING_UPDATED, booking)])
    return booking
