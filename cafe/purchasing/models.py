"""The storeroom's documents (docs/inventory.md, "Purchases, write-offs, transfers
and counts"): suppliers, and the documents that move stock by hand — a delivery
from a supplier (``purchase``), a write-off with its reason, a transfer to another
branch of the company and a stock count. Each is written as a draft and changes
stock only when posted (``cafe.purchasing.services.document_post``), through the
storeroom's one posting service, ``cafe.store.posting.stock_post``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned
from cafe.store.models import Ingredient, quantity_field
from cafe.store.units import Unit


class Supplier(TenantOwned):
    """Who delivers: the company's, shared by its branches."""

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    tax_id = models.CharField(max_length=32, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")

    tenant_branch_field = None

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="supplier_name_unique_in_company")]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    WRITE_OFF = "write_off", _("Write-off")
    TRANSFER = "transfer", _("Transfer")
    COUNT = "count", _("Stock count")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class WriteOffReason(models.TextChoices):
    SPOILED = "spoiled", _("Spoiled")
    EXPIRED = "expired", _("Expired")
    DAMAGED = "damaged", _("Damaged")
    STAFF_MEAL = "staff_meal", _("Staff meal")
    TASTING = "tasting", _("Tasting")
    OTHER = "other", _("Other")


class StockDocument(TenantOwned):
    """A purchase, write-off, transfer or count of ``branch`` (a transfer's source)
    for a ``date``; its lines say what and how much. A draft may be deleted; a
    posted document is history and never changes."""

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    # A purchase's supplier and their invoice number.
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    invoice = models.CharField(max_length=64, blank=True, default="")
    # A transfer's destination: another branch of the company.
    to_branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A write-off's reason.
    reason = models.CharField(max_length=16, choices=WriteOffReason.choices, blank=True, default="")
    note = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["company", "kind", "branch", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="purchase", supplier__isnull=False) | ~Q(kind="purchase"),
                name="stock_document_purchase_has_supplier",
            ),
            models.CheckConstraint(
                condition=Q(kind="transfer", to_branch__isnull=False) | Q(~Q(kind="transfer"), to_branch__isnull=True),
                name="stock_document_transfer_has_destination",
            ),
            models.CheckConstraint(
                condition=~Q(branch=models.F("to_branch")), name="stock_document_transfer_to_another_branch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} at {self.branch_id}"


class StockDocumentLine(TenantOwned):
    """An ingredient's line: ``quantity`` in ``unit`` (compatible with the
    ingredient's) and, on a purchase, ``price`` of one ``unit``. A count's
    ``quantity`` is what was counted; when posted, ``expected`` (the ledger's on
    hand, in the ingredient's base unit), ``variance`` and its ``unit_cost`` are
    kept on the line: the variance report reads them."""

    document = models.ForeignKey(StockDocument, on_delete=models.CASCADE, related_name="lines")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field()
    unit = models.CharField(max_length=8, choices=Unit.choices)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Written when the document is posted (a count's; a transfer's and a write-off's unit cost too).
    expected = quantity_field(null=True, blank=True)
    variance = quantity_field(null=True, blank=True)
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)

    tenant_branch_field = "document__branch"

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_document_line_quantity_not_negative"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="stock_document_line_price_not_negative"
            ),
            models.UniqueConstraint(fields=["document", "ingredient"], name="stock_document_line_ingredient_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of {self.ingredient_id}"
