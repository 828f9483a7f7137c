"""The guest book's reads and writes that reach a guest's orders and bookings: their
figures (visits, last visit, spending, no-shows), history, export and erasure. They
live here, above ``orders`` and beside the bookings, because the guests area sits
below both (``cafe.guests`` knows neither orders nor bookings)."""

import uuid
from typing import Any

from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.tenancy import Tenant
from cafe.bookings.models import Booking, BookingStatus
from cafe.guests.models import Guest
from cafe.guests.selectors import guest_get
from cafe.guests.services import guest_row_erase
from cafe.orders.models import Order, OrderStatus

# How many of each (orders, bookings) an export lists, newest first.
EXPORT_MAX_ROWS = 5000

_MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


def guests_with_figures(tenant: Tenant, guests: QuerySet[Guest]) -> QuerySet[Guest]:
    """``guests`` with ``visits``, ``last_visit``, ``total_spent`` and ``no_shows``,
    from the orders and bookings ``tenant`` may see (a branch-bound role: their
    branch's), each one subquery per row of the page: nothing is kept as a counter."""
    closed = tenant.scope(Order).filter(guest=OuterRef("pk"), status=OrderStatus.CLOSED).order_by().values("guest")
    missed = tenant.scope(Booking).filter(guest=OuterRef("pk"), status=BookingStatus.NO_SHOW).order_by().values("guest")
    return guests.annotate(
        visits=Coalesce(
            Subquery(closed.filter(split_from__isnull=True).annotate(n=Count("pk")).values("n")),
            0,
            output_field=IntegerField(),
        ),
        last_visit=Subquery(closed.annotate(at=Max("closed_at")).values("at"), output_field=DateTimeField()),
        total_spent=Coalesce(
            Subquery(closed.annotate(spent=Sum(F("total") - F("refunded"))).values("spent"), output_field=_MONEY),
            Value(0),
            output_field=_MONEY,
        ),
        no_shows=Coalesce(Subquery(missed.annotate(n=Count("pk")).values("n")), 0, output_field=IntegerField()),
    )


def guest_with_figures(*, tenant: Tenant, guest_id: uuid.UUID) -> Guest:
    return guests_with_figures(tenant, tenant.scope(Guest)).get(pk=guest_id)


def guest_history(*, tenant: Tenant, guest_id: uuid.UUID) -> QuerySet:
    """The guest's orders and bookings that ``tenant`` may see, newest first, as rows
    of ``kind``, ``id``, ``branch_id``, ``at``, ``status``, ``guests`` and ``amount``
    (an order's total less refunds; None for a booking): one query per page."""
    guest = guest_get(tenant=tenant, guest_id=guest_id)
    orders = (
        tenant.scope(Order)
        .filter(guest=guest)
        .order_by()
        .annotate(kind=Value("order", output_field=CharField()), at=F("created_at"))
        .annotate(amount=F("total") - F("refunded"))
        .values("id", "branch_id", "status", "guests", "kind", "at", "amount")
    )
    bookings = (
        tenant.scope(Booking)
        .filter(guest=guest)
        .order_by()
        .annotate(kind=Value("booking", output_field=CharField()), at=F("starts_at"))
        .annotate(amount=Value(None, output_field=_MONEY))
        .values("id", "branch_id", "status", "guests", "kind", "at", "amount")
    )
    return orders.union(bookings, all=True).order_by("-at", "-id")


def guest_export(*, tenant: Tenant, guest_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about the guest (for company-wide roles: every branch), the
    newest ``EXPORT_MAX_ROWS`` orders and bookings; ``truncated`` says when more exist."""
    guest = guest_with_figures(tenant=tenant, guest_id=guest_id)
    orders = list(tenant.scope(Order).filter(guest=guest).order_by("-created_at", "-id")[: EXPORT_MAX_ROWS + 1])
    bookings = list(tenant.scope(Booking).filter(guest=guest).order_by("-starts_at", "-id")[: EXPORT_MAX_ROWS + 1])
    return {
        "guest": guest,
        "orders": orders[:EXPORT_MAX_ROWS],
        "bookings": bookings[:EXPORT_MAX_ROWS],
        "truncated": len(orders) > EXPORT_MAX_ROWS or len(bookings) > EXPORT_MAX_ROWS,
    }


@transaction.atomic
def guest_erase(*, tenant: Tenant, guest_id: uuid.UUID) -> Guest:
    """Erases a guest on their request: their row's name, phone, note and tags, and the
    name, phone (and, for bookings, the note) copied onto every order and booking of the
    company linked to them. The orders stay, linked to the anonymous row, with their
    money: reports do not change. Idempotent: erasing again changes nothing.

    Sends no events: an order's customer fields are not part of what its events are for
    (its lines, status and bill), and the masked phone they carry gives nothing away;
    screens holding an open takeaway order show the old name until they reload it."""
    guest = guest_get(tenant=tenant, guest_id=guest_id, lock=True)
    if guest_row_erase(guest):
        # Every branch's rows, whoever asked: the guest (the company's) links them.
        guest.orders.update(customer_name="", customer_phone="")
        guest.bookings.update(guest_name="", guest_phone="", note="")
    return guest_with_figures(tenant=tenant, guest_id=guest.pk)
