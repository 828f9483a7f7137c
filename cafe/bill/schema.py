"""The bill's OpenAPI description: paying, discounts and the even split (``PAYMENTS``),
refunds, cash shifts and the sales reports; one decorator per view set, applied on
the class, so the handlers carry no documentation (shared pieces: ``core.schema``)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.serializers import Serializer

from cafe.bill.serializers import (
    AbcFilter,
    AbcSerializer,
    CashMovementInput,
    CashMovementSerializer,
    CurrentShiftFilter,
    DailyReportFilter,
    DiscountInput,
    FoodCostFilter,
    FoodCostSerializer,
    OrderChecksSerializer,
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
)
from cafe.orders.schema import LINE_ID, ORDER_ANSWER, ORDER_EXAMPLE
from cafe.orders.serializers import (
    OrderSerializer,
)
from cafe.shared.schema import BRANCH, CATEGORY, LINE, MENU_ITEM, WAITER
from core.schema import document, errors, operation

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

PAYMENTS = document(
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
        "cost_of_goods": "812.40",
        "gross_margin": "1294.10",
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
    "by_hour": [
        {"hour": hour, "revenue": revenue, "orders": orders}
        for hour, (revenue, orders) in enumerate(
            [("0.00", 0)] * 12 + [("1290.00", 2), ("0.00", 0), ("1166.50", 1)] + [("0.00", 0)] * 9
        )
    ],
    "top_items": [{"id": MENU_ITEM, "name": "Cappuccino", "quantity": 4, "weight": None, "revenue": "1400.00"}],
    "top_categories": [{"id": CATEGORY, "name": "Hot drinks", "quantity": 4, "weight": None, "revenue": "1400.00"}],
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
    "voided_value,cancelled_orders,cost_of_goods,gross_margin\r\n"
    "Center,2456.50,3,818.83,5,120.00,86.50,100.00,350.00,2106.50,1,350.00,1,812.40,1294.10\r\n\r\npayments\r\n…"
)
SALES_REPORT_ROLES = (
    "Managers (their own branch; `branch` may be left out), owners and admins (a `branch`, or without one the "
    "whole company: its totals and each branch's, each branch counted in its own time zone). Another "
    "branch or company's branch answers 400 naming `branch`."
)
SALES_REPORT_FORMAT = (
    "`format=csv` answers the same tables as a CSV file (`text/csv; charset=utf-8`, an attachment): a title line, "
    "then summary, payments, refunds, sales by hour, top items and top categories, each under its title and a "
    "header line. "
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


FOOD_COST_EXAMPLE = {
    "branch": BRANCH,
    "items": [
        {
            "id": MENU_ITEM,
            "title": "Margherita",
            "sold_by": "portion",
            "price": "590.00",
            "cost": "171.10",
            "margin": "418.90",
            "food_cost_percent": "29.00",
        }
    ],
}
ABC_EXAMPLE = {
    "from": "2026-03-01",
    "to": "2026-03-31",
    "branch": SALES_REPORT_BRANCH,
    "totals": {"quantity": 412, "revenue": "241300.00", "cost": "70120.00", "margin": "171180.00"},
    "items": [
        {
            "id": MENU_ITEM,
            "name": "Margherita",
            "quantity": 160,
            "weight": None,
            "revenue": "94400.00",
            "cost": "27376.00",
            "margin": "67024.00",
            "revenue_share": "39.12",
            "food_cost_percent": "29.00",
            "revenue_class": "A",
            "quantity_class": "A",
            "margin_class": "A",
        }
    ],
}
COSTS_ROLES = "Owners, admins and managers only (costs are not shown to other roles: 403)."

REPORTS = document(
    food_cost=extend_schema(
        tags=["reports"],
        summary="Food cost of each dish",
        parameters=[FoodCostFilter],
        description="Each dish with a recipe in the branch (`branch`: a manager's own by default; owners and admins "
        "name one, 400 without): its price, the cost of one portion from its recipe at the ingredients' current "
        "average cost in the branch (semi-finished goods made to order exploded into theirs, cooking loss "
        "included), margin and food-cost percent. An item sold by weight is costed per kilogram. " + COSTS_ROLES,
        responses={
            200: OpenApiResponse(
                FoodCostSerializer, examples=[OpenApiExample("Food cost", FOOD_COST_EXAMPLE, response_only=True)]
            ),
            **errors(400, 401, 403),
        },
    ),
    abc=extend_schema(
        tags=["reports"],
        summary="ABC analysis of the menu",
        parameters=[AbcFilter],
        description="The menu items sold in the paid orders of the days `from` to `to` (at most `ABC_MAX_DAYS`, "
        "92; a branch's own days, or for owners and admins without `branch` the company's), with portions, "
        "kilograms sold by weight, revenue, cost (what their sales took from stock at the cost recorded then, "
        "less voids' returns), margin, share of revenue and a class by revenue, by portions and by margin: A "
        "while the items ranked before it hold under 80 % of the whole, B under 95 %, C the rest (and items "
        "with nothing or a loss). Ordered by revenue. `format=csv` answers the rows as CSV. "
        + COSTS_ROLES
        + " Reports' concurrency limits apply (429).",
        responses={
            (200, "application/json"): OpenApiResponse(
                AbcSerializer, examples=[OpenApiExample("ABC", ABC_EXAMPLE, response_only=True)]
            ),
            (200, "text/csv"): OpenApiResponse({"type": "string"}, description="The rows as CSV (`format=csv`)."),
            **errors(400, 401, 403, 429),
        },
    ),
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
