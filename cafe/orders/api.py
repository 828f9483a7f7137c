from django.utils.cache import add_never_cache_headers
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import DisplayTokenAuthentication
from accounts.models import DisplayToken
from accounts.tenancy import ALL_ROLES
from accounts.viewsets import TenantViewSet
from cafe.orders.kitchen import order_fire, task_act
from cafe.orders.models import OrderStatus
from cafe.orders.pickup import pickup_board
from cafe.orders.schema import KITCHEN_TASKS, ORDERS, PICKUP_BOARD
from cafe.orders.selectors import order_get, order_list, task_get, task_list
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
from cafe.orders.services import (
    order_add_items,
    order_create,
    order_finish,
    order_line_update,
    order_line_void,
    order_update,
)
from cafe.orders.split import order_merge, order_move, order_split
from cafe.shared.roles import KITCHEN_ROLES, ORDER_TAKING_ROLES
from cafe.shared.serializers import represent
from core.api import UUID_PATTERN, valid
from core.idempotency import idempotent


@ORDERS
class OrderViewSet(TenantViewSet):
    """An order of the caller's company, with its lines, bill, payments and refunds."""

    serializer_class = OrderSerializer
    # The kitchen reads orders; everyone else also takes, changes and ends them.
    read_roles = ALL_ROLES
    write_roles = ORDER_TAKING_ROLES

    def list(self, request) -> Response:
        return self.page(order_list(tenant=self.tenant, **self.filters(OrderFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(OrderSerializer, order_get(tenant=self.tenant, order_id=pk)))

    @idempotent
    def create(self, request) -> Response:
        order = order_create(tenant=self.tenant, **valid(OrderCreateInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk) -> Response:
        order = order_update(tenant=self.tenant, order_id=pk, **valid(OrderUpdateInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def items(self, request, pk) -> Response:
        order = order_add_items(tenant=self.tenant, order_id=pk, **valid(OrderLinesInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk) -> Response:
        return self._finish(pk, OrderStatus.CLOSED)

    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk) -> Response:
        return self._finish(pk, OrderStatus.CANCELLED)

    def _finish(self, pk, to: str) -> Response:
        return Response(represent(OrderSerializer, order_finish(tenant=self.tenant, order_id=pk, status=to)))

    @action(detail=True, methods=["patch"], url_path=rf"lines/(?P<line_id>{UUID_PATTERN})")
    @idempotent
    def line(self, request, pk, line_id) -> Response:
        """Changes a line's quantity or note; the line keeps its id."""
        changes = valid(LineUpdateInput, request.data)
        order = order_line_update(tenant=self.tenant, order_id=pk, line_id=line_id, **changes)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"], url_path=rf"lines/(?P<line_id>{UUID_PATTERN})/void")
    @idempotent
    def void_line(self, request, pk, line_id) -> Response:
        reason = valid(LineVoidInput, request.data)["reason"]
        order = order_line_void(tenant=self.tenant, order_id=pk, line_id=line_id, reason=reason)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def fire(self, request, pk) -> Response:
        """Releases held portions (all, or ``{"course": N}``) to the kitchen."""
        tasks = order_fire(tenant=self.tenant, order_id=pk, **valid(FireInput, request.data))
        return Response(represent(FiredSerializer, {"fired": tasks}))

    # Split a bill by lines, move an order to another table, merge two orders of a table.

    @action(detail=True, methods=["post"])
    @idempotent
    def split(self, request, pk) -> Response:
        """Moves lines (or part of a line's quantity) to a new order on the same table."""
        source, new = order_split(tenant=self.tenant, order_id=pk, **valid(SplitInput, request.data))
        answer = represent(SplitSerializer, {"order": source, "new_order": new})
        return Response(answer, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def move(self, request, pk) -> Response:
        order = order_move(tenant=self.tenant, order_id=pk, **valid(MoveInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk) -> Response:
        """Merges the other open order of the table (``{"order": id}``) into this one."""
        other = valid(MergeInput, request.data)["order"]
        order = order_merge(tenant=self.tenant, order_id=pk, other=other)
        return Response(represent(OrderSerializer, order))


# The kitchen screens: tasks (one per portion), their actions one at a time or in bulk.


@KITCHEN_TASKS
class KitchenTaskViewSet(TenantViewSet):
    serializer_class = KitchenTaskSerializer
    # Everyone reads the kitchen; cooks (and managers and above) claim, ready and
    # un-ready portions; whoever takes orders serves them.
    read_roles = ALL_ROLES
    write_roles = KITCHEN_ROLES
    action_roles = {"served": ORDER_TAKING_ROLES, "served_many": ORDER_TAKING_ROLES}

    def list(self, request) -> Response:
        return self.page(task_list(tenant=self.tenant, **self.filters(KitchenTaskFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(KitchenTaskSerializer, task_get(tenant=self.tenant, task_id=pk)))

    def _act(self, action_name: str, task_ids) -> Response:
        tasks = task_act(tenant=self.tenant, task_ids=task_ids, action=action_name)
        return Response([represent(KitchenTaskSerializer, task) for task in tasks])

    def _one(self, action_name: str, pk) -> Response:
        tasks = task_act(tenant=self.tenant, task_ids=[pk], action=action_name)
        return Response(represent(KitchenTaskSerializer, tasks[0]))

    # One task: POST tasks/{id}/<action>/ answers the task.

    @action(detail=True, methods=["post"])
    def claim(self, request, pk) -> Response:
        return self._one("claim", pk)

    @action(detail=True, methods=["post"])
    def ready(self, request, pk) -> Response:
        return self._one("ready", pk)

    @action(detail=True, methods=["post"])
    def unready(self, request, pk) -> Response:
        return self._one("unready", pk)

    @action(detail=True, methods=["post"])
    def served(self, request, pk) -> Response:
        return self._one("served", pk)

    # Many tasks, all or nothing: POST tasks/<action>/ {"ids": [...]} answers the list.

    @action(detail=False, methods=["post"], url_path="claim", pagination_class=None)
    def claim_many(self, request) -> Response:
        return self._act("claim", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="ready", pagination_class=None)
    def ready_many(self, request) -> Response:
        return self._act("ready", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="unready", pagination_class=None)
    def unready_many(self, request) -> Response:
        return self._act("unready", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="served", pagination_class=None)
    def served_many(self, request) -> Response:
        return self._act("served", valid(TaskIdsInput, request.data)["ids"])


class DisplayOnly(BasePermission):
    """The caller authenticated with a display token (``Authorization: Display KEY``)."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, DisplayToken):
            raise NotAuthenticated()
        return True


@PICKUP_BOARD
class PickupBoardView(APIView):
    """The pickup screen's one read: numbers and states, for a display token only."""

    authentication_classes = [DisplayTokenAuthentication]
    permission_classes = [DisplayOnly]

    def get(self, request) -> Response:
        response = Response(pickup_board(display=request.auth))
        add_never_cache_headers(response)
        return response
