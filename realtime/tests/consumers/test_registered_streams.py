"""A stream and an event type the domain registers are served like the cafe's own,
with no file of realtime/ edited: routed (``ws/cafe/<stream>/``), documented in the
AsyncAPI document, emitted, logged, replayed and delivered live; an unregistered
stream finds no route and an unregistered event type is refused by ``emit``."""

from typing import TypedDict

import pytest
from channels.testing import WebsocketCommunicator
from django.db import transaction

from cafe.shared.events import Stream
from cafe.tests.factories import BranchFactory, staff_of
from config.asgi import application
from realtime import asyncapi, catalogue
from realtime.emit import PendingEvent, emit
from realtime.models import Event
from realtime.tests.consumers.conftest import access_token, db
from realtime.tests.event_schema import message_errors

pytestmark = pytest.mark.django_db(transaction=True)

BOOKINGS = "/ws/cafe/bookings/"


class BookingObject(TypedDict):
    id: str
    guests: int
    note: str | None


class BookingData(TypedDict):
    booking: BookingObject
    branch_id: str


BOOKING_CREATED = catalogue.event_type("party_booked", {"bookings", Stream.TABLES}, BookingData, "A table was booked.")


@pytest.fixture
def bookings():
    """The bookings stream and its event registered for one test, the catalogue
    restored after it."""
    saved = {name: dict(getattr(catalogue, name)) for name in ("STREAMS", "NARROWINGS", "CATALOGUE", "TYPES_BY_STREAM")}
    catalogue.register_stream("bookings")
    catalogue.register_events(BOOKING_CREATED)
    yield
    for name, content in saved.items():
        registry = getattr(catalogue, name)
        registry.clear()
        registry.update(content)


def book(branch, guests: int) -> None:
    data = BookingData(booking=BookingObject(id="b1", guests=guests, note=None), branch_id=str(branch.pk))
    with transaction.atomic():
        emit(company_id=branch.company_id, events=[PendingEvent(BOOKING_CREATED, branch.pk, data)])


def test_a_registered_stream_and_event_are_in_the_catalogue_and_the_document(bookings):
    assert catalogue.TYPES_BY_STREAM["bookings"] == ("party_booked",)
    assert catalogue.TYPES_BY_STREAM["tables"][-1] == "party_booked"
    document = asyncapi.document()
    assert list(document["channels"]) == ["orders", "tables", "kitchen", "bookings"]
    assert document["channels"]["bookings"]["address"] == "/ws/cafe/bookings/"
    assert "party_booked" in document["channels"]["bookings"]["messages"]
    assert "party_booked" in document["channels"]["tables"]["messages"]
    assert document["components"]["schemas"]["party_booked_data"]["properties"]["booking"] == {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "guests": {"type": "integer"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["guests", "id", "note"],
        "additionalProperties": False,
    }


def test_registration_refuses_what_contradicts_the_catalogue(bookings):
    catalogue.register_stream("bookings")  # the same again: nothing changes
    catalogue.register_events(BOOKING_CREATED)
    assert catalogue.TYPES_BY_STREAM["bookings"] == ("party_booked",)
    other = catalogue.event_type("party_booked", {"bookings"}, BookingData, "Another summary.")
    with pytest.raises(catalogue.CatalogueError, match="another party_booked"):
        catalogue.register_events(other)
    nowhere = catalogue.event_type("booking_moved", {"bookings", "waitlist"}, BookingData, "Moved.")
    with pytest.raises(catalogue.CatalogueError, match="unregistered streams: waitlist"):
        catalogue.register_events(nowhere)
    narrowing = catalogue.Narrowing("table", "A table.", allows=lambda tenant, value, branch_id: True)
    with pytest.raises(catalogue.CatalogueError, match="another narrowing"):
        catalogue.register_stream("bookings", narrowing=narrowing)
    assert "booking_moved" not in catalogue.CATALOGUE
    assert "bookings" not in catalogue.NARROWINGS


def test_emit_refuses_an_event_type_nobody_registered():
    branch = BranchFactory()
    with pytest.raises(catalogue.CatalogueError, match="party_booked is not registered"):
        book(branch, 2)
    assert not Event.objects.exists()
    assert branch.company.__class__.objects.get(pk=branch.company_id).event_seq == 0


async def test_a_registered_stream_is_routed_replayed_and_delivered_live(ws, transport, bookings):
    branch = await db(BranchFactory)()
    waiter = await db(staff_of)(branch)
    await db(book)(branch, 2)

    socket = await ws(BOOKINGS, access_token(waiter), since=0)
    greeting = await socket.receive()
    assert greeting["type"] == "connection_established"
    assert greeting["group"] == f"cafe_bookings_{branch.company_id}_{branch.pk}"
    replayed = await socket.receive()
    assert (replayed["type"], replayed["data"]["booking"]["guests"]) == ("party_booked", 2)
    await transport()

    await db(book)(branch, 4)
    live = await socket.receive()
    assert (live["type"], live["seq"], live["data"]["booking"]["guests"]) == ("party_booked", replayed["seq"] + 1, 4)
    messages = await db(lambda: list(Event.objects.values_list("message", flat=True)))()
    assert [problem for message in messages for problem in message_errors(message)] == []


async def test_an_unregistered_stream_finds_no_route():
    """As any path no route serves (the server answers the handshake with an error)."""
    waiter = await db(staff_of)(await db(BranchFactory)())
    communicator = WebsocketCommunicator(application, f"{BOOKINGS}?token={access_token(waiter)}")
    with pytest.raises(ValueError, match="No route found for path 'ws/cafe/bookings/'"):
        await communicator.connect(timeout=3)
