"""TODO"""

from typing import cast

from cafe.bill.models import Shift
from cafe.bill.serializers import ShiftSerializer
from cafe.shared.serializers import represent
from realtime.catalogue import (
    EventType,
    ShiftData,
    ShiftObject,
)
from realtime.emit import PendingEvent, in_event_language


@in_event_language
def shift_event(type: EventType[ShiftData], shift: Shift) -> PendingEvent[ShiftData]:
    data = ShiftData(
        shift=cast(ShiftObject, represent(ShiftSerializer, shift)),
        company_id=str(shift.company_id),
        branch_id=str(shift.branch_id),
    )
    return PendingEvent(type, shift.branch_id, data)
