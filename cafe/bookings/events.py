"""The book's event types (registered with ``realtime`` in ``CafeConfig.ready``) and
their builder. A booking goes to the tables socket (the floor shows what is coming)
and the orders socket (the hosts and waiters taking orders)."""

from typing import cast

from cafe.bookings.models import Booking
from cafe.bookings.payloads import BookingData, BookingObject
from cafe.bookings.serializers import BookingSerializer
from cafe.shared.events import Stream
from cafe.shared.serializers import represent
from realtime.catalogue import EventType, event_type
from realtime.emit import PendingEvent, in_event_language

BOOKING_CREATED = event_type(
    "booking_created", {Stream.ORDERS, Stream.TABLES}, BookingData, "A booking was taken (the guest's phone masked)."
)
BOOKING_UPDATED = event_type(
    "booking_updated",
    {Stream.ORDERS, Stream.TABLES},
    BookingData,
    "A booking changed: moved (time, tables), its details, or its status (confirmed, arrived, no-show, cancelled).",
)
BOOKING_EVENTS = (BOOKING_CREATED, BOOKING_UPDATED)


@in_event_language
def booking_event(type: EventType[BookingData], booking: Booking) -> PendingEvent[BookingData]:
    """Needs the booking's ``branch`` and its ``table_links`` (with their tables) loaded."""
    data = BookingData(
        booking=cast(BookingObject, represent(BookingSerializer, booking)),
        company_id=str(booking.company_id),
        branch_id=str(booking.branch_id),
    )
    return PendingEvent(type, booking.branch_id, data)
