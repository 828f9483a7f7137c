import uuid
from typing import Any

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from cafe.models import Order

# What an order's answer and events show besides the order row (see OrderSerializer).
ORDER_PREFETCH = ("items__modifiers", "payments", "refunds__lines")


def order_list(*, tenant: Tenant, **filters: Any) -> QuerySet[Order]:
    orders = tenant.scope(Order).filter(**filters)
    return orders.select_related("table").prefetch_related(*ORDER_PREFETCH)


def order_get(*, tenant: Tenant, order_id: uuid.UUID, lock: bool = False) -> Order:
    if lock:
        return tenant.scope(Order).select_for_update(of=("self",), no_key=True).select_related("table").get(pk=order_id)
    return order_list(tenant=tenant).get(pk=order_id)
