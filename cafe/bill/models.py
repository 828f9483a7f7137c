"""The bill and the till: payments, refunds, cash shifts and their movements.

Money is ``Decimal`` with two places everywhere (see ``cafe.money`` for the
rounding rules); every row records who did it and when, and none is ever
changed afterwards except a shift, once, when it is closed."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Branch, TenantOwned
from cafe.orders.models import Order, OrderItem


def _money(**kwargs) -> models.DecimalField:
    # Room for an order of ORDER_MAX_LINES lines of the largest price and quantity (about 2·10¹¹).
    return models.DecimalField(max_digits=16, decimal_places=2, **kwargs)


HALF_CENT = Decimal("0.005")
_ADDS_UP = models.F("amount") + models.F("tip") + models.F("change")


class Tender(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    TRANSFER = "transfer", _("Transfer")


class Shift(TenantOwned):
    """A till's working period in one branch: opened with a float, closed with the
    cash counted. At most one open shift per branch (a database constraint)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    opening_float = _money()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    # Filled at close: the cash the drawer should hold, what was counted, counted − expected.
    expected_cash = _money(null=True, blank=True)
    counted_cash = _money(null=True, blank=True)
    difference = _money(null=True, blank=True)

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["company", "branch", "opened_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["branch"], condition=Q(closed_at__isnull=True), name="shift_one_open_per_branch"
            ),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="shift_opening_float_not_negative"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(counted_cash__isnull=False), name="shift_closed_is_counted"
            ),
        ]

    def __str__(self) -> str:
        return f"shift {self.pk} at {self.branch_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CashMovement(TenantOwned):
    """Cash put into (``in``) or taken out of (``out``) a shift's drawer, with a reason."""

    class Kind(models.TextChoices):
        IN = "in", _("Cash in")
        OUT = "out", _("Cash out")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="movements")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = _money()
    reason = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="cash_movement_amount_positive")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Payment(TenantOwned):
    """One tender of a payment. ``amount`` is what it paid of the bill; a cash tender
    may hand over more (``tendered``) and get ``change`` back; ``tip`` is on top of
    the bill. Cash taken into the drawer: ``tendered − change``, which is amount + tip."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    # The branch's open shift when it was taken (always set for cash).
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=Tender.choices)
    # Which of an evenly split bill's checks (1..split_checks) it paid, if any.
    check_number = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = _money()
    tip = _money(default=0)
    tendered = _money()
    change = _money(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["company", "branch", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(condition=Q(tip__gte=0), name="payment_tip_not_negative"),
            models.CheckConstraint(condition=Q(change__gte=0), name="payment_change_not_negative"),
            # Within half a cent: exact on PostgreSQL (all two-place numbers), and true on
            # SQLite, which adds decimals as floats (508.33 + 10.00 + 81.67 ≠ 600.00 there).
            models.CheckConstraint(
                condition=Q(tendered__gte=_ADDS_UP - HALF_CENT, tendered__lte=_ADDS_UP + HALF_CENT),
                name="payment_tendered_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class Refund(TenantOwned):
    """Money given back on a paid order, whole or by lines, to one tender method."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    method = models.CharField(max_length=16, choices=Tender.choices)
    amount = _money()
    reason = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    tenant_branch_field = "branch"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["company", "branch", "created_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.amount}"


class RefundLine(TenantOwned):
    """Portions of a line a refund gave back, and the money they were worth."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="refunds")
    quantity = models.PositiveIntegerField()
    amount = _money()

    tenant_branch_field = "refund__branch"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="refund_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.line_id}"
