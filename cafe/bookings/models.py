"""The book: bookings of one or several tables for a time."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned
from cafe.floor.models import Table
from cafe.guests.models import Guest
from cafe.orders.models import Order


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# The one place that says which status may follow which; any other move is 409.
BOOKING_TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.BOOKED: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.ARRIVED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED}),
    BookingStatus.ARRIVED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
}

# A booking in these holds its tables for its time (and the buffer after it).
HOLDING_STATUSES = frozenset({BookingStatus.BOOKED, BookingStatus.CONFIRMED, BookingStatus.ARRIVED})


class BookingSource(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    ONLINE = "online", _("Online")


class Booking(TenantOwned):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="bookings")
    tables: "models.ManyToManyField[Table, BookingTable]" = models.ManyToManyField(
        Table, through="BookingTable", related_name="+"
    )
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings")
    # As given (the guest's row may be erased later; erasing clears these too).
    guest_name = models.CharField(max_length=120)
    guest_phone = models.CharField(max_length=16, blank=True, default="")
    # Stored in UTC; given and shown in the branch's time zone.
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    guests = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True, default="")
    source = models.CharField(max_length=16, choices=BookingSource.choices, default=BookingSource.PHONE)
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    # The order the party was seated with (``arrive/``).
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["starts_at", "created_at"]
        indexes = [models.Index(fields=["company", "branch", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(guests__gte=1), name="booking_guests_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} at {self.starts_at:%Y-%m-%d %H:%M}"


class BookingTable(models.Model):
    """A table a booking holds, with the booking's time (its end plus the branch's
    turnover buffer) and whether it still holds it copied here, so that PostgreSQL's
    exclusion constraint ``booking_tables_never_overlap`` (migration 0008, btree_gist)
    refuses two holding bookings of one table whose times overlap. On SQLite the
    bookings service checks the same under the branch's write lock."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="table_links")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="booking_links")
    starts_at = models.DateTimeField()
    blocks_until = models.DateTimeField()
    holding = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "table"], name="booking_table_once"),
            models.CheckConstraint(
                condition=Q(blocks_until__gt=models.F("starts_at")), name="booking_table_blocks_after_start"
            ),
        ]
        indexes = [models.Index(fields=["table", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.table_id} {self.starts_at:%Y-%m-%d %H:%M}–{self.blocks_until:%H:%M}"
