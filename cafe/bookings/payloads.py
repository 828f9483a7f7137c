"""What the book's events carry: the booking object is the REST answer's shape
(``cafe.bookings.serializers.BookingSerializer``, phones masked); a test keeps the
two in step."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Timestamp, Uuid

BookingStatusName = Literal["booked", "confirmed", "arrived", "no_show", "cancelled"]
BookingSourceName = Literal["phone", "walk_in", "online"]


class BookingTableRef(TypedDict):
    id: Uuid
    number: int


class BookingObject(TypedDict):
    id: Uuid
    branch: Uuid
    tables: list[BookingTableRef]
    start: Timestamp  # in the branch's time zone, with its offset
    end: Timestamp
    duration: int  # minutes
    guests: int
    guest: Uuid | None
    guest_name: str
    guest_phone: str  # masked for all but owner, admin and manager (always in events)
    note: str
    source: BookingSourceName
    status: BookingStatusName
    status_display: str
    order: Uuid | None
    arrived_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class BookingData(TypedDict):
    booking: BookingObject
    company_id: Uuid
    branch_id: Uuid
