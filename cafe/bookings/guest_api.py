"""The guest book's REST edge, ``guests/``: it sits in the bookings area because a
guest's figures, history, export and erasure reach their orders and bookings
(``cafe.bookings.guest_book``); the guest rows themselves are ``cafe.guests``'."""

from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import COMPANY_WIDE_ROLES
from accounts.tenancy import MANAGING_ROLES
from accounts.viewsets import TenantViewSet
from cafe.bookings.guest_book import (
    guest_erase,
    guest_export,
    guest_history,
    guest_with_figures,
    guests_with_figures,
)
from cafe.guests.schema import GUESTS
from cafe.guests.selectors import guest_list
from cafe.guests.serializers import (
    GuestExportSerializer,
    GuestFilter,
    GuestHistoryEntry,
    GuestInput,
    GuestSerializer,
)
from cafe.guests.services import guest_create, guest_update
from cafe.shared.roles import GUEST_ROLES, PHONE_ROLES
from core.api import valid
from core.idempotency import idempotent


@GUESTS
class GuestViewSet(TenantViewSet):
    """The company's guests: every branch shares the book."""

    serializer_class = GuestSerializer
    read_roles = GUEST_ROLES
    write_roles = GUEST_ROLES
    # An export spans every branch; erasing is a manager's decision.
    action_roles = {"export": COMPANY_WIDE_ROLES, "erase": MANAGING_ROLES}

    @property
    def full_phones(self) -> bool:
        return self.tenant.user.role in PHONE_ROLES

    def _shown(self, guest) -> dict:
        return GuestSerializer(guest, context={"full_phones": self.full_phones}).data

    def list(self, request) -> Response:
        filters = valid(GuestFilter, request.query_params)
        guests = guest_list(tenant=self.tenant, by_digits=self.full_phones, **filters)
        page = self.paginate_queryset(guests_with_figures(self.tenant, guests))
        shown = GuestSerializer(page, many=True, context={"full_phones": self.full_phones}).data
        return self.get_paginated_response(shown)

    def retrieve(self, request, pk) -> Response:
        return Response(self._shown(guest_with_figures(tenant=self.tenant, guest_id=pk)))

    @idempotent
    def create(self, request) -> Response:
        guest = guest_create(tenant=self.tenant, **valid(GuestInput, request.data))
        answer = self._shown(guest_with_figures(tenant=self.tenant, guest_id=guest.pk))
        return Response(answer, status=status.HTTP_201_CREATED)

    @idempotent
    def partial_update(self, request, pk) -> Response:
        guest = guest_update(tenant=self.tenant, guest_id=pk, **valid(GuestInput, request.data, partial=True))
        return Response(self._shown(guest_with_figures(tenant=self.tenant, guest_id=guest.pk)))

    @action(detail=True, methods=["get"])
    def history(self, request, pk) -> Response:
        page = self.paginate_queryset(guest_history(tenant=self.tenant, guest_id=pk))
        return self.get_paginated_response(GuestHistoryEntry(page, many=True).data)

    @action(detail=True, methods=["get"])
    def export(self, request, pk) -> Response:
        exported = guest_export(tenant=self.tenant, guest_id=pk)
        return Response(GuestExportSerializer(exported, context={"full_phones": True}).data)

    @action(detail=True, methods=["post"])
    @idempotent
    def erase(self, request, pk) -> Response:
        return Response(self._shown(guest_erase(tenant=self.tenant, guest_id=pk)))
