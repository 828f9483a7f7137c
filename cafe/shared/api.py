"""What the cafe's REST edges share."""

from collections.abc import Callable

from django.db.models import Model, QuerySet
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.viewsets import TenantViewSet
from cafe.shared.serializers import BranchFilter
from core.api import valid
from core.idempotency import idempotent


class ResourceViewSet(TenantViewSet):
    """List, retrieve, create, update and delete through one selector pair and
    three services named in the subclass, which also declares who may read and
    write (``read_roles`` / ``write_roles``, see ``accounts.permissions``). Every
    write takes an ``Idempotency-Key`` (``core.idempotency``)."""

    serializer_class: type[Serializer]
    input_class: type[Serializer]
    filter_class: type[Serializer] = BranchFilter
    id_name: str
    fetch_list: Callable[..., QuerySet]
    fetch: Callable[..., Model]
    create_one: Callable[..., Model]
    update_one: Callable[..., Model]
    delete_one: Callable[..., None]

    def list(self, request) -> Response:
        return self.page(self.fetch_list(tenant=self.tenant, **self.filters(self.filter_class)))

    def retrieve(self, request, pk) -> Response:
        return Response(self.serializer_class(self.fetch(tenant=self.tenant, **{self.id_name: pk})).data)

    @idempotent
    def create(self, request) -> Response:
        created = self.create_one(tenant=self.tenant, **valid(self.input_class, request.data))
        return Response(self.serializer_class(created).data, status=status.HTTP_201_CREATED)

    @idempotent
    def update(self, request, pk) -> Response:
        return self._update(request, pk, partial=False)

    @idempotent
    def partial_update(self, request, pk) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request, pk, *, partial: bool) -> Response:
        changes = valid(self.input_class, request.data, partial=partial)
        return Response(
            self.serializer_class(self.update_one(tenant=self.tenant, **{self.id_name: pk}, **changes)).data
        )

    @idempotent
    def destroy(self, request, pk) -> Response:
        self.delete_one(tenant=self.tenant, **{self.id_name: pk})
        return Response(status=status.HTTP_204_NO_CONTENT)
