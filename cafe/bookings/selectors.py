"""Reads of the book."""

import datetime
import uuid
from collections.abc import Collection

from django.db.models import Prefetch, QuerySet

from accounts.models import Branch
from accounts.tenancy import Tenant
from cafe.bookings.models import Booking, BookingTable
from cafe.shared.business_day import zone

# What a booking's answer and events show besides its row (see BookingSerializer).
TABLE_LINKS = Prefetch("table_links", BookingTable.objects.select_related("table").order_by("table__number"))


def booking_list(
    *,
    tenant: Tenant,
    branch: uuid.UUID | None = None,
    date: datetime.date | None = None,
    status: Collection[str] | None = None,
    table: uuid.UUID | None = None,
) -> QuerySet[Booking]:
    """The tenant's bookings, earliest first; ``date`` is a local day of each
    booking's branch (a booking starting in its branch's [00:00, next 00:00))."""
    bookings = tenant.scope(Booking)
    if branch:
        bookings = bookings.filter(branch=branch)
    if status:
        bookings = bookings.filter(status__in=status)
    if table:
        bookings = bookings.filter(table_links__table=table)
    if date:
        # Each branch has its own zone: the day's span is worked out per branch (a
        # company has at most COMPANY_MAX_BRANCHES), then one query asks for them all.
        spans = None
        for zone_name in set(tenant.branches().values_list("timezone", flat=True)):
            here = zone(Branch(timezone=zone_name))
            start = datetime.datetime.combine(date, datetime.time.min, tzinfo=here)
            end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min, tzinfo=here)
            span = bookings.filter(branch__timezone=zone_name, starts_at__gte=start, starts_at__lt=end)
            spans = span if spans is None else spans | span
        bookings = spans if spans is not None else bookings.none()
    return bookings.select_related("branch").prefetch_related(TABLE_LINKS).order_by("starts_at", "created_at")


def booking_get(*, tenant: Tenant, booking_id: uuid.UUID) -> Booking:
    return booking_list(tenant=tenant).get(pk=booking_id)


def booking_locked(tenant: Tenant, booking_id: uuid.UUID) -> Booking:
    """The booking, locked (``FOR NO KEY UPDATE``), with its branch read: the first lock
    of every write of a booking (docs/architecture.md, the kernel's lock order).
    Another tenant's or a missing one: ``Booking.DoesNotExist`` (404)."""
    rows = tenant.scope(Booking).select_related("branch").select_for_update(of=("self",), no_key=True)
    return rows.get(pk=booking_id)
