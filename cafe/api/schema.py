"""The cafe API's OpenAPI description: one decorator per view set, applied on the
class (``@schema.TABLES``), so the handlers carry no documentation.
Shared pieces (errors, Idempotency-Key, CRUD) are in ``core.schema``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.serializers import Serializer

from cafe.serializers import (
    BranchFilter,
    CashMovementInput,
    CashMovementSerializer,
    CategoryInput,
    CategorySerializer,
    CurrentShiftFilter,
    DailyReportFilter,
    DiscountInput,
    FiredSerializer,
    FireInput,
    KitchenTaskFilter,
    KitchenTaskSerializer,
    LineUpdateInput,
    LineVoidInput,
    MenuItemBranchInput,
    MenuItemBranchSerializer,
    MenuItemInput,
    MenuItemSerializer,
    MergeInput,
    ModifierFilter,
    ModifierGroupFilter,
    ModifierGroupInput,
    ModifierGroupSerializer,
    ModifierInput,
    ModifierSerializer,
    MoveInput,
    OrderChecksSerializer,
    OrderCreateInput,
    OrderFilter,
    OrderLinesInput,
    OrderSerializer,
    OrderUpdateInput,
    PayInput,
    RangeReportFilter,
    RefundInput,
    ReportSerializer,
    ShiftCloseInput,
    ShiftFilter,
    ShiftOpenInput,
    ShiftReportSerializer,
    ShiftSerializer,
    SplitEvenInput,
    SplitInput,
    SplitSerializer,
    StationInput,
    StationSerializer,
    TableInput,
    TableSerializer,
    TaskIdsInput,
)
from core.schema import document, errors, operation, resource, whole

BRANCH = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
TABLE = "3a8e7c55-1f0d-4b1e-9c3a-5d2e1f0a9b8c"
CATEGORY = "9d4c3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
MENU_ITEM = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
ORDER = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
WAITER = "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e"
STATION = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
GROUP = "8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b"
MODIFIER = "4d5e6f70-8192-4a3b-8c4d-5e6f70819203"
LINE = "0f1e2d3c-4b5a-4968-8776-655443322110"
TASK = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
COOK = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"

TABLE_EXAMPLE = {
    "id": TABLE,
    "branch": BRANCH,
    "number": 5,
    "seats": 4,
    "status": "free",
    "status_display": "Свободен",
}
CATEGORY_EXAMPLE = {"id": CATEGORY, "name": "Hot drinks", "position": 1}
MENU_ITEM_EXAMPLE = {
    "id": MENU_ITEM,
    "category": CATEGORY,
    "title": "Cappuccino",
    "price": "350.00",
    "is_available": True,
    "branch": None,
    "station": None,
    "remaining": None,
    "modifier_groups": [],
}
ORDER_EXAMPLE = {
    "id": ORDER,
    "branch": BRANCH,
    "table": TABLE,
    "table_number": 5,
    "guests": 2,
    "status": "open",
    "status_display": "Открыт",
    "waiter": WAITER,
    "items": [
        {
            "id": LINE,
            "menu_item": MENU_ITEM,
            "title": "Cappuccino",
            "price": "350.00",
            "quantity": 2,
            "total": "700.00",
            "note": "",
            "modifiers": [],
            "course": 1,
            "voided": False,
            "void_reason": "",
        }
    ],
    "total": "700.00",
    "created_at": "2026-03-14T12:30:00Z",
    "updated_at": "2026-03-14T12:30:00Z",
}
ORDER_ANSWER = [OpenApiExample("An order", ORDER_EXAMPLE, response_only=True)]

LINE_ID = OpenApiParameter("line_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The line's id.")
BRANCH_ID = OpenApiParameter("branch_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The branch's id.")
STATION_EXAMPLE = {"id": STATION, "branch": BRANCH, "name": "Hot kitchen", "position": 1}
MODIFIER_EXAMPLE = {"id": MODIFIER, "group": GROUP, "name": "Oat milk", "price": "40.00", "position": 0}
MODIFIER_GROUP_EXAMPLE = {
    "id": GROUP,
    "menu_item": MENU_ITEM,
    "name": "Milk",
    "required": True,
    "max_choices": 1,
    "position": 0,
    "modifiers": [MODIFIER_EXAMPLE],
}
MENU_ITEM_BRANCH_EXAMPLE = {
    "menu_item": MENU_ITEM,
    "branch": BRANCH,
    "station": STATION,
    "is_available": True,
    "remaining": 12,
}
TASK_EXAMPLE = {
    "id": TASK,
    "branch": BRANCH,
    "order": ORDER,
    "line": LINE,
    "station": STATION,
    "station_name": "Hot kitchen",
    "portion": 1,
    "quantity": 2,
    "status": "in_progress",
    "status_display": "Готовится",
    "cook": COOK,
    "title": "Cappuccino",
    "modifiers": [{"id": MODIFIER, "group": "Milk", "name": "Oat milk", "price": "40.00"}],
    "note": "extra hot",
    "course": 1,
    "table_number": 5,
    "created_at": "2026-03-14T12:30:00Z",
    "fired_at": "2026-03-14T12:30:00Z",
    "claimed_at": "2026-03-14T12:31:10Z",
    "ready_at": None,
    "served_at": None,
    "cancelled_at": None,
    "updated_at": "2026-03-14T12:31:10Z",
}
TASK_ANSWER = [OpenApiExample("A task", TASK_EXAMPLE, response_only=True)]

TABLES = resource(
    tag="tables",
    noun="table",
    output=TableSerializer,
    input=TableInput,
    filters=BranchFilter,
    example=TABLE_EXAMPLE,
    request_example={"number": 5, "seats": 4},
    write_errors=(409,),
    writers="owner, admin and manager; any staff member may PATCH only `status` to `reserved` or `free` "
    "(409 while the table has open orders)",
)

CATEGORIES = resource(
    tag="menu",
    noun="category",
    plural="categories",
    output=CategorySerializer,
    input=CategoryInput,
    example=CATEGORY_EXAMPLE,
    request_example={"name": "Hot drinks", "position": 1},
    write_errors=(409,),
)

MENU_ITEMS = resource(
    tag="menu",
    noun="menu item",
    output=MenuItemSerializer,
    input=MenuItemInput,
    filters=BranchFilter,
    example=MENU_ITEM_EXAMPLE,
    request_example={"category": CATEGORY, "title": "Cappuccino", "price": "350.00"},
    write_errors=(409,),
)

# Split, move, merge (cafe/api/split.py, docs/split.md)

OTHER_ORDER = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
NEW_TABLE = "4c5d6e7f-8091-4a2b-9c3d-4e5f60718293"
NOT_FOR_COOKS = "Not for cooks."
ORDER_LINE_EXAMPLE: dict = ORDER_EXAMPLE["items"][0]  # type: ignore[index]
SPLIT_MOVE_MERGE = {
    "split": operation(
        tag="orders",
        summary="Split the bill by lines",
        request=SplitInput,
        response=SplitSerializer,
        status=201,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample(
                "One portion of a line to a new check",
                {"lines": [{"line": LINE, "quantity": 1}], "guests": 1},
                request_only=True,
            ),
            OpenApiExample(
                "The order and the new one",
                {
                    "order": {**ORDER_EXAMPLE, "items": [{**ORDER_LINE_EXAMPLE, "quantity": 1, "total": "350.00"}]},
                    "new_order": {**ORDER_EXAMPLE, "id": OTHER_ORDER, "guests": 1, "split_from": ORDER},
                },
                response_only=True,
            ),
        ],
        description="Moves lines, or part of a line's quantity, to a new open order on the same table "
        "(waiter: the caller; `guests` 1 unless given; `split_from`: this order; the service charge percent "
        "is copied, the order's discount is not). A whole line keeps its id and its kitchen tasks; part of a "
        "line becomes a new line (`split_from` the line; a percent discount is copied, an amount discount "
        "stays on the source line) taking that many portions, those not started first. 1 to 200 entries, "
        "each line once, `quantity` 1 to the line's (400); a line not on the order, or moving every live "
        "line, is 400. 409 for a voided line, an order that is not open, a takeaway order, or one with "
        "payments. Stop-list counts do not change. Sends `order_updated` (this order), `order_created` "
        "(the new one) and `kitchen_task_updated` for each portion moved. " + NOT_FOR_COOKS,
    ),
    "move": operation(
        tag="orders",
        summary="Move to another table",
        request=MoveInput,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[OpenApiExample("The new table", {"table": NEW_TABLE}, request_only=True), *ORDER_ANSWER],
        description="Moves an open dine-in order to another table of its branch (another branch's or "
        "company's table, or the same table: 400 on `table`). The old table becomes free with its last open "
        "order, the new one busy (a reserved table too). 409 if the order is not open or is takeaway. Sends "
        "`order_updated`, `table_status_changed` for each table whose status changed, and "
        "`kitchen_task_updated` for the portions not yet served (they show the new table). " + NOT_FOR_COOKS,
    ),
    "merge": operation(
        tag="orders",
        summary="Merge another order of the table into this one",
        request=MergeInput,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[OpenApiExample("The other order", {"order": OTHER_ORDER}, request_only=True), *ORDER_ANSWER],
        description="The other open order of the same table joins this one: its lines (voided ones stay "
        "voided) and their kitchen tasks move here, guests add up, and it ends `merged` (`merged_into` this "
        "order, an empty bill). 400 on `order` for the same order, another table's, or one not found; 409 "
        "if either is not open or is takeaway, if the other has payments, or past `ORDER_MAX_LINES` / "
        "`ORDER_MAX_PORTIONS`. Sends `order_updated` (this order), `order_merged` (the other) and "
        "`kitchen_task_updated` for each portion moved. " + NOT_FOR_COOKS,
    ),
}

# Payments: paying, discounts and the even split (cafe/api/billing.py, docs/payments.md),
# spread into ORDERS below.

PAYMENT = "e7d6c5b4-a392-4817-8f6e-5d4c3b2a1908"
PAID_ORDER_EXAMPLE = {
    **ORDER_EXAMPLE,
    "status": "closed",
    "status_display": "Закрыт",
    "money": {
        "subtotal": "700.00",
        "discounts": "0.00",
        "service_charge_percent": "0.00",
        "service_charge": "0.00",
        "total": "700.00",
        "paid": "700.00",
        "due": "0.00",
        "tips": "50.00",
        "change": "250.00",
        "refunded": "0.00",
    },
    "payments": [
        {
            "id": PAYMENT,
            "method": "cash",
            "check": None,
            "amount": "700.00",
            "tip": "50.00",
            "tendered": "1000.00",
            "change": "250.00",
            "shift": None,
            "user": WAITER,
            "created_at": "2026-03-14T13:30:00Z",
        }
    ],
    "paid_at": "2026-03-14T13:30:00Z",
    "closed_at": "2026-03-14T13:30:00Z",
}
CHECKS_EXAMPLE = {
    "order": {**ORDER_EXAMPLE, "split_checks": 3},
    "checks": [
        {"check": 1, "amount": "233.34", "paid": False},
        {"check": 2, "amount": "233.33", "paid": False},
        {"check": 3, "amount": "233.33", "paid": False},
    ],
}
CHECKS_ANSWER = [OpenApiExample("Three checks", CHECKS_EXAMPLE, response_only=True)]
_DISCOUNT_RULES = (
    "`reason` is required; `percent` is above 0 and at most 100, `amount` above 0 (it never takes more than "
    "what it applies to). A discount above the branch's `staff_discount_limit_percent` of what it applies to "
    "needs a manager, an admin or the owner (403 naming the limit). Open orders only (409); a bill that would "
    "fall below what was already paid is refused (409: refund first). Sends `order_updated`. Not for cooks."
)

PAYMENTS = dict(
    pay=operation(
        tag="orders",
        summary="Pay",
        request=PayInput,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample(
                "Cash with a tip",
                {"tenders": [{"method": "cash", "amount": "1000.00"}], "tip": "50.00"},
                request_only=True,
            ),
            OpenApiExample(
                "Card and cash",
                {"tenders": [{"method": "card", "amount": "500.00"}, {"method": "cash", "amount": "200.00"}]},
                request_only=True,
            ),
            OpenApiExample(
                "One check of a split bill",
                {"tenders": [{"method": "card", "amount": "233.34"}], "check": 1},
                request_only=True,
            ),
            OpenApiExample("Paid and closed", PAID_ORDER_EXAMPLE, response_only=True),
        ],
        description="Takes 1 to 10 tenders (`cash`, `card`, `transfer`) and an optional `tip`. To pay: what is due "
        "(or the named `check` of an evenly split bill) plus the tip. Card and transfer together may not exceed it "
        "(400 on `tenders`); cash may, and the excess is the change (`money.change`, each payment's `change`). "
        "Tenders are applied card and transfer first, then cash, each in the order sent: the bill, then the tip, "
        "then change; a tender left with nothing to pay is 400. Covering it all closes the order: `order_paid`, "
        "`order_closed` (and `table_status_changed` when the table's last open order ends). Less is a partial "
        "payment (the tip on top), the order stays open: `order_updated`. A check is paid whole (400 otherwise); "
        "a check already paid, an order not open or already paid: 409. Cash needs an open shift of the order's "
        "branch (409); payments record the open shift. Not for cooks.",
    ),
    discount=[
        operation(
            methods=["POST"],
            tag="orders",
            summary="Set the order's discount",
            request=DiscountInput,
            response=OrderSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            examples=[
                OpenApiExample(
                    "Ten percent", {"kind": "percent", "value": "10.00", "reason": "regular guest"}, request_only=True
                ),
                *ORDER_ANSWER,
            ],
            description="Replaces any order-level discount; it applies to the subtotal (after line discounts), before "
            "the service charge. " + _DISCOUNT_RULES,
        ),
        operation(
            methods=["DELETE"],
            tag="orders",
            summary="Remove the order's discount",
            response=OrderSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            examples=ORDER_ANSWER,
            description="Without a discount nothing changes (and nothing is sent); else sends `order_updated`. "
            "Open orders only (409). Not for cooks.",
        ),
    ],
    line_discount=[
        operation(
            methods=["POST"],
            tag="orders",
            summary="Set a line's discount",
            request=DiscountInput,
            response=OrderSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            parameters=[LINE_ID],
            examples=[
                OpenApiExample(
                    "An amount", {"kind": "amount", "value": "50.00", "reason": "cold soup"}, request_only=True
                ),
                *ORDER_ANSWER,
            ],
            description="Replaces the line's discount; it applies to the line's price × quantity. A voided line: 409. "
            + _DISCOUNT_RULES,
        ),
        operation(
            methods=["DELETE"],
            tag="orders",
            summary="Remove a line's discount",
            response=OrderSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            parameters=[LINE_ID],
            examples=ORDER_ANSWER,
            description="Without a discount nothing changes; else sends `order_updated`. A voided line or an order "
            "not open: 409. Not for cooks.",
        ),
    ],
    split_even=[
        operation(
            methods=["POST"],
            tag="orders",
            summary="Split the bill evenly",
            request=SplitEvenInput,
            response=OrderChecksSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            examples=[OpenApiExample("Three checks", {"checks": 3}, request_only=True), *CHECKS_ANSWER],
            description="`checks` 2 to 50 (or `null` to undo) sets `split_checks`; each check is then paid on its own "
            "(`pay` with `check`). What is due is divided evenly, the spare cents one each to the first checks "
            "(1000.00 in 3: 333.34, 333.33, 333.33); a paid check keeps what it paid and the unpaid ones share what "
            "is left, so a later change to the lines moves only them. Answers the order and its checks. 409 once a "
            "check is paid, for an order not open, or with nothing due. Sends `order_updated`. Not for cooks.",
        ),
        operation(
            methods=["DELETE"],
            tag="orders",
            summary="Undo the even split",
            response=OrderChecksSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            examples=CHECKS_ANSWER,
            description='As `{"checks": null}`: 409 once a check is paid. Sends `order_updated` when it changes.',
        ),
    ],
    checks=operation(
        tag="orders",
        summary="An evenly split bill's checks",
        response=OrderChecksSerializer,
        detail=True,
        examples=CHECKS_ANSWER,
        description="The order and its checks (`[]` when the bill is not split), each with its amount and whether "
        "it is paid.",
    ),
)

ORDERS = document(
    list=operation(
        tag="orders",
        summary="List orders",
        paged=True,
        response=OrderSerializer,
        parameters=[OrderFilter],
        errors_=(400,),
        description="Newest first; paged with `limit` and `offset`.",
    ),
    retrieve=operation(
        tag="orders", summary="Get an order", response=OrderSerializer, detail=True, examples=ORDER_ANSWER
    ),
    create=operation(
        tag="orders",
        summary="Take an order",
        request=OrderCreateInput,
        response=OrderSerializer,
        status=201,
        idempotent=True,
        description=(
            "The body of the quick start. The order's branch is the table's; the first open order makes a "
            "free or reserved table busy. Sends `order_created` (and `table_status_changed`) on the orders "
            'socket. Not for cooks. A takeaway order (`"service": "takeaway"`) has no `table` (400 naming '
            "it), optional `customer_name` and `customer_phone`, `guests` 1 by default, a `branch` (required "
            "for owners and admins; branch-bound staff: their own) and the branch's next `pickup_number` of "
            "the day; no service charge, no table events (docs/takeaway.md)."
        ),
        examples=[
            OpenApiExample(
                "Seed body",
                {"table": TABLE, "guests": 2, "items": [{"menu_item": MENU_ITEM, "quantity": 2}]},
                request_only=True,
            ),
            *ORDER_ANSWER,
        ],
    ),
    partial_update=operation(
        tag="orders",
        summary="Change the number of guests",
        request=whole(OrderUpdateInput),
        response=OrderSerializer,
        detail=True,
        errors_=(409,),
        examples=[OpenApiExample("Guests", {"guests": 3}, request_only=True), *ORDER_ANSWER],
        description="Only open orders change (409 otherwise). Sends `order_updated`.",
    ),
    items=operation(
        tag="orders",
        summary="Add lines",
        request=OrderLinesInput,
        response=OrderSerializer,
        status=201,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample("Lines", {"items": [{"menu_item": MENU_ITEM, "quantity": 1}]}, request_only=True),
            *ORDER_ANSWER,
        ],
        description="Lines at today's menu prices, to an open order (409 otherwise). Sends `order_updated`.",
    ),
    close=operation(
        tag="orders",
        summary="Close (paid)",
        request=None,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=ORDER_ANSWER,
        description="409 if the order is not open. Sends `order_closed` (and `table_status_changed` when the "
        "table's last open order ends).",
    ),
    cancel=operation(
        tag="orders",
        summary="Cancel",
        request=None,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=ORDER_ANSWER,
        description="409 if the order is not open. Sends `order_cancelled` (and `table_status_changed`).",
    ),
    line=operation(
        tag="orders",
        summary="Change a line",
        request=LineUpdateInput,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        parameters=[LINE_ID],
        examples=[OpenApiExample("Quantity and note", {"quantity": 3, "note": "spicy"}, request_only=True)],
        description="Changes a line's quantity or note in place (the line keeps its id). More portions get "
        "kitchen tasks and come off the stop-list; fewer cancel tasks, those not started first (`reason` "
        "is required when started ones go). 409 once the line is voided, when the order is not open, "
        "below the portions served, past `ORDER_MAX_PORTIONS`, short of stock, and for anyone but a "
        "manager once the kitchen has started the line. Sends `order_updated` (and `kitchen_task_*`). "
        "Not for cooks.",
    ),
    void_line=operation(
        tag="orders",
        summary="Void a line",
        request=LineVoidInput,
        response=OrderSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        parameters=[LINE_ID],
        examples=[OpenApiExample("Reason", {"reason": "wrong table"}, request_only=True)],
        description="The line stays on the order, marked and out of its total; its portions not served are "
        "cancelled and those never started go back to the stop-list. 409 as for changing a line. "
        "Sends `order_updated` and `kitchen_task_updated`. Not for cooks.",
    ),
    fire=operation(
        tag="orders",
        summary="Fire held portions",
        request=FireInput,
        response=FiredSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[OpenApiExample("One course", {"course": 2}, request_only=True)],
        description="Releases an open order's held portions (all, or one course's) to their stations; answers "
        "the portions released. 409 if the order is not open. Sends `kitchen_task_updated`. Not for cooks.",
    ),
    **SPLIT_MOVE_MERGE,
    **PAYMENTS,
)

STATIONS = resource(
    tag="kitchen",
    noun="station",
    output=StationSerializer,
    input=StationInput,
    filters=BranchFilter,
    example=STATION_EXAMPLE,
    request_example={"name": "Hot kitchen", "position": 1},
    write_errors=(409,),
    writers="owner, admin and manager (a manager in their own branch; owners and admins name the `branch`); "
    "deleting a station with kitchen tasks answers 409",
)

MODIFIER_GROUPS = resource(
    tag="menu",
    noun="modifier group",
    output=ModifierGroupSerializer,
    input=ModifierGroupInput,
    filters=ModifierGroupFilter,
    example=MODIFIER_GROUP_EXAMPLE,
    request_example={"menu_item": MENU_ITEM, "name": "Milk", "required": True, "max_choices": 1},
    writers="owner, admin and manager (a manager only for their own branch's items, 403 for shared ones); "
    "sends `menu_item_updated`",
)

MODIFIERS = resource(
    tag="menu",
    noun="modifier",
    output=ModifierSerializer,
    input=ModifierInput,
    filters=ModifierFilter,
    example=MODIFIER_EXAMPLE,
    request_example={"group": GROUP, "name": "Oat milk", "price": "40.00"},
    writers="owner, admin and manager (a manager only for their own branch's items, 403 for shared ones); "
    "sends `menu_item_updated`",
)

MENU_ITEM_BRANCHES = document(
    branches=operation(
        tag="menu",
        summary="A shared item in each branch",
        response=MenuItemBranchSerializer(many=True),
        detail=True,
        # drf-spectacular wraps the example of a many=True answer in a list itself.
        examples=[OpenApiExample("Settings", MENU_ITEM_BRANCH_EXAMPLE, response_only=True)],
        description="A company-wide item's station and stop-list in each branch (of those the caller may see) "
        "that has set them.",
    ),
    branch=operation(
        tag="menu",
        summary="Set a shared item's station and stop-list in a branch",
        request=MenuItemBranchInput,
        response=MenuItemBranchSerializer,
        detail=True,
        parameters=[BRANCH_ID],
        examples=[
            OpenApiExample("Station and count", {"station": STATION, "remaining": 12}, request_only=True),
            OpenApiExample("Settings", MENU_ITEM_BRANCH_EXAMPLE, response_only=True),
        ],
        description="Fields left out keep their value. Owner, admin, and a manager for their own branch "
        "(another branch answers 400). A branch item keeps these on the item itself (400). Sends "
        "`menu_item_updated`.",
    ),
)


def _task_action(name: str, verb: str, summary: str, who: str, many: bool) -> object:
    """One task action's operation; the bulk one (``tasks/<action>/``) gets its own operationId."""
    if many:
        what = "the tasks, all or nothing: one that cannot (another tenant's: 404; in another status: 409) changes none"
    else:
        what = "the task (409 from another status)"
    documented = operation(
        tag="kitchen",
        summary=summary,
        request=TaskIdsInput if many else None,
        response=KitchenTaskSerializer(many=True) if many else KitchenTaskSerializer,
        detail=not many,
        errors_=(404, 409) if many else (409,),
        examples=[OpenApiExample("Tasks", {"ids": [TASK]}, request_only=True)] if many else TASK_ANSWER,
        description=f"{verb} {what}. {who} Sends `kitchen_task_updated` (and `kitchen_task_ready` on the "
        "orders socket for a ready portion).",
    )
    if many:
        return [documented, extend_schema(operation_id=f"cafe_kitchen_tasks_{name}_many")]
    return documented


COOKS = "Cooks, managers, admins and owners."
SERVERS = "Everyone but cooks."

KITCHEN_TASKS = document(
    list=operation(
        tag="kitchen",
        summary="List kitchen tasks",
        paged=True,
        response=KitchenTaskSerializer,
        parameters=[KitchenTaskFilter],
        errors_=(400,),
        description="One task per portion, oldest first (the order a station works in); `status` may repeat.",
    ),
    retrieve=operation(
        tag="kitchen", summary="Get a kitchen task", response=KitchenTaskSerializer, detail=True, examples=TASK_ANSWER
    ),
    claim=_task_action("claim", "Claims (pending → in_progress)", "Claim a task", COOKS, many=False),
    ready=_task_action("ready", "Marks ready (in_progress → ready)", "Mark a task ready", COOKS, many=False),
    unready=_task_action("unready", "Undoes ready (ready → in_progress)", "Undo ready", COOKS, many=False),
    served=_task_action("served", "Marks served (ready → served)", "Mark a task served", SERVERS, many=False),
    claim_many=_task_action("claim", "Claims", "Claim tasks", COOKS, many=True),
    ready_many=_task_action("ready", "Marks ready", "Mark tasks ready", COOKS, many=True),
    unready_many=_task_action("unready", "Undoes ready of", "Undo ready", COOKS, many=True),
    served_many=_task_action("served", "Marks served", "Mark tasks served", SERVERS, many=True),
)


# Reports (cafe/api/reports.py, docs/reports.md): JSON, or CSV with ?format=csv.

SALES_REPORT_BRANCH = {"id": BRANCH, "name": "Center", "timezone": "Europe/Moscow"}
SALES_REPORT_FIGURES = {
    "summary": {
        "revenue": "2456.50",
        "orders": 3,
        "average_bill": "818.83",
        "guests": 5,
        "discounts": "120.00",
        "service_charge": "86.50",
        "tips": "100.00",
        "refunds": "350.00",
        "net_revenue": "2106.50",
        "voided_lines": 1,
        "voided_value": "350.00",
        "cancelled_orders": 1,
    },
    "payments": [
        {"method": "cash", "amount": "1000.00", "tips": "0.00", "count": 1},
        {"method": "card", "amount": "1456.50", "tips": "100.00", "count": 2},
        {"method": "transfer", "amount": "0.00", "tips": "0.00", "count": 0},
    ],
    "refunds": [
        {"method": "cash", "amount": "0.00", "count": 0},
        {"method": "card", "amount": "350.00", "count": 1},
        {"method": "transfer", "amount": "0.00", "count": 0},
    ],
    "top_items": [{"id": MENU_ITEM, "name": "Cappuccino", "quantity": 4, "revenue": "1400.00"}],
    "top_categories": [{"id": CATEGORY, "name": "Hot drinks", "quantity": 4, "revenue": "1400.00"}],
}
SALES_REPORT_EXAMPLE = {
    "from": "2026-03-14",
    "to": "2026-03-14",
    "branch": SALES_REPORT_BRANCH,
    "totals": SALES_REPORT_FIGURES,
    "branches": [],
}
SALES_REPORT_CSV_EXAMPLE = (
    "report,2026-03-14,2026-03-14\r\n\r\nsummary\r\n"
    "scope,revenue,orders,average_bill,guests,discounts,service_charge,tips,refunds,net_revenue,voided_lines,"
    "voided_value,cancelled_orders\r\n"
    "Center,2456.50,3,818.83,5,120.00,86.50,100.00,350.00,2106.50,1,350.00,1\r\n\r\npayments\r\n…"
)
SALES_REPORT_ROLES = (
    "Managers (their own branch; `branch` may be left out), owners and admins (a `branch`, or without one the "
    "whole company: its totals and each branch's, each branch counted in its own time zone). Another "
    "branch or company's branch answers 400 naming `branch`."
)
SALES_REPORT_FORMAT = (
    "`format=csv` answers the same tables as a CSV file (`text/csv; charset=utf-8`, an attachment): a title line, "
    "then summary, payments, refunds, top items and top categories, each under its title and a header line. "
    "`format` is `json` (the default) or `csv`; any other value answers 400 naming it. A user runs at most "
    "`REPORT_CONCURRENCY_PER_USER` (1) reports at once and a company `REPORT_CONCURRENCY_PER_COMPANY` (4): "
    "one more answers 429 with `Retry-After`."
)


def _report(summary: str, filters: type[Serializer], what: str) -> object:
    return extend_schema(
        tags=["reports"],
        summary=summary,
        parameters=[filters],
        description=f"{what} {SALES_REPORT_ROLES} {SALES_REPORT_FORMAT} Figures: docs/reports.md.",
        responses={
            (200, "application/json"): OpenApiResponse(
                ReportSerializer,
                description="The report.",
                examples=[OpenApiExample("A branch's day", SALES_REPORT_EXAMPLE, response_only=True)],
            ),
            (200, "text/csv"): OpenApiResponse(
                {"type": "string"},
                description="The report as CSV (`format=csv`).",
                examples=[OpenApiExample("CSV", SALES_REPORT_CSV_EXAMPLE, response_only=True)],
            ),
            **errors(400, 401, 403, 429),
        },
    )


REPORTS = document(
    daily=_report(
        "A day's report",
        DailyReportFilter,
        "One business day (`date`, YYYY-MM-DD) of a branch, from its local midnight to the next.",
    ),
    range_=_report(
        "A range of days' report",
        RangeReportFilter,
        "The days `from` to `to` (inclusive, at most 366; `to` before `from` answers 400 naming `to`), "
        "summed: the same figures as a day's report over the whole range.",
    ),
)


# Till: cash shifts, cash movements, the X / Z report, refunds (docs/till.md).

SHIFT = "d4c3b2a1-0f9e-4d8c-9b7a-6f5e4d3c2b1a"
CASHIER = "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b"
MOVEMENT = "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c"
REFUND = "a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d"
SHIFT_EXAMPLE = {
    "id": SHIFT,
    "branch": BRANCH,
    "status": "closed",
    "opened_by": CASHIER,
    "opened_at": "2026-03-14T08:00:00Z",
    "opening_float": "5000.00",
    "closed_by": CASHIER,
    "closed_at": "2026-03-14T23:00:00Z",
    "expected_cash": "12190.00",
    "counted_cash": "12150.00",
    "difference": "-40.00",
}
SHIFT_ANSWER = [OpenApiExample("A shift", SHIFT_EXAMPLE, response_only=True)]
MOVEMENT_EXAMPLE = {
    "id": MOVEMENT,
    "shift": SHIFT,
    "kind": "out",
    "amount": "1000.00",
    "reason": "Paid the milk supplier",
    "user": CASHIER,
    "created_at": "2026-03-14T15:00:00Z",
}
REPORT_EXAMPLE = {
    "kind": "z",
    "shift": SHIFT,
    "branch": BRANCH,
    "status": "closed",
    "opened_by": CASHIER,
    "opened_at": "2026-03-14T08:00:00Z",
    "closed_by": CASHIER,
    "closed_at": "2026-03-14T23:00:00Z",
    "opening_float": "5000.00",
    "payments": [
        {"method": "cash", "count": 12, "amount": "8040.00", "tips": "150.00"},
        {"method": "card", "count": 20, "amount": "15300.00", "tips": "900.00"},
        {"method": "transfer", "count": 0, "amount": "0.00", "tips": "0.00"},
    ],
    "refunds": [
        {"method": "cash", "count": 1, "amount": "350.00"},
        {"method": "card", "count": 0, "amount": "0.00"},
        {"method": "transfer", "count": 0, "amount": "0.00"},
    ],
    "sales": "23340.00",
    "tips": "1050.00",
    "refunded": "350.00",
    "net": "22990.00",
    "cash_taken": "8190.00",
    "cash_refunded": "350.00",
    "cash_in": "350.00",
    "cash_out": "1000.00",
    "expected_cash": "12190.00",
    "counted_cash": "12150.00",
    "difference": "-40.00",
    "orders_paid": 29,
    "discounts": "1200.00",
    "service_charge": "0.00",
    "voids": {"count": 2, "portions": 3, "amount": "1050.00"},
}
TILL = "Cashiers, managers, admins and owners (a branch-bound one in their own branch)."

SHIFTS = document(
    list=operation(
        tag="till",
        summary="List cash shifts",
        paged=True,
        response=ShiftSerializer,
        parameters=[ShiftFilter],
        errors_=(400,),
        description="Newest first. Everyone but cooks.",
    ),
    retrieve=operation(
        tag="till", summary="Get a cash shift", response=ShiftSerializer, detail=True, examples=SHIFT_ANSWER
    ),
    current=operation(
        tag="till",
        summary="The branch's open shift",
        response=ShiftSerializer,
        parameters=[CurrentShiftFilter],
        errors_=(400, 404),
        examples=SHIFT_ANSWER,
        description="404 when the branch has no open shift (a tablet cannot take cash then). `branch` is "
        "required for owners and admins; branch-bound staff get their own branch's. Everyone but cooks.",
    ),
    create=operation(
        tag="till",
        summary="Open a cash shift",
        request=ShiftOpenInput,
        response=ShiftSerializer,
        status=201,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample("Float", {"branch": BRANCH, "opening_float": "5000.00"}, request_only=True),
            *SHIFT_ANSWER,
        ],
        description=f"One open shift per branch (a database constraint): a second answers 409 "
        f"`{{detail, shift}}` naming the open one. Sends `shift_opened` on the orders socket. {TILL}",
    ),
    # GET and POST shifts/{id}/cash/ are one action (``cash``), documented per method.
    cash=[
        operation(
            tag="till",
            summary="List a shift's cash movements",
            response=CashMovementSerializer(many=True),
            detail=True,
            methods=["GET"],
            examples=[OpenApiExample("Movements", MOVEMENT_EXAMPLE, response_only=True)],
            description=f"Oldest first, not paged (a shift has few). {TILL}",
        ),
        operation(
            tag="till",
            summary="Put cash in or take it out",
            request=CashMovementInput,
            response=CashMovementSerializer,
            status=201,
            detail=True,
            idempotent=True,
            errors_=(409,),
            methods=["POST"],
            examples=[
                OpenApiExample(
                    "Cash out",
                    {"kind": "out", "amount": "1000.00", "reason": "Paid the milk supplier"},
                    request_only=True,
                ),
                OpenApiExample("A movement", MOVEMENT_EXAMPLE, response_only=True),
            ],
            description="Open shifts only (409). Taking out more than the drawer should hold (the expected "
            f"cash so far) answers 409 `{{detail, expected_cash}}`. {TILL}",
        ),
    ],
    close=operation(
        tag="till",
        summary="Close a cash shift",
        request=ShiftCloseInput,
        response=ShiftSerializer,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[OpenApiExample("Counted", {"counted_cash": "12150.00"}, request_only=True), *SHIFT_ANSWER],
        description="Records the cash expected (opening float + cash payments' amount and tip − cash "
        "refunds + cash in − cash out), the cash counted and the difference (counted − expected). 409 once "
        "closed. Open orders stay open; payments after the close need the next shift. Sends `shift_closed`. "
        f"{TILL}",
    ),
    report=operation(
        tag="till",
        summary="X or Z report",
        response=ShiftReportSerializer,
        detail=True,
        examples=[OpenApiExample("A Z report", REPORT_EXAMPLE, response_only=True)],
        description="`kind: x` (so far) while the shift is open, `kind: z` once closed (with the counted cash "
        f"and the difference). Payments and refunds by method, cash movements, voids, orders paid. {TILL}",
    ),
)

REFUNDS = document(
    refund=operation(
        tag="orders",
        summary="Refund",
        request=RefundInput,
        response=OrderSerializer,
        status=201,
        detail=True,
        idempotent=True,
        errors_=(409,),
        examples=[
            OpenApiExample(
                "Two portions",
                {"method": "card", "reason": "Cold soup", "lines": [{"line": LINE, "quantity": 2}]},
                request_only=True,
            ),
            OpenApiExample("A sum", {"method": "cash", "reason": "Long wait", "amount": "200.00"}, request_only=True),
            OpenApiExample("Everything left", {"method": "card", "reason": "Wrong order"}, request_only=True),
            *ORDER_ANSWER,
        ],
        description="Managers and above. Closed, paid orders only (409). By `lines` (each portion at its "
        "share of the bill: line total / quantity × order total / subtotal, rounded half-up), by `amount`, "
        "or neither (everything still refundable). Never more than paid − refunded: 409 `{detail, "
        "refundable}`. Tips are not refunded. A cash refund needs the branch's open shift and the cash in "
        "its drawer (409). Sends `order_refunded`.",
    ),
)
