"""The kitchen: portions (tasks) move pending → in_progress → ready → served, one
status change at a time as ``TASK_TRANSITIONS`` allows; held portions wait for
``order_fire``. Tasks are created and cancelled with their lines (services.orders).

Locks: an action locks its tasks (in id order), then emit locks the company;
line edits lock the order first, then the line's tasks, so a claim racing a void
queues behind it (or the other way round) and the loser gets 409."""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant
from cafe.orders.events import (
    KITCHEN_TASK_READY,
    KITCHEN_TASK_UPDATED,
    ORDER_READY,
    ORDER_UPDATED,
    order_event,
    task_event,
)
from cafe.orders.locking import order_locked, orders_locked
from cafe.orders.models import TASK_TRANSITIONS, KitchenTask, Order, OrderItem, OrderStatus, TaskStatus
from cafe.orders.payloads import KitchenTaskData
from cafe.orders.selectors import TASK_PREFETCHED, TASK_SELECTED, order_get, tasks_locked
from core.errors import Conflict
from core.rows import rows_insert
from realtime.catalogue import EventType
from realtime.emit import PendingEvent, emit

# action: (the status a task must be in, the status it goes to)
ACTIONS: dict[str, tuple[str, str]] = {
    "claim": (TaskStatus.PENDING, TaskStatus.IN_PROGRESS),
    "ready": (TaskStatus.IN_PROGRESS, TaskStatus.READY),
    "unready": (TaskStatus.READY, TaskStatus.IN_PROGRESS),
    "served": (TaskStatus.READY, TaskStatus.SERVED),
}


def _move(task: KitchenTask, to: str, *, user=None, now=None) -> None:
    """The one place a task's status changes; stamps the kitchen timings."""
    if to not in TASK_TRANSITIONS[task.status]:
        raise Conflict(
            _("Task %(task)s is %(status)s; it cannot become %(to)s.")
            % {"task": task.pk, "status": task.status, "to": to}
        )
    now = now or timezone.now()
    if to == TaskStatus.PENDING:
        task.fired_at = now
    elif to == TaskStatus.IN_PROGRESS and task.status == TaskStatus.READY:
        task.ready_at = None
    elif to == TaskStatus.IN_PROGRESS:
        task.cook, task.claimed_at = user, now
    elif to == TaskStatus.READY:
        task.ready_at = now
    elif to == TaskStatus.SERVED:
        task.served_at = now
    elif to == TaskStatus.CANCELLED:
        task.cancelled_at = now
    task.status = to
    task.updated_at = now


TIMING_FIELDS = ["status", "cook", "fired_at", "claimed_at", "ready_at", "served_at", "cancelled_at", "updated_at"]


def task_events(
    tenant: Tenant,
    tasks: Iterable[KitchenTask],
    type: EventType[KitchenTaskData] = KITCHEN_TASK_UPDATED,
    *,
    order: Order | None = None,
) -> list[PendingEvent[KitchenTaskData]]:
    """Events for tasks just saved, read back with what their payload shows; ``order``
    is their order as it stands in memory when its row is saved later in the
    request (a move: the kitchen must see the new table)."""
    ids = [task.pk for task in tasks]
    if not ids:
        return []
    loaded = (
        tenant.scope(KitchenTask).filter(pk__in=ids).select_related(*TASK_SELECTED).prefetch_related(*TASK_PREFETCHED)
    )
    by_id = {task.pk: task for task in loaded}
    pending: list[PendingEvent[KitchenTaskData]] = []
    for pk in ids:
        if order is not None:
            by_id[pk].order = order
        pending.append(task_event(type, by_id[pk]))
        if type is KITCHEN_TASK_UPDATED and by_id[pk].status == TaskStatus.READY:
            pending.append(task_event(KITCHEN_TASK_READY, by_id[pk]))
    return pending


def readiness_update(tenant: Tenant, order: Order, now=None) -> bool | None:
    """Keeps ``order.ready_at`` (without saving it): set when every live (not
    cancelled) portion of an open or closed order is ready or served, cleared when
    one is not (again). Returns True when it became ready (``order_ready`` is due),
    False when it was cleared, None when nothing changed. An order with no
    portions in the kitchen is never ready. Runs with the order locked."""
    if order.status not in (OrderStatus.OPEN, OrderStatus.CLOSED):
        return None
    live = tenant.scope(KitchenTask).filter(order=order).exclude(status=TaskStatus.CANCELLED)
    counts = live.aggregate(
        live=Count("pk"), waiting=Count("pk", filter=~Q(status__in=(TaskStatus.READY, TaskStatus.SERVED)))
    )
    ready = counts["live"] > 0 and counts["waiting"] == 0
    if ready and order.ready_at is None:
        order.ready_at = now or timezone.now()
        return True
    if not ready and order.ready_at is not None:
        order.ready_at = None
        return False
    return None


class _TaskMoved(Exception):
    """A task moved to another order (a split) between reading its order and locking it."""


# How often the locks are taken again after a task moved to another order meanwhile.
LOCK_ATTEMPTS = 3


def _locked(tenant: Tenant, task_ids: Sequence[uuid.UUID]) -> tuple[dict[uuid.UUID, Order], list[KitchenTask]]:
    """The tasks' orders, then the tasks (``cafe.orders.locking``'s order → tasks, the
    order line edits follow, so a claim and a void queue instead of deadlocking).
    Should a task move to another order between the two, the locks are let go (the
    savepoint rolled back) and taken again."""
    for _attempt in range(LOCK_ATTEMPTS):
        try:
            with transaction.atomic():
                order_ids = set(tenant.scope(KitchenTask).filter(pk__in=task_ids).values_list("order_id", flat=True))
                orders = orders_locked(tenant, order_ids, lock_tables=False)[0]
                tasks = tasks_locked(tenant=tenant, task_ids=task_ids)
                if any(task.order_id not in orders for task in tasks):
                    raise _TaskMoved
                return orders, tasks
        except _TaskMoved:
            continue
    raise Conflict(_("The portions are being moved to another order; try again."))


def _readiness_events(tenant: Tenant, orders: dict[uuid.UUID, Order], tasks: Sequence[KitchenTask], now) -> list:
    """After tasks moved: each of their orders that became ready (``order_ready``) or
    stopped being ready (``order_updated``, with ``ready_at`` null)."""
    pending: list[PendingEvent[Any]] = []
    for order_id in sorted(dict.fromkeys(task.order_id for task in tasks), key=str):
        order = orders[order_id]
        ready = readiness_update(tenant, order, now)
        if ready is None:
            continue
        order.save(update_fields=["ready_at", "updated_at"])
        loaded = order_get(tenant=tenant, order_id=order.pk)
        pending.append(order_event(ORDER_READY if ready else ORDER_UPDATED, loaded))
    return pending


@transaction.atomic
def task_act(*, tenant: Tenant, task_ids: Sequence[uuid.UUID], action: str) -> list[KitchenTask]:
    """Claims, readies, un-readies or serves tasks, all or none: one task that cannot
    (another tenant's: 404; in another status: 409) changes nothing."""
    required, to = ACTIONS[action]
    orders, tasks = _locked(tenant, task_ids)
    wrong = [task for task in tasks if task.status != required]
    if wrong:
        raise Conflict(
            _("%(tasks)s: nothing was changed (%(action)s).")
            % {
                "tasks": "; ".join(
                    _("Task %(task)s is %(status)s, not %(required)s")
                    % {"task": task.pk, "status": task.status, "required": required}
                    for task in wrong
                ),
                "action": action,
            }
        )
    now = timezone.now()
    for task in tasks:
        _move(task, to, user=tenant.user, now=now)
    tenant.scope(KitchenTask).bulk_update(tasks, TIMING_FIELDS)
    position = {uuid.UUID(str(pk)): index for index, pk in reversed(list(enumerate(task_ids)))}
    ordered = sorted(tasks, key=lambda task: position[task.pk])
    emit(
        company_id=tenant.company_id,
        events=[*task_events(tenant, ordered), *_readiness_events(tenant, orders, tasks, now)],
    )
    return ordered


def tasks_create(
    order: Order, lines: Sequence[tuple[OrderItem, uuid.UUID | None, bool, int, int]]
) -> list[KitchenTask]:
    """Tasks for new portions of lines: (line, station id, held, first portion number,
    how many); a line without a station is served straight by the waiter. The first
    number follows the line's highest (a cancelled or split-off portion leaves a gap).
    Runs inside the order's transaction."""
    now = timezone.now()
    tasks = [
        KitchenTask(
            company_id=order.company_id,
            branch_id=order.branch_id,
            order=order,
            line=line,
            station_id=station,
            portion=portion,
            status=TaskStatus.HELD if held else TaskStatus.PENDING,
            created_at=now,
            fired_at=None if held else now,
        )
        for line, station, held, first, count in lines
        if station is not None
        for portion in range(first, first + count)
    ]
    return list(rows_insert(KitchenTask, tasks))


def tasks_cancel(tenant: Tenant, tasks: Iterable[KitchenTask]) -> list[KitchenTask]:
    """Cancels locked tasks of a line or order. Runs inside the order's transaction."""
    now = timezone.now()
    cancelled = []
    for task in tasks:
        _move(task, TaskStatus.CANCELLED, now=now)
        cancelled.append(task)
    tenant.scope(KitchenTask).bulk_update(cancelled, TIMING_FIELDS)
    return cancelled


@transaction.atomic
def order_fire(*, tenant: Tenant, order_id: uuid.UUID, course: int | None = None) -> list[KitchenTask]:
    """Releases an open order's held portions (all, or one course's) to their stations."""
    order = order_locked(tenant, order_id, table=False)
    if order.status != OrderStatus.OPEN:
        raise Conflict(
            _("The order is %(status)s; only open orders can be fired.")
            % {"status": order.get_status_display().lower()}
        )
    held = (
        tenant.scope(KitchenTask)
        .select_for_update(of=("self",), no_key=True)
        .filter(order=order, status=TaskStatus.HELD)
    )
    if course is not None:
        if not order.items.filter(course=course).exists():
            raise ValidationError({"course": [_("The order has no course %(course)s.") % {"course": course}]})
        held = held.filter(line__course=course)
    tasks = list(held.order_by("created_at", "portion", "id"))
    now = timezone.now()
    for task in tasks:
        _move(task, TaskStatus.PENDING, now=now)
    tenant.scope(KitchenTask).bulk_update(tasks, TIMING_FIELDS)
    emit(company_id=tenant.company_id, events=task_events(tenant, tasks))
    return tasks
