"""The bill's actions on an order (mixed into ``OrderViewSet``): paying, discounts and
the even split. Roles are the order view's: everyone but cooks writes, everyone reads."""

from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import Tenant
from cafe import selectors, services
from cafe.serializers import (
    DiscountInput,
    OrderChecksSerializer,
    OrderSerializer,
    PayInput,
    SplitEvenInput,
    represent,
)
from cafe.services import billing
from core.api import valid
from core.idempotency import idempotent

LINE_ID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class BillingActions:
    """``tenant`` comes from the view set (``core.api.TenantViewSet``)."""

    tenant: Tenant

    @action(detail=True, methods=["post"])
    @idempotent
    def pay(self, request, pk) -> Response:
        order = services.order_pay(tenant=self.tenant, order_id=pk, **valid(PayInput, request.data))
        return Response(represent(OrderSerializer, order))

    # One action per URL, POST and DELETE (documented per method: cafe.api.schema.PAYMENTS).

    @action(detail=True, methods=["post", "delete"])
    @idempotent
    def discount(self, request, pk) -> Response:
        if request.method == "DELETE":
            order = services.order_discount_remove(tenant=self.tenant, order_id=pk)
        else:
            order = services.order_discount_set(tenant=self.tenant, order_id=pk, **valid(DiscountInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post", "delete"], url_path=rf"lines/(?P<line_id>{LINE_ID})/discount")
    @idempotent
    def line_discount(self, request, pk, line_id) -> Response:
        if request.method == "DELETE":
            order = services.order_discount_remove(tenant=self.tenant, order_id=pk, line_id=line_id)
        else:
            changes = valid(DiscountInput, request.data)
            order = services.order_discount_set(tenant=self.tenant, order_id=pk, line_id=line_id, **changes)
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post", "delete"], url_path="split-even")
    @idempotent
    def split_even(self, request, pk) -> Response:
        checks = None if request.method == "DELETE" else valid(SplitEvenInput, request.data)["checks"]
        return self._checks(*services.order_split_even(tenant=self.tenant, order_id=pk, checks=checks))

    @action(detail=True, methods=["get"])
    def checks(self, request, pk) -> Response:
        order = selectors.order_get(tenant=self.tenant, order_id=pk)
        return self._checks(order, billing.order_checks(order))

    def _checks(self, order, checks) -> Response:
        return Response(represent(OrderChecksSerializer, {"order": order, "checks": checks}))
