"""The floor's event types (registered with ``realtime`` in ``CafeConfig.ready``)
and their builders."""

from typing import cast

from cafe.floor.models import Table, Zone
from cafe.floor.payloads import TableData, TableObject, TableStatusData, TableStatusName, ZoneData, ZoneObject
from cafe.floor.serializers import TableSerializer, ZoneSerializer
from cafe.shared.events import Stream
from cafe.shared.serializers import represent
from realtime.catalogue import EventType, event_type
from realtime.emit import PendingEvent, in_event_language

TABLE_STATUS_CHANGED = event_type(
    "table_status_changed",
    {Stream.ORDERS, Stream.TABLES},
    TableStatusData,
    "A table became free, busy or reserved (sent only when the status really changes).",
)
TABLE_CREATED = event_type("table_created", {Stream.TABLES}, TableData, "A table was set up.")
TABLE_UPDATED = event_type(
    "table_updated", {Stream.TABLES}, TableData, "A table's number, seats, status, hall or place on the plan changed."
)
TABLE_DELETED = event_type("table_deleted", {Stream.TABLES}, TableData, "A table was removed.")
ZONE_CREATED = event_type("zone_created", {Stream.TABLES}, ZoneData, "A hall (zone) was set up.")
ZONE_UPDATED = event_type("zone_updated", {Stream.TABLES}, ZoneData, "A hall's name, position or canvas changed.")
ZONE_DELETED = event_type("zone_deleted", {Stream.TABLES}, ZoneData, "A hall was removed (it had no tables left).")
TABLE_EVENTS = (
    TABLE_STATUS_CHANGED,
    TABLE_CREATED,
    TABLE_UPDATED,
    TABLE_DELETED,
    ZONE_CREATED,
    ZONE_UPDATED,
    ZONE_DELETED,
)


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


@in_event_language
def zone_event(type: EventType[ZoneData], zone: Zone) -> PendingEvent[ZoneData]:
    data = ZoneData(
        zone=cast(ZoneObject, represent(ZoneSerializer, zone)),
        company_id=str(zone.company_id),
        branch_id=str(zone.branch_id),
    )
    return PendingEvent(type, zone.branch_id, data)
