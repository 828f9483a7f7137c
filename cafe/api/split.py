"""Split a bill by lines, move an order to another table, merge two orders of a
table: actions of the order view set (``OrderViewSet``), which declares the roles."""

from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from cafe import services
from cafe.serializers import MergeInput, MoveInput, OrderSerializer, SplitInput, SplitSerializer, represent
from core.api import TenantViewSet, valid
from core.idempotency import idempotent


class SplitMoveMergeActions(TenantViewSet):
    @action(detail=True, methods=["post"])
    @idempotent
    def split(self, request, pk) -> Response:
        """Moves lines (or part of a line's quantity) to a new order on the same table."""
        source, new = services.order_split(tenant=self.tenant, order_id=pk, **valid(SplitInput, request.data))
        answer = represent(SplitSerializer, {"order": source, "new_order": new})
        return Response(answer, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def move(self, request, pk) -> Response:
        order = services.order_move(tenant=self.tenant, order_id=pk, **valid(MoveInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request, pk) -> Response:
        """Merges the other open order of the table (``{"order": id}``) into this one."""
        other = valid(MergeInput, request.data)["order"]
        order = services.order_merge(tenant=self.tenant, order_id=pk, other=other)
        return Response(represent(OrderSerializer, order))
