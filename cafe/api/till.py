"""The till's REST edges: cash shifts (open, cash in/out, close, X / Z report) and
refunds (an action of the orders view set, ``RefundActions``). Rules: docs/till.md."""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.tenancy import MANAGING_ROLES, ORDER_TAKING_ROLES, TILL_ROLES
from cafe import selectors, services
from cafe.api import schema
from cafe.serializers import (
    CashMovementInput,
    CashMovementSerializer,
    CurrentShiftFilter,
    OrderSerializer,
    RefundInput,
    ShiftCloseInput,
    ShiftFilter,
    ShiftOpenInput,
    ShiftReportSerializer,
    ShiftSerializer,
    represent,
)
from core.api import TenantViewSet, valid
from core.idempotency import idempotent


@schema.SHIFTS
class ShiftViewSet(TenantViewSet):
    serializer_class = ShiftSerializer
    # Whoever takes orders reads shifts (a tablet asks whether it can take cash);
    # the till (cashiers, managers and above) opens, closes, moves cash and reads
    # the movements and reports.
    read_roles = ORDER_TAKING_ROLES
    write_roles = TILL_ROLES
    action_roles = {"cash": TILL_ROLES, "report": TILL_ROLES}

    def list(self, request) -> Response:
        return self.page(selectors.shift_list(tenant=self.tenant, **self.filters(ShiftFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(ShiftSerializer, selectors.shift_get(tenant=self.tenant, shift_id=pk)))

    @action(detail=False, methods=["get"])
    def current(self, request) -> Response:
        """The branch's open shift; 404 when none is open."""
        branch = self.filters(CurrentShiftFilter).get("branch") or getattr(self.tenant.branch, "pk", None)
        if branch is None:
            raise ValidationError({"branch": [_("This field is required.")]})
        return Response(represent(ShiftSerializer, selectors.shift_current(tenant=self.tenant, branch_id=branch)))

    @idempotent
    def create(self, request) -> Response:
        shift = services.shift_open(tenant=self.tenant, **valid(ShiftOpenInput, request.data))
        return Response(represent(ShiftSerializer, shift), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"])
    def cash(self, request, pk) -> Response:
        """GET lists the shift's cash movements; POST adds one."""
        if request.method == "POST":
            return self._add_cash(request, pk)
        movements = selectors.cash_movement_list(tenant=self.tenant, shift_id=pk)
        return Response([represent(CashMovementSerializer, movement) for movement in movements])

    @idempotent
    def _add_cash(self, request, pk) -> Response:
        movement = services.shift_cash_move(tenant=self.tenant, shift_id=pk, **valid(CashMovementInput, request.data))
        return Response(represent(CashMovementSerializer, movement), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk) -> Response:
        shift = services.shift_close(tenant=self.tenant, shift_id=pk, **valid(ShiftCloseInput, request.data))
        return Response(represent(ShiftSerializer, shift))

    @action(detail=True, methods=["get"])
    def report(self, request, pk) -> Response:
        """The X report while the shift is open, the Z report once it is closed."""
        return Response(represent(ShiftReportSerializer, selectors.shift_report(tenant=self.tenant, shift_id=pk)))


class RefundActions(TenantViewSet):
    """``POST orders/{id}/refund/``, mixed into ``OrderViewSet`` (which merges these
    ``action_roles`` into its own): managers and above only."""

    action_roles = {"refund": MANAGING_ROLES}

    @action(detail=True, methods=["post"])
    @idempotent
    def refund(self, request, pk) -> Response:
        order = services.order_refund(tenant=self.tenant, order_id=pk, **valid(RefundInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)
