"""Every event type, the sockets (streams) it goes to, and the groups sockets join."""

ORDERS = "orders"
TABLES = "tables"

# Which socket kinds get which event.
STREAMS: dict[str, tuple[str, ...]] = {
    "order_created": (ORDERS,),
    "order_updated": (ORDERS,),
    "order_closed": (ORDERS,),
    "order_cancelled": (ORDERS,),
    "table_status_changed": (ORDERS, TABLES),
    "table_created": (TABLES,),
    "table_updated": (TABLES,),
    "table_deleted": (TABLES,),
}


def group_name(stream: str, company_id: object, branch_id: object | None) -> str:
    """`cafe_orders_<company>_<branch>`, or `cafe_orders_<company>` company-wide."""
    name = f"cafe_{stream}_{company_id}"
    return f"{name}_{branch_id}" if branch_id else name
