"""TODO"""

from typing import cast

from cafe.floor.models import Table
from cafe.floor.serializers import TableSerializer
from cafe.shared.serializers import represent
from realtime.catalogue import (
    TABLE_STATUS_CHANGED,
    EventType,
    TableData,
    TableObject,
    TableStatusData,
    TableStatusName,
)
from realtime.emit import PendingEvent, in_event_language


@in_event_language
def table_status_changed(table: Table) -> PendingEvent[TableStatusData]:
    data = TableStatusData(
        table_id=str(table.pk),
        table_number=table.number,
        status=cast(TableStatusName, table.status),
        status_display=str(table.get_status_display()),
        branch_id=str(table.branch_id),
    )
    return PendingEvent(TABLE_STATUS_CHANGED, table.branch_id, data)


@in_event_language
def table_event(type: EventType[TableData], table: Table) -> PendingEvent[TableData]:
    data = TableData(
        table=cast(TableObject, represent(TableSerializer, table)),
        company_id=str(table.company_id),
        branch_id=str(table.branch_id),
    )
    return PendingEvent(type, table.branch_id, data)
