from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES
from accounts.viewsets import TenantViewSet
from cafe.bookings.models import Booking, BookingStatus
from cafe.bookings.schema import BOOKINGS
from cafe.bookings.selectors import booking_get, booking_list
from cafe.bookings.serializers import BookingFilter, BookingFullSerializer, BookingInput, BookingSerializer
from cafe.bookings.services import booking_arrive, booking_create, booking_transition, booking_update
from cafe.shared.roles import ORDER_TAKING_ROLES
from cafe.shared.serializers import represent
from core.api import valid
from core.idempotency import idempotent


@BOOKINGS
class BookingViewSet(TenantViewSet):
    """The book: a branch's bookings of one or several tables (docs/floor.md, "Bookings")."""

    serializer_class = BookingSerializer
    read_roles = ALL_ROLES
    write_roles = ORDER_TAKING_ROLES

    def get_serializer_class(self):
        # Owners, admins and managers see a guest's phone in full; others masked.
        return BookingFullSerializer if self.tenant.may_manage else BookingSerializer

    def _answer(self, booking: Booking, code: int = status.HTTP_200_OK) -> Response:
        return Response(represent(self.get_serializer_class(), booking), status=code)

    def list(self, request) -> Response:
        return self.page(booking_list(tenant=self.tenant, **self.filters(BookingFilter)))

    def retrieve(self, request, pk) -> Response:
        return self._answer(booking_get(tenant=self.tenant, booking_id=pk))

    @idempotent
    def create(self, request) -> Response:
        booking = booking_create(tenant=self.tenant, **valid(BookingInput, request.data))
        return self._answer(booking, status.HTTP_201_CREATED)

    @idempotent
    def partial_update(self, request, pk) -> Response:
        changes = valid(BookingInput, request.data, partial=True)
        return self._answer(booking_update(tenant=self.tenant, booking_id=pk, **changes))

    def _move(self, pk, to: str) -> Response:
        return self._answer(booking_transition(tenant=self.tenant, booking_id=pk, status=to))

    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk) -> Response:
        return self._move(pk, BookingStatus.CONFIRMED)

    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, pk) -> Response:
        return self._move(pk, BookingStatus.CANCELLED)

    @action(detail=True, methods=["post"], url_path="no-show")
    @idempotent
    def no_show(self, request, pk) -> Response:
        return self._move(pk, BookingStatus.NO_SHOW)

    @action(detail=True, methods=["post"])
    @idempotent
    def arrive(self, request, pk) -> Response:
        """Seats the party: its tables busy with one open order (the answer's ``order``)."""
        return self._answer(booking_arrive(tenant=self.tenant, booking_id=pk))
