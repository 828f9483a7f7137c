"""OpenAPI declarations of suppliers and the storeroom's documents (docs/inventory.md)."""

from typing import Any

from drf_spectacular.utils import OpenApiExample

from cafe.purchasing.serializers import (
    CountInput,
    DocumentFilter,
    DocumentSerializer,
    PurchaseInput,
    SupplierInput,
    SupplierSerializer,
    TransferInput,
    VarianceFilter,
    VarianceSerializer,
    WriteOffInput,
)
from cafe.shared.schema import BRANCH
from core.schema import document, operation, resource

TAG = "storeroom"
SUPPLIER = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
INGREDIENT = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
DOCUMENT = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
LINE = "7c6b5a4f-3e2d-4c1b-8a9f-0e1d2c3b4a5f"
WRITERS = "Owners, admins and managers (a manager in their own branch; owners and admins name the `branch`)."

SUPPLIER_EXAMPLE = {
    "id": SUPPLIER,
    "name": "Fresh Farm",
    "phone": "+7 495 123-45-67",
    "email": "orders@freshfarm.example",
    "tax_id": "7701234567",
    "note": "",
}

SUPPLIERS = resource(
    tag=TAG,
    noun="supplier",
    output=SupplierSerializer,
    input=SupplierInput,
    example=SUPPLIER_EXAMPLE,
    request_example={"name": "Fresh Farm", "phone": "+7 495 123-45-67"},
    write_errors=(409,),
    writers="owner, admin and manager; a supplier is the company's; one with deliveries is not deleted (409)",
)

PURCHASE_EXAMPLE = {
    "id": DOCUMENT,
    "kind": "purchase",
    "branch": BRANCH,
    "date": "2026-03-14",
    "status": "posted",
    "supplier": SUPPLIER,
    "invoice": "INV-1042",
    "to_branch": None,
    "reason": "",
    "note": "",
    "lines": [
        {
            "id": LINE,
            "ingredient": INGREDIENT,
            "ingredient_name": "Mozzarella",
            "base_unit": "g",
            "quantity": "2.000",
            "unit": "kg",
            "price": "780.00",
            "total": "1560.00",
            "expected": None,
            "variance": None,
            "unit_cost": "0.7800",
        }
    ],
    "total": "1560.00",
    "created_by": None,
    "created_at": "2026-03-14T09:00:00Z",
    "posted_at": "2026-03-14T09:05:00Z",
    "posted_by": None,
}


def _documents(noun: str, plural: str, input: Any, request: dict[str, Any], posting: str) -> Any:
    answer = [OpenApiExample(f"A {noun}", PURCHASE_EXAMPLE, response_only=True)]
    return document(
        list=operation(
            tag=TAG,
            summary=f"List {plural}",
            response=DocumentSerializer,
            parameters=[DocumentFilter],
            paged=True,
            description="Newest date first; filters `branch`, `status`, `supplier`, `from`, `to`. " + WRITERS,
        ),
        retrieve=operation(tag=TAG, summary=f"Get a {noun}", response=DocumentSerializer, detail=True, examples=answer),
        create=operation(
            tag=TAG,
            summary=f"Write a {noun} (a draft)",
            request=input,
            response=DocumentSerializer,
            status=201,
            idempotent=True,
            examples=[OpenApiExample(f"New {noun}", request, request_only=True), *answer],
            description="A draft: stock does not change until it is posted (`post/`). Each line names an "
            "ingredient of the company once, a `quantity` (three decimals) in a `unit` of the ingredient's kind "
            "(kg/g, l/ml, pcs); at most `STOCK_DOCUMENT_MAX_LINES` (200) lines. " + WRITERS,
        ),
        destroy=operation(
            tag=TAG,
            summary=f"Delete a draft {noun}",
            response=None,
            status=204,
            detail=True,
            idempotent=True,
            errors_=(409,),
            description="Only a draft; a posted document is history (409).",
        ),
        post_document=operation(
            tag=TAG,
            summary=f"Post a {noun}",
            request=None,
            response=DocumentSerializer,
            detail=True,
            idempotent=True,
            errors_=(409,),
            examples=answer,
            description=posting + " Once only (409 after). Sends `stock_low` for levels that cross their "
            "threshold and `menu_item_updated` for stock-tracked dishes whose portions left change.",
        ),
    )


PURCHASES = _documents(
    "purchase",
    "purchases",
    PurchaseInput,
    {
        "supplier": SUPPLIER,
        "date": "2026-03-14",
        "invoice": "INV-1042",
        "lines": [{"ingredient": INGREDIENT, "quantity": "2.000", "unit": "kg", "price": "780.00"}],
    },
    "Enters each line into the branch's stock at its price (`price` of one `unit`): the ingredient's average "
    "cost moves (moving weighted average, docs/inventory.md).",
)
WRITE_OFFS = _documents(
    "write-off",
    "write-offs",
    WriteOffInput,
    {
        "date": "2026-03-14",
        "reason": "spoiled",
        "lines": [{"ingredient": INGREDIENT, "quantity": "300", "unit": "g"}],
    },
    "Takes the lines out of the branch's stock at the average cost (`reason`: spoiled, expired, damaged, "
    "staff_meal, tasting, other). 409 with the ingredients short when a level would go below zero, unless the "
    "branch allows negative stock.",
)
TRANSFERS = _documents(
    "transfer",
    "transfers",
    TransferInput,
    {
        "date": "2026-03-14",
        "to_branch": "4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a",
        "lines": [{"ingredient": INGREDIENT, "quantity": "1.5", "unit": "kg"}],
    },
    "Takes the lines out of `branch` at its average cost and enters them into `to_branch` (another branch of the "
    "company) at that cost, in one transaction (409 when the source is short). The transfer is listed in its "
    "source branch; the destination sees its `transfer_in` movements.",
)
COUNTS = _documents(
    "stock count",
    "stock counts",
    CountInput,
    {
        "date": "2026-03-14",
        "lines": [{"ingredient": INGREDIENT, "quantity": "1.850", "unit": "kg"}],
    },
    "Writes, for each line, the difference between what was counted and the ledger's on hand at the moment of "
    "posting as a `count` movement (valued at the average cost); sales before that moment are in the variance, "
    "sales after it are not. `quantity` 0 is allowed (none left).",
)

VARIANCE_EXAMPLE = {
    "count": DOCUMENT,
    "branch": BRANCH,
    "date": "2026-03-14",
    "rows": [
        {
            "ingredient": INGREDIENT,
            "name": "Mozzarella",
            "unit": "g",
            "expected": "2000.000",
            "counted": "1850.000",
            "variance": "-150.000",
            "unit_cost": "0.7800",
            "value": "-117.00",
        }
    ],
    "shortage": "-117.00",
    "surplus": "0.00",
    "net": "-117.00",
}

COUNTS_VARIANCE = document(
    variance=operation(
        tag=TAG,
        summary="A stock count's variance report",
        response=VarianceSerializer,
        detail=True,
        parameters=[VarianceFilter],
        errors_=(400,),  # a `format` other than json or csv
        examples=[OpenApiExample("Variance", VARIANCE_EXAMPLE, response_only=True)],
        description="Per line: the ledger's on hand (`expected`), what was counted, the variance and its value "
        "at the average cost; totals of the shortage and the surplus. A posted count's figures are those it "
        "posted; a draft's are against the ledger as it stands now. `format=csv` answers the same as CSV.",
    )
)
