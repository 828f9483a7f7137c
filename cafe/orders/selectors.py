import uuid
from collections.abc import Collection
from typing import Any

from django.db.models import QuerySet

from accounts.tenancy import Tenant
from cafe.orders.models import KitchenTask, Order

# What an order's answer and events show besides the order row (see OrderSerializer).
ORDER_PREFETCH = ("items__modifiers", "payments", "refunds__lines", "joined_tables")


def order_list(*, tenant: Tenant, **filters: Any) -> QuerySet[Order]:
    orders = tenant.scope(Order).filter(**filters)
    return orders.select_related("table").prefetch_related(*ORDER_PREFETCH)


def order_get(*, tenant: Tenant, order_id: uuid.UUID, lock: bool = False) -> Order:
    if lock:
        return tenant.scope(Order).select_for_update(of=("self",), no_key=True).select_related("table").get(pk=order_id)
    return order_list(tenant=tenant).get(pk=order_id)


# What KitchenTaskSerializer reads besides the task itself.
TASK_SELECTED = ("line", "order__table", "station")
TASK_PREFETCHED = ("line__modifiers",)


def task_list(
    *,
    tenant: Tenant,
    station: uuid.UUID | None = None,
    status: Collection[str] | None = None,
    order: uuid.UUID | None = None,
    branch: uuid.UUID | None = None,
) -> QuerySet[KitchenTask]:
    """A tenant's kitchen tasks, oldest first (the order a station works in)."""
    tasks = tenant.scope(KitchenTask)
    if station:
        tasks = tasks.filter(station=station)
    if status:
        tasks = tasks.filter(status__in=status)
    if order:
        tasks = tasks.filter(order=order)
    if branch:
        tasks = tasks.filter(branch=branch)
    return (
        tasks.select_related(*TASK_SELECTED).prefetch_related(*TASK_PREFETCHED).order_by("created_at", "portion", "id")
    )


def task_get(*, tenant: Tenant, task_id: uuid.UUID) -> KitchenTask:
    return task_list(tenant=tenant).get(pk=task_id)


def tasks_locked(*, tenant: Tenant, task_ids: Collection[uuid.UUID]) -> list[KitchenTask]:
    """The tasks, locked in id order (so bulk actions queue rather than deadlock);
    raises ``KitchenTask.DoesNotExist`` unless the tenant may see every one."""
    tasks = list(
        tenant.scope(KitchenTask).select_for_update(of=("self",), no_key=True).filter(pk__in=task_ids).order_by("pk")
    )
    if len(tasks) != len(set(task_ids)):
        raise KitchenTask.DoesNotExist
    return tasks
