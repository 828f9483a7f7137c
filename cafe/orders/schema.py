"""The orders' OpenAPI description: orders, their lines, split / move / merge, and
the kitchen's tasks; one decorator per view set (shared pieces: ``core.schema``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers

from cafe.orders.serializers import (
    FiredSerializer,
    FireInput,
    KitchenTaskFilter,
    KitchenTaskSerializer,
    LineUpdateInput,
    LineVoidInput,
    MergeInput,
    MoveInput,
    OrderCreateInput,
    OrderFilter,
    OrderLinesInput,
    OrderSerializer,
    OrderUpdateInput,
    SplitInput,
    SplitSerializer,
    TaskIdsInput,
)
from cafe.shared.schema import BRANCH, COOK, LINE, MENU_ITEM, MODIFIER, ORDER, STATION, TABLE, TASK, WAITER
from core.schema import document, errors, operation, whole

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
            "weight": None,
            "price_per_kg": None,
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


TASK_EXAMPLE = {
    "id": TASK,
    "branch": BRANCH,
    "order": ORDER,
    "line": LINE,
    "station": STATION,
    "station_name": "Hot kitchen",
    "portion": 1,
    "quantity": 2,
    "weight": None,
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
            "the day; no service charge, no table events (docs/takeaway.md). Any order may name its `guest` "
            "(an id from `guests/`) or give `customer_phone` (a valid number, stored in E.164; masked in answers "
            "and events), which finds or adds the company's guest with it (docs/floor.md, Guests)."
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
            OpenApiExample(
                "A dish sold by weight", {"items": [{"menu_item": MENU_ITEM, "grams": 350}]}, request_only=True
            ),
            *ORDER_ANSWER,
        ],
        description="Lines at today's menu prices, to an open order (409 otherwise). An item sold by "
        "weight (`sold_by: weight`) takes each portion's `weight` in kg (at most three decimals) or whole "
        "`grams`, 0.001 to `ORDER_LINE_MAX_WEIGHT` kg (its `quantity` is then 1 when left out); its portion's "
        "`price` is weight × the item's price of a kilogram, rounded half-up to the cent (docs/weighed.md); any other "
        "item takes no weight (400 naming `weight`). Sends `order_updated`.",
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
        examples=[
            OpenApiExample("Quantity and note", {"quantity": 3, "note": "spicy"}, request_only=True),
            OpenApiExample("Weighed again", {"weight": "0.420", "reason": "weighed"}, request_only=True),
        ],
        description="Changes a line's quantity, note or, for a line sold by weight, each portion's `weight` "
        "(or `grams`), which prices its portions anew, in place (the line keeps its id); a line that took "
        "ingredients from stock takes the difference for every portion on it when heavier and gives it back when "
        "lighter (docs/weighed.md). More portions get "
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


class PickupBoardSerializer(serializers.Serializer):
    preparing = serializers.ListField(child=serializers.IntegerField(), help_text="Numbers still being prepared.")
    ready = serializers.ListField(child=serializers.IntegerField(), help_text="Numbers ready to collect.")


PICKUP_BOARD = extend_schema_view(
    get=extend_schema(
        tags=["takeaway"],
        summary="The pickup board (display token)",
        responses={200: PickupBoardSerializer, **errors(401)},
        description="`Authorization: Display <key>` with a display token (`/api/users/display-tokens/`). Today's "
        "takeaway numbers of the token's branch: `preparing` while a portion is being cooked, `ready` once all "
        "are ready until they are served; at most 60 each. Nothing else: no names, phones, lines or totals. "
        "A revoked token answers 401; a staff JWT answers 401 too.",
        examples=[OpenApiExample("Board", {"preparing": [17, 18], "ready": [15]}, response_only=True)],
    )
)
