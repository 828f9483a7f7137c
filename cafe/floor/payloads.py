"""What the floor's events carry: the table object is the REST answer's shape
(``cafe.floor.serializers.TableSerializer``); a test keeps the two in step."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Uuid

TableStatusName = Literal["free", "busy", "reserved"]


class TableObject(TypedDict):
    id: Uuid
    branch: Uuid
    number: int
    seats: int
    status: TableStatusName
    status_display: str


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
