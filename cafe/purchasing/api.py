"""The storeroom's documents over REST: ``suppliers/``, ``purchases/``,
``write-offs/``, ``transfers/`` and ``stock-counts/`` (with ``variance/``). Owners,
admins and managers only: they carry prices and costs."""

from typing import Any

from django.http import HttpResponse
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.tenancy import MANAGING_ROLES
from accounts.viewsets import TenantViewSet
from cafe.purchasing import services
from cafe.purchasing.models import DocumentKind
from cafe.purchasing.schema import COUNTS, COUNTS_VARIANCE, PURCHASES, SUPPLIERS, TRANSFERS, WRITE_OFFS
from cafe.purchasing.selectors import count_variance, document_get, document_list, supplier_get, supplier_list
from cafe.purchasing.serializers import (
    CountInput,
    DocumentFilter,
    DocumentSerializer,
    PurchaseInput,
    SupplierFilter,
    SupplierInput,
    SupplierSerializer,
    TransferInput,
    VarianceFilter,
    VarianceSerializer,
    WriteOffInput,
)
from cafe.shared.api import ResourceViewSet
from cafe.shared.serializers import represent
from core.api import valid
from core.csvfile import Cell, csv_response
from core.idempotency import idempotent


@SUPPLIERS
class SupplierViewSet(ResourceViewSet):
    serializer_class = SupplierSerializer
    input_class = SupplierInput
    filter_class = SupplierFilter
    id_name = "supplier_id"
    read_roles = MANAGING_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(supplier_list)
    fetch = staticmethod(supplier_get)
    create_one = staticmethod(services.supplier_create)
    update_one = staticmethod(services.supplier_update)
    delete_one = staticmethod(services.supplier_delete)


class _DocumentViewSet(TenantViewSet):
    """A kind of document: list, read, create (a draft), delete a draft, post it."""

    serializer_class = DocumentSerializer
    input_class: type[Serializer]
    kind: str
    read_roles = MANAGING_ROLES
    write_roles = MANAGING_ROLES

    def list(self, request) -> Response:
        return self.page(document_list(tenant=self.tenant, kind=self.kind, **self.filters(DocumentFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(DocumentSerializer, document_get(tenant=self.tenant, kind=self.kind, document_id=pk)))

    @idempotent
    def create(self, request) -> Response:
        body = valid(self.input_class, request.data)
        document = services.document_create(tenant=self.tenant, kind=self.kind, **body)
        return Response(represent(DocumentSerializer, document), status=status.HTTP_201_CREATED)

    @idempotent
    def destroy(self, request, pk) -> Response:
        services.document_delete(tenant=self.tenant, kind=self.kind, document_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="post")
    @idempotent
    def post_document(self, request, pk) -> Response:
        document = services.document_post(tenant=self.tenant, kind=self.kind, document_id=pk)
        return Response(represent(DocumentSerializer, document))


@PURCHASES
class PurchaseViewSet(_DocumentViewSet):
    kind = DocumentKind.PURCHASE
    input_class = PurchaseInput


@WRITE_OFFS
class WriteOffViewSet(_DocumentViewSet):
    kind = DocumentKind.WRITE_OFF
    input_class = WriteOffInput


@TRANSFERS
class TransferViewSet(_DocumentViewSet):
    kind = DocumentKind.TRANSFER
    input_class = TransferInput


@COUNTS
@COUNTS_VARIANCE
class CountViewSet(_DocumentViewSet):
    kind = DocumentKind.COUNT
    input_class = CountInput

    @action(detail=True, methods=["get"])
    def variance(self, request, pk) -> HttpResponse:
        query = self.filters(VarianceFilter)
        count = document_get(tenant=self.tenant, kind=self.kind, document_id=pk)
        answer = count_variance(tenant=self.tenant, count=count)
        if query["format"] == "csv":
            return csv_response(variance_csv(answer), filename=f"variance-{count.date}-{count.pk}.csv")
        return Response(represent(VarianceSerializer, answer))


def variance_csv(answer: dict[str, Any]) -> list[list[Cell]]:
    head: list[Cell] = ["ingredient", "name", "unit", "expected", "counted", "variance", "unit_cost", "value"]
    rows: list[list[Cell]] = [[row[key] for key in head] for row in answer["rows"]]
    return [head, *rows, [], ["shortage", answer["shortage"]], ["surplus", answer["surplus"]], ["net", answer["net"]]]
