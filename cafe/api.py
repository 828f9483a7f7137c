"""REST edges: parse, call one service or selector, serialise. No domain logic here."""

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cafe import selectors, services
from cafe.idempotency import idempotent
from cafe.models import OrderStatus
from cafe.serializers import (
    BranchFilter,
    CategoryInput,
    CategorySerializer,
    MenuItemInput,
    MenuItemSerializer,
    OrderCreateInput,
    OrderFilter,
    OrderLinesInput,
    OrderSerializer,
    OrderUpdateInput,
    TableInput,
    TableSerializer,
    represent,
)
from config.api import TenantViewSet, valid


class ResourceViewSet(TenantViewSet):
    """List/retrieve for staff, create/update/delete for managers, through one
    selector pair and three services named in the subclass."""

    input_class: type[Serializer]
    filter_class: type[Serializer] = BranchFilter
    id_name: str

    def fetch_list(self, **filters) -> QuerySet:
        raise NotImplementedError

    def list(self, request) -> Response:
        return self.page(self.fetch_list(tenant=self.tenant, **self.filters(self.filter_class)))

    def retrieve(self, request, pk) -> Response:
        return Response(self.serializer_class(self.fetch(tenant=self.tenant, **{self.id_name: pk})).data)

    def create(self, request) -> Response:
        self.require(self.tenant.may_manage)
        created = self.create_one(tenant=self.tenant, **valid(self.input_class, request.data))
        return Response(self.serializer_class(created).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk, partial: bool = False) -> Response:
        self.require(self.tenant.may_manage)
        changes = valid(self.input_class, request.data, partial=partial)
        return Response(
            self.serializer_class(self.update_one(tenant=self.tenant, **{self.id_name: pk}, **changes)).data
        )

    def partial_update(self, request, pk) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk) -> Response:
        self.require(self.tenant.may_manage)
        self.delete_one(tenant=self.tenant, **{self.id_name: pk})
        return Response(status=status.HTTP_204_NO_CONTENT)


class TableViewSet(ResourceViewSet):
    serializer_class = TableSerializer
    input_class = TableInput
    id_name = "table_id"
    fetch_list = staticmethod(selectors.table_list)
    fetch = staticmethod(selectors.table_get)
    create_one = staticmethod(services.table_create)
    update_one = staticmethod(services.table_update)
    delete_one = staticmethod(services.table_delete)

    def update(self, request, pk, partial: bool = False) -> Response:
        if partial and isinstance(request.data, dict) and set(request.data) == {"status"}:
            # Any staff member may reserve a table or free it again.
            changes = valid(TableInput, request.data, partial=True)
            return Response(
                self.serializer_class(services.table_update(tenant=self.tenant, table_id=pk, **changes)).data
            )
        return super().update(request, pk, partial)


class CategoryViewSet(ResourceViewSet):
    serializer_class = CategorySerializer
    input_class = CategoryInput
    filter_class = Serializer
    id_name = "category_id"
    fetch_list = staticmethod(selectors.category_list)
    fetch = staticmethod(selectors.category_get)
    create_one = staticmethod(services.category_create)
    update_one = staticmethod(services.category_update)
    delete_one = staticmethod(services.category_delete)


class MenuItemViewSet(ResourceViewSet):
    serializer_class = MenuItemSerializer
    input_class = MenuItemInput
    id_name = "menu_item_id"
    fetch_list = staticmethod(selectors.menu_item_list)
    fetch = staticmethod(selectors.menu_item_get)
    create_one = staticmethod(services.menu_item_create)
    update_one = staticmethod(services.menu_item_update)
    delete_one = staticmethod(services.menu_item_delete)


class OrderViewSet(TenantViewSet):
    serializer_class = OrderSerializer

    def list(self, request) -> Response:
        return self.page(selectors.order_list(tenant=self.tenant, **self.filters(OrderFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(OrderSerializer, selectors.order_get(tenant=self.tenant, order_id=pk)))

    @idempotent
    def create(self, request) -> Response:
        self.require(self.tenant.may_take_orders)
        order = services.order_create(tenant=self.tenant, **valid(OrderCreateInput, request.data))
        return Response(represent(OrderSerializer, order), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk) -> Response:
        self.require(self.tenant.may_take_orders)
        order = services.order_update(tenant=self.tenant, order_id=pk, **valid(OrderUpdateInput, request.data))
        return Response(represent(OrderSerializer, order))

    @action(detail=True, methods=["post"])
    @idempotent
    def items(self, request, pk) -> Response:
        self.require(self.tenant.may_take_orders)
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
        self.require(self.tenant.may_take_orders)
        return Response(represent(OrderSerializer, services.order_finish(tenant=self.tenant, order_id=pk, status=to)))
