"""What an order's events carry: the order is the REST answer's shape
(``cafe.orders.serializers.OrderSerializer``, with its payments and refunds), the
kitchen task ``KitchenTaskSerializer``'s; a test keeps the two in step."""

from typing import Literal, TypedDict

from cafe.shared.payloads import Kilograms, Money, Timestamp, Uuid

OrderStatusName = Literal["open", "closed", "cancelled", "merged"]
ServiceName = Literal["dine_in", "takeaway"]
TenderName = Literal["cash", "card", "transfer"]
TaskStatusName = Literal["held", "pending", "in_progress", "ready", "served", "cancelled"]


class LineModifier(TypedDict):
    id: Uuid | None  # the menu's modifier; None once it was removed from the menu
    group: str
    name: str
    price: Money


class Discount(TypedDict):
    kind: Literal["amount", "percent"]
    value: Money  # the sum, or the percent
    reason: str
    amount: Money  # what it took off


class OrderLine(TypedDict):
    id: Uuid
    menu_item: Uuid
    title: str
    price: Money  # the menu item's price plus its modifiers', per portion (weighed: its weight's)
    quantity: int
    weight: Kilograms | None  # sold by weight: each portion's weight in kg
    price_per_kg: Money | None  # sold by weight: the price of a kilogram
    discount: Discount | None
    total: Money  # price × quantity − the line's discount
    note: str
    modifiers: list[LineModifier]
    course: int
    voided: bool
    void_reason: str
    refunded_quantity: int


class Bill(TypedDict):
    """An order's money; the rounding rules are in the README (``cafe.orders.money``)."""

    subtotal: Money
    discounts: Money
    service_charge_percent: Money
    service_charge: Money
    total: Money
    paid: Money
    due: Money
    tips: Money
    change: Money
    refunded: Money


class PaymentObject(TypedDict):
    id: Uuid
    method: TenderName
    check: int | None  # which check of an evenly split bill it paid
    amount: Money
    tip: Money
    tendered: Money
    change: Money
    shift: Uuid | None
    user: Uuid | None
    created_at: Timestamp


class RefundLineObject(TypedDict):
    line: Uuid
    quantity: int
    amount: Money


class RefundObject(TypedDict):
    id: Uuid
    method: TenderName
    amount: Money
    reason: str
    lines: list[RefundLineObject]
    shift: Uuid | None
    user: Uuid | None
    created_at: Timestamp


class OrderObject(TypedDict):
    id: Uuid
    branch: Uuid
    service: ServiceName
    table: Uuid | None  # None for takeaway
    table_number: int | None
    joined_tables: list[Uuid]  # more tables pushed together for the party
    guest: Uuid | None  # from the guest book
    booking_override: bool  # opened on a table reserved for a booking, as the waiter said
    guests: int
    status: OrderStatusName
    status_display: str
    waiter: Uuid | None
    customer_name: str
    customer_phone: str  # masked (+7 *** ***-**-67): every role gets orders
    pickup_number: int | None  # takeaway: the number called out, per branch and day
    items: list[OrderLine]
    discount: Discount | None
    total: Money
    money: Bill
    payments: list[PaymentObject]
    refunds: list[RefundObject]
    split_checks: int | None  # split evenly: paid as this many equal checks
    split_from: Uuid | None
    merged_into: Uuid | None
    ready_at: Timestamp | None
    paid_at: Timestamp | None
    closed_at: Timestamp | None
    created_at: Timestamp
    # When the device took it, by its clock (an order queued offline); None when not given.
    taken_at: Timestamp | None
    updated_at: Timestamp


class KitchenTaskObject(TypedDict):
    id: Uuid
    branch: Uuid
    order: Uuid
    line: Uuid
    station: Uuid
    station_name: str
    portion: int
    quantity: int
    weight: Kilograms | None  # sold by weight: the portion's weight in kg
    status: TaskStatusName
    status_display: str
    cook: Uuid | None
    title: str
    modifiers: list[LineModifier]
    note: str
    course: int
    table_number: int | None
    service: ServiceName
    pickup_number: int | None
    created_at: Timestamp
    fired_at: Timestamp | None
    claimed_at: Timestamp | None
    ready_at: Timestamp | None
    served_at: Timestamp | None
    cancelled_at: Timestamp | None
    updated_at: Timestamp


class KitchenTaskData(TypedDict):
    task: KitchenTaskObject
    company_id: Uuid
    branch_id: Uuid


class OrderData(TypedDict):
    order: OrderObject
    company_id: Uuid
    branch_id: Uuid
