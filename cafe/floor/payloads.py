"""What the floor's events carry: the table and zone objects are the REST answers'
shapes (``cafe.floor.serializers.TableSerializer`` / ``ZoneSerializer``); a test keeps
them in step."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Uuid

TableStatusName = Literal["free", "busy", "reserved"]
TableShapeName = Literal["rect", "round"]


class TableObject(TypedDict):
    id: Uuid
    branch: Uuid
    number: int
    seats: int
    status: TableStatusName
    status_display: str
    # Its hall (null: on no plan) and its place there, in the hall's plan units.
    zone: Uuid | None
    x: int
    y: int
    width: int
    height: int
    shape: TableShapeName
    rotation: int


class TableData(TypedDict):
    table: TableObject
    company_id: Uuid
    branch_id: Uuid


class TableStatusData(TypedDict):
    table_id: Uuid
    table_number: int
    status: TableStatusName
    status_display: str
    branch_id: Uuid


class ZoneObject(TypedDict):
    id: Uuid
    branch: Uuid
    name: str
    position: int
    width: int
    height: int


class ZoneData(TypedDict):
    zone: ZoneObject
    company_id: Uuid
    branch_id: Uuid
