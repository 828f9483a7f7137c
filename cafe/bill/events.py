"""The till's event types (registered with ``realtime`` in ``CafeConfig.ready``) and
their builders. Payments and refunds change the order: they are order events
(``cafe.orders.events``)."""

from typing import cast

from cafe.bill.models import Shift
from cafe.bill.payloads import ShiftData, ShiftObject
from cafe.bill.serializers import ShiftSerializer
from cafe.shared.events import Stream
from cafe.shared.serializers import represent
from realtime.catalogue import EventType, event_type
from realtime.emit import PendingEvent, in_event_language

SHIFT_OPENED = event_type("shift_opened", {Stream.ORDERS}, ShiftData, "A cash shift was opened in a branch.")
SHIFT_CLOSED = event_type(
    "shift_closed", {Stream.ORDERS}, ShiftData, "A cash shift was closed: the cash counted and the difference."
)
SHIFT_EVENTS = (SHIFT_OPENED, SHIFT_CLOSED)


@in_event_language
def shift_event(type: EventType[ShiftData], shift: Shift) -> PendingEvent[ShiftData]:
    data = ShiftData(
        shift=cast(ShiftObject, represent(ShiftSerializer, shift)),
        company_id=str(shift.company_id),
        branch_id=str(shift.branch_id),
    )
    return PendingEvent(type, shift.branch_id, data)
