"""The book's OpenAPI description: bookings (``BOOKINGS``)."""

from drf_spectacular.utils import OpenApiExample

from cafe.bookings.serializers import BookingFilter, BookingInput, BookingSerializer
from cafe.shared.schema import BRANCH, TABLE
from core.schema import document, operation

BOOKING = "e7d6c5b4-a392-4817-9f6e-5d4c3b2a1908"
GUEST = "d6c5b4a3-9281-4706-8e5d-4c3b2a190817"
BOOKING_EXAMPLE = {
    "id": BOOKING,
    "branch": BRANCH,
    "tables": [{"id": TABLE, "number": 5}],
    "start": "2027-03-28T19:00:00+02:00",
    "end": "2027-03-28T21:00:00+02:00",
    "duration": 120,
    "guests": 4,
    "guest": GUEST,
    "guest_name": "Anna",
    "guest_phone": "+4915112345678",
    "note": "window seat",
    "source": "phone",
    "status": "booked",
    "status_display": "Забронировано",
    "order": None,
    "arrived_at": None,
    "created_at": "2027-03-20T10:15:00Z",
    "updated_at": "2027-03-20T10:15:00Z",
}
ANSWER = [OpenApiExample("A booking", BOOKING_EXAMPLE, response_only=True)]
WRITERS = "Allowed to everyone but cooks."
SENDS = "Sends `booking_updated` on the tables and orders sockets"
CHANGEABLE = "409 unless the booking is booked or confirmed"


def _transition(summary: str, description: str) -> object:
    return operation(
        tag="bookings",
        summary=summary,
        response=BookingSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=ANSWER,
        description=f"{description} {WRITERS}",
    )


BOOKINGS = document(
    list=operation(
        tag="bookings",
        summary="List bookings",
        response=BookingSerializer,
        parameters=[BookingFilter],
        paged=True,
        description="Earliest first. Filters: `branch`, `date` (the branch's local day the booking starts on), "
        "`status` (repeat it for several), `table`. `guest_phone` is masked for all but owners, admins and "
        "managers.",
    ),
    retrieve=operation(
        tag="bookings", summary="Get a booking", response=BookingSerializer, detail=True, examples=ANSWER
    ),
    create=operation(
        tag="bookings",
        summary="Take a booking",
        request=BookingInput,
        response=BookingSerializer,
        status=201,
        idempotent=True,
        examples=[
            OpenApiExample(
                "By phone, in the branch's local time",
                {
                    "tables": [TABLE],
                    "start": "2027-03-28T19:00",
                    "guests": 4,
                    "guest_name": "Anna",
                    "guest_phone": "+49 151 1234 5678",
                    "note": "window seat",
                },
                request_only=True,
            ),
            *ANSWER,
        ],
        description="One or several `tables` of one branch (at most `BOOKING_MAX_TABLES`); `start` in ISO 8601: "
        "with an offset it is that instant, without one it is the wall-clock time in the branch's time zone "
        "(a time the clocks skip is 400); answers show times in the branch's zone with its offset. `duration` "
        "in minutes (15 to 720; the branch's `booking_duration` by default). 400 naming the field: `guests` "
        "above the tables' seats, a `start` in the past, when the branch is closed (its opening hours), more "
        "than `BOOKING_MAX_DAYS_AHEAD` days ahead or past `BOOKINGS_MAX_PER_DAY` bookings that day, `tables` "
        "of another branch or not found. 409 (`code`: `booking_overlap`) naming the table and the other "
        "booking's time when one of the tables is booked then (the branch's `booking_buffer` after each "
        "booking included). The guest is found or added to the guest book by `guest_phone`. Sends "
        f"`booking_created` on the tables and orders sockets. {WRITERS}",
    ),
    partial_update=operation(
        tag="bookings",
        summary="Move or change a booking",
        request=BookingInput,
        response=BookingSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=ANSWER,
        description="Send only what changes. A new `start` keeps the duration; moving (time, tables, guests) "
        f"checks every rule again, as for a new booking. {CHANGEABLE}. Tables it leaves that were reserved "
        f"for it become free. {SENDS}. {WRITERS}",
    ),
    confirm=_transition("Confirm a booking", f"booked → confirmed; any other move 409. {SENDS}."),
    cancel=_transition(
        "Cancel a booking",
        f"booked or confirmed → cancelled; any other move 409. Its tables reserved for it become free. {SENDS}.",
    ),
    no_show=_transition(
        "Mark a no-show",
        "booked or confirmed → no_show (the timer does it by itself once the branch's `booking_grace` has "
        f"passed); any other move 409. Its tables reserved for it become free. {SENDS}.",
    ),
    arrive=_transition(
        "Seat the party",
        "booked or confirmed → arrived: one open order is opened (the first table its `table`, the others "
        "`joined_tables`; the booking's guests and guest) and every table becomes busy; the answer's `order` "
        "is its id. 409 for any other move, or when a table is busy with another order. Sends `order_created` "
        "and `table_status_changed` (on the orders socket, as for any order), then `booking_updated`.",
    ),
)
