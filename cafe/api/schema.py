"""The cafe API's OpenAPI description: one decorator per view set, applied on the
class (``@schema.TABLES``), so the handlers carry no documentation.
Shared pieces (errors, Idempotency-Key, CRUD) are in ``core.schema``."""

from drf_spectacular.utils import OpenApiExample

from cafe.serializers import (
    BranchFilter,
    CategoryInput,
    CategorySerializer,
    MenuItemInput,
    MenuItemSerializer,
    OrderCreateInput,
    OrderFilter,
    OrderLinesInput,
    OrderSerializer,
    OrderUpdateInput,
    TableInput,
    TableSerializer,
)
from core.schema import document, operation, resource, whole

BRANCH = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
TABLE = "3a8e7c55-1f0d-4b1e-9c3a-5d2e1f0a9b8c"
CATEGORY = "9d4c3b2a-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
MENU_ITEM = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
ORDER = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
WAITER = "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e"

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
            "id": "0f1e2d3c-4b5a-4968-8776-655443322110",
            "menu_item": MENU_ITEM,
            "title": "Cappuccino",
            "price": "350.00",
            "quantity": 2,
            "total": "700.00",
        }
    ],
    "total": "700.00",
    "created_at": "2026-03-14T12:30:00Z",
    "updated_at": "2026-03-14T12:30:00Z",
}
ORDER_ANSWER = [OpenApiExample("An order", ORDER_EXAMPLE, response_only=True)]

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
            "socket. Not for cooks."
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
)
