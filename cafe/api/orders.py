from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES, ORDER_TAKING_ROLES
from cafe import selectors, services
from cafe.api import schema
from cafe.api.billing import BillingActions
from cafe.api.split import SplitMoveMergeActions
from cafe.api.till import RefundActions
from cafe.models import OrderStatus
from cafe.serializers import (
    FiredSerializer,
    FireInput,
    LineUpdateInput,
    LineVoidInput,
    OrderCreateInput,
    OrderFilter,
    OrderLinesInput,
    OrderSerializer,
    OrderUpdateInput,
    represent,
)
from core.api import TenantViewSet, valid
from core.idempotency import idempotent

LINE_ID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


@schema.ORDERS
@schema.REFUNDS
class OrderViewSet(BillingActions, SplitMoveMergeActions, RefundActions, TenantViewSet):
    serializer_class = OrderSerializer
    # The kitchen reads orders; everyone else also takes, changes and ends them.
    read_roles = ALL_ROLES
    write_roles = ORDER_TAKING_ROLES
    # Refunds: managers and above.
    action_roles = {**RefundActions.action_roles}

    def list(self, request) -> Response:
        return self.page(selectors.order_list(tenant=self.tenant, **self.filters(OrderFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(OrderSerializer, selectors.order_get(tenant=self.tenant, order_id=pk)))

    @idempotent
    def create(self, request) -> Response:
        order = services.order_create(tenant=self.tenant, **valid(OrderCreateInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk) -> Response:
        order = services.order_update(tenant=self.tenant, order_id=pk, **valid(OrderUpdateInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def items(self, request, pk) -> Response:
        order = services.order_add_items(tenant=self.tenant, order_id=pk, **valid(OrderLinesInput, request.data))
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
        return Response(represent(OrderSerializer, services.order_finish(tenant=self.tenant, order_id=pk, status=to)))

    @action(detail=True, methods=["patch"], url_path=rf"lines/(?P<line_id>{LINE_ID})")
    @idempotent
    def line(self, request, pk, line_id) -> Response:
        """Changes a line's quantity or note; the line keeps its id."""
        changes = valid(LineUpdateInput, request.data)
        order = services.order_line_update(tenant=self.tenant, order_id=pk, line_id=line_id, **changes)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"], url_path=rf"lines/(?P<line_id>{LINE_ID})/void")
    @idempotent
    def void_line(self, request, pk, line_id) -> Response:
        reason = valid(LineVoidInput, request.data)["reason"]
        order = services.order_line_void(tenant=self.tenant, order_id=pk, line_id=line_id, reason=reason)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def fire(self, request, pk) -> Response:
        """Releases held portions (all, or ``{"course": N}``) to the kitchen."""
        tasks = services.order_fire(tenant=self.tenant, order_id=pk, **valid(FireInput, request.data))
        return Response(represent(FiredSerializer, {"fired": tasks}))
