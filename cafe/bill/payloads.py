"""What the till's events carry: the shift object is the REST answer's shape
(``cafe.bill.serializers.ShiftSerializer``); a test keeps the two in step. An
order's payments and refunds travel inside the order (``cafe.orders.payloads``)."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Money, Timestamp, Uuid


class ShiftObject(TypedDict):
    id: Uuid
    branch: Uuid
    status: Literal["open", "closed"]
    opened_by: Uuid | None
    opened_at: Timestamp
    opening_float: Money
    closed_by: Uuid | None
    closed_at: Timestamp | None
    expected_cash: Money | None
    counted_cash: Money | None
    difference: Money | None


class ShiftData(TypedDict):
    shift: ShiftObject
    company_id: Uuid
    branch_id: Uuid
