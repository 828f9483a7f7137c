"""Shapes of suppliers and the storeroom's documents, and their inputs."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from cafe.purchasing.models import DocumentKind, DocumentStatus, WriteOffReason
from cafe.shared.serializers import Money
from cafe.store.units import Unit
from core.fields import StrictDateField, StrictDecimalField, StrictQuantityField

QUANTITY_MAX = Decimal("1000000")


class SupplierSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    tax_id = serializers.CharField()
    note = serializers.CharField()


class SupplierFilter(serializers.Serializer):
    """Suppliers are the company's: no filters."""


class SupplierInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DocumentLineSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    ingredient = serializers.UUIDField(source="ingredient_id")
    ingredient_name = serializers.CharField(source="ingredient.name")
    base_unit = serializers.CharField(source="ingredient.unit", help_text="The ingredient's unit (the ledger's).")
    quantity = StrictQuantityField(max_digits=15, help_text="In `unit`; a count's: what was counted.")
    unit = serializers.ChoiceField(Unit.choices)
    price = StrictDecimalField(max_digits=14, allow_null=True, help_text="A delivery's: of one `unit`.")
    total = serializers.SerializerMethodField(help_text="A delivery's line: price × quantity.")
    expected = StrictQuantityField(
        max_digits=15, allow_null=True, help_text="A posted count's: the ledger's on hand then, in `base_unit`."
    )
    variance = StrictQuantityField(
        max_digits=15, allow_null=True, help_text="A posted count's: counted − expected, in `base_unit`."
    )
    unit_cost = serializers.DecimalField(
        max_digits=16, decimal_places=4, read_only=True, help_text="Once posted: the cost of one base unit (else null)."
    )

    def get_total(self, line) -> str | None:
        return None if line.price is None else f"{(line.price * line.quantity).quantize(Decimal('0.01')):.2f}"


class DocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(DocumentKind.choices)
    branch = serializers.UUIDField(source="branch_id")
    date = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(DocumentStatus.choices)
    supplier = serializers.UUIDField(source="supplier_id", allow_null=True)
    invoice = serializers.CharField()
    to_branch = serializers.UUIDField(source="to_branch_id", allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField()
    lines = DocumentLineSerializer(many=True, source="lines.all")
    total = serializers.SerializerMethodField(help_text="A delivery's sum; once posted, any document's value at cost.")
    created_by = serializers.UUIDField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    posted_at = serializers.DateTimeField(allow_null=True)
    posted_by = serializers.UUIDField(source="posted_by_id", allow_null=True)

    def get_total(self, document) -> str | None:
        lines = list(document.lines.all())
        if document.kind == DocumentKind.PURCHASE:
            return f"{sum((line.price * line.quantity for line in lines), Decimal(0)).quantize(Decimal('0.01')):.2f}"
        return None


class DocumentLineInput(serializers.Serializer):
    ingredient = serializers.UUIDField()
    quantity = StrictQuantityField(max_digits=15, min_value=Decimal(0), max_value=QUANTITY_MAX)
    unit = serializers.ChoiceField(Unit.choices)
    price = StrictDecimalField(max_digits=14, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX, required=False)


class _DocumentInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    date = StrictDateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    lines = DocumentLineInput(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]


class PurchaseInput(_DocumentInput):
    supplier = serializers.UUIDField()
    invoice = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class WriteOffInput(_DocumentInput):
    reason = serializers.ChoiceField(WriteOffReason.choices)


class TransferInput(_DocumentInput):
    to_branch = serializers.UUIDField()


class CountInput(_DocumentInput):
    pass


class DocumentFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(DocumentStatus.choices, required=False)
    supplier = serializers.UUIDField(required=False)
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = StrictDateField(required=False, source="date_from")
    to = StrictDateField(required=False, source="date_to")


class VarianceFilter(serializers.Serializer):
    format = serializers.ChoiceField(["json", "csv"], default="json")


class VarianceRowSerializer(serializers.Serializer):
    ingredient = serializers.UUIDField()
    name = serializers.CharField()
    unit = serializers.CharField()
    expected = StrictQuantityField(max_digits=15)
    counted = StrictQuantityField(max_digits=15)
    variance = StrictQuantityField(max_digits=15)
    unit_cost = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    value = Money(help_text="variance × unit cost: negative is stock missing.")


class VarianceSerializer(serializers.Serializer):
    count = serializers.UUIDField()
    branch = serializers.UUIDField()
    date = serializers.DateField(read_only=True)
    rows = VarianceRowSerializer(many=True)
    shortage = Money(help_text="The value of what was missing (negative variances).")
    surplus = Money(help_text="The value of what was found over (positive variances).")
    net = Money()
