"""The pickup board: a branch's takeaway numbers of the day, preparing or ready.

Read by a display token (``accounts.display``), which names its company and branch
and no user: the answer holds pickup numbers and their state only — no names,
phones, lines or money. A number is *preparing* while a live portion of its order
is still held, pending or in progress, *ready* once every live portion is ready
or served and one is still waiting on the counter, and leaves the board when all
are served (picked up) or the order is cancelled."""

from typing import TypedDict

from django.db.models import Count, Q

from accounts.models import DisplayToken
from cafe.orders.models import Order, OrderStatus, Service, TaskStatus
from cafe.shared.business_day import local_day

# Numbers shown per column at most: a board on a TV, not a report.
BOARD_MAX = 60


class PickupBoard(TypedDict):
    preparing: list[int]
    ready: list[int]


def pickup_board(*, display: DisplayToken) -> PickupBoard:
    cooking = [TaskStatus.HELD, TaskStatus.PENDING, TaskStatus.IN_PROGRESS]
    rows = (
        Order.unscoped.filter(
            company_id=display.company_id,
            branch_id=display.branch_id,
            service=Service.TAKEAWAY,
            pickup_day=local_day(display.branch),
            status__in=[OrderStatus.OPEN, OrderStatus.CLOSED],
        )
        .annotate(
            cooking=Count("kitchen_tasks", filter=Q(kitchen_tasks__status__in=cooking)),
            waiting=Count("kitchen_tasks", filter=Q(kitchen_tasks__status=TaskStatus.READY)),
        )
        .filter(Q(cooking__gt=0) | Q(waiting__gt=0))
        .order_by("pickup_number")
        .values_list("pickup_number", "cooking")
    )
    numbers = [(number, cooking_count) for number, cooking_count in rows if number is not None]
    preparing = [number for number, cooking_count in numbers if cooking_count]
    ready = [number for number, cooking_count in numbers if not cooking_count]
    return {"preparing": preparing[-BOARD_MAX:], "ready": ready[-BOARD_MAX:]}
