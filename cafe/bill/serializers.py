"""The bill's shapes: payments, discounts, checks, cash shifts and movements, the
X / Z report, refunds and the sales reports; input serializers only check shape and
types before a service is called."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from cafe.bill.models import CashMovement, Shift, Tender
from cafe.orders.models import DiscountKind
from cafe.orders.serializers import OrderSerializer
from cafe.shared.serializers import Money, amount_field
from core.fields import StrictDateField, StrictQuantityField


class ShiftSerializer(serializers.Serializer):
    """A cash shift; the cash figures are filled when it is closed."""

    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    status = serializers.SerializerMethodField()
    opened_by = serializers.UUIDField(source="opened_by_id", allow_null=True)
    opened_at = serializers.DateTimeField()
    opening_float = Money()
    closed_by = serializers.UUIDField(source="closed_by_id", allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    expected_cash = Money(allow_null=True)
    counted_cash = Money(allow_null=True)
    difference = Money(allow_null=True)

    def get_status(self, shift: Shift) -> Literal["open", "closed"]:
        return "open" if shift.closed_at is None else "closed"


class CashMovementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    shift = serializers.UUIDField(source="shift_id")
    kind = serializers.CharField()
    amount = Money()
    reason = serializers.CharField()
    user = serializers.UUIDField(source="user_id", allow_null=True)
    created_at = serializers.DateTimeField()


# Reports (cafe.selectors.reports; docs/reports.md defines every figure)

REPORT_FIRST_DAY = datetime.date(2000, 1, 1)
REPORT_LAST_DAY = datetime.date(2999, 12, 31)
REPORT_MAX_DAYS = 366


def _report_day(value: datetime.date) -> None:
    if not REPORT_FIRST_DAY <= value <= REPORT_LAST_DAY:
        raise serializers.ValidationError(
            _("Give a day from %(first)s to %(last)s.") % {"first": REPORT_FIRST_DAY, "last": REPORT_LAST_DAY}
        )


class ReportFilter(serializers.Serializer):
    """``branch``: a manager's own by default; owners and admins get the whole company
    without one. ``format``: ``json`` (the default) or ``csv``."""

    branch = serializers.UUIDField(required=False)
    format = serializers.ChoiceField(["json", "csv"], default="json")


class DailyReportFilter(ReportFilter):
    date = StrictDateField(validators=[_report_day], help_text="The branch-local day, YYYY-MM-DD.")


class RangeReportFilter(ReportFilter):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = StrictDateField(validators=[_report_day], help_text="The first day, YYYY-MM-DD.")
    to = StrictDateField(validators=[_report_day], help_text="The last day (inclusive), YYYY-MM-DD.")

    def validate(self, attrs: dict) -> dict:
        first, last = attrs["from"], attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": [_("The last day comes before the first.")]})
        if (last - first).days + 1 > REPORT_MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [_("A report covers at most %(days)s days.") % {"days": REPORT_MAX_DAYS}]}
            )
        return attrs


class ReportSummarySerializer(serializers.Serializer):
    revenue = Money()
    orders = serializers.IntegerField()
    average_bill = Money()
    guests = serializers.IntegerField()
    discounts = Money()
    service_charge = Money()
    tips = Money()
    refunds = Money()
    net_revenue = Money()
    voided_lines = serializers.IntegerField()
    voided_value = Money()
    cancelled_orders = serializers.IntegerField()
    cost_of_goods = Money(help_text="What the sales took from stock at their recorded cost, less voids' returns.")
    gross_margin = Money(help_text="net_revenue − cost_of_goods.")


class ReportPaymentSerializer(serializers.Serializer):
    method = serializers.CharField()
    amount = Money()
    tips = Money()
    count = serializers.IntegerField()


class ReportRefundSerializer(serializers.Serializer):
    method = serializers.CharField()
    amount = Money()
    count = serializers.IntegerField()


class ReportHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="The hour of the branch's own clock.")
    revenue = Money()
    orders = serializers.IntegerField()


class ReportTopSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Portions sold.")
    weight = StrictQuantityField(
        max_digits=16, allow_null=True, help_text="Kilograms sold of lines sold by weight; null with none."
    )
    revenue = Money()


class ReportBranchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class ReportFiguresSerializer(serializers.Serializer):
    summary = ReportSummarySerializer()
    payments = ReportPaymentSerializer(many=True)
    refunds = ReportRefundSerializer(many=True)
    by_hour = ReportHourSerializer(many=True, help_text="Paid orders by the local hour they were paid in: 0 to 23.")
    top_items = ReportTopSerializer(many=True)
    top_categories = ReportTopSerializer(many=True)


class ReportBranchFiguresSerializer(ReportFiguresSerializer):
    branch = ReportBranchSerializer()


class ReportSerializer(serializers.Serializer):
    locals()["from"] = StrictDateField()
    to = StrictDateField()
    branch = ReportBranchSerializer(allow_null=True)
    totals = ReportFiguresSerializer()
    branches = ReportBranchFiguresSerializer(many=True)


# Till: cash shifts, cash movements, the X / Z report, refunds (docs/till.md).


class ShiftOpenInput(serializers.Serializer):
    # Owners and admins name it; branch-bound staff open their own branch's.
    branch = serializers.UUIDField(required=False)
    opening_float = amount_field(min_value=Decimal(0))


class ShiftCloseInput(serializers.Serializer):
    counted_cash = amount_field(min_value=Decimal(0))


class CashMovementInput(serializers.Serializer):
    kind = serializers.ChoiceField(CashMovement.Kind.choices)
    amount = amount_field(min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=200)


class ShiftFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(["open", "closed"], required=False)


class CurrentShiftFilter(serializers.Serializer):
    # Required for owners and admins; branch-bound staff get their own branch's.
    branch = serializers.UUIDField(required=False)


class RefundLineInput(serializers.Serializer):
    line = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class RefundInput(serializers.Serializer):
    """Lines (portions at their share of the bill), or a sum (``amount``), or neither:
    everything still refundable."""

    method = serializers.ChoiceField(Tender.choices)
    reason = serializers.CharField(max_length=200)
    lines = RefundLineInput(many=True, required=False, allow_empty=False, max_length=200)  # type: ignore[call-arg]
    amount = amount_field(min_value=Decimal("0.01"), required=False)

    def validate(self, attrs: dict) -> dict:
        if "lines" in attrs and "amount" in attrs:
            raise serializers.ValidationError({"amount": [_("Send lines or an amount, not both.")]})
        return attrs


class TenderTotalSerializer(serializers.Serializer):
    method = serializers.ChoiceField(Tender.choices)
    count = serializers.IntegerField()
    amount = Money()


class PaymentTotalSerializer(TenderTotalSerializer):
    tips = Money()


class VoidsSerializer(serializers.Serializer):
    count = serializers.IntegerField()  # lines
    portions = serializers.IntegerField()
    amount = Money()  # what they would have cost


class ShiftReportSerializer(serializers.Serializer):
    """The X report of an open shift (so far) or the Z report of a closed one
    (``selectors.till.ShiftReport``)."""

    kind = serializers.ChoiceField(["x", "z"])
    shift = serializers.UUIDField(source="shift.pk")
    branch = serializers.UUIDField(source="shift.branch_id")
    status = serializers.SerializerMethodField()
    opened_by = serializers.UUIDField(source="shift.opened_by_id", allow_null=True)
    opened_at = serializers.DateTimeField(source="shift.opened_at")
    closed_by = serializers.UUIDField(source="shift.closed_by_id", allow_null=True)
    closed_at = serializers.DateTimeField(source="shift.closed_at", allow_null=True)
    opening_float = Money(source="cash.opening_float")
    payments = PaymentTotalSerializer(many=True)
    refunds = TenderTotalSerializer(many=True)
    sales = Money()  # Σ payments' amounts (tips apart)
    tips = Money()
    refunded = Money()
    net = Money()  # sales − refunded
    cash_taken = Money(source="cash.taken")  # cash payments' amount + tip
    cash_refunded = Money(source="cash.refunded")
    cash_in = Money(source="cash.cash_in")
    cash_out = Money(source="cash.cash_out")
    expected_cash = Money()
    counted_cash = Money(source="shift.counted_cash", allow_null=True)
    difference = Money(source="shift.difference", allow_null=True)
    orders_paid = serializers.IntegerField()
    discounts = Money()
    service_charge = Money()
    voids = VoidsSerializer()

    def get_status(self, report: Any) -> Literal["open", "closed"]:
        return "open" if report.kind == "x" else "closed"


# Payments, discounts and the even split (docs/payments.md)

SPLIT_CHECKS_MAX = 50


class TenderInput(serializers.Serializer):
    method = serializers.ChoiceField(Tender.choices)
    amount = amount_field(min_value=Decimal("0.01"))


class PayInput(serializers.Serializer):
    tenders = TenderInput(many=True, allow_empty=False, max_length=10)  # type: ignore[call-arg]
    tip = amount_field(min_value=Decimal(0), default=Decimal("0.00"))
    # Of an evenly split bill: which check this pays (1..split_checks).
    check = serializers.IntegerField(min_value=1, max_value=SPLIT_CHECKS_MAX, required=False, allow_null=True)


class DiscountInput(serializers.Serializer):
    kind = serializers.ChoiceField(DiscountKind.choices)
    value = amount_field(min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=200)

    def validate(self, attrs: dict) -> dict:
        if attrs["kind"] == DiscountKind.PERCENT and attrs["value"] > 100:
            raise serializers.ValidationError({"value": [_("A percent discount is at most 100.")]})
        return attrs


class SplitEvenInput(serializers.Serializer):
    # null undoes the split.
    checks = serializers.IntegerField(min_value=2, max_value=SPLIT_CHECKS_MAX, allow_null=True)


class CheckSerializer(serializers.Serializer):
    check = serializers.IntegerField(source="number")
    amount = Money()
    paid = serializers.BooleanField()


class OrderChecksSerializer(serializers.Serializer):
    """An order and its even split's checks (``[]`` when it is not split)."""

    order = OrderSerializer()
    checks = CheckSerializer(many=True)


# Food cost and the ABC analysis (cafe.bill.costs, docs/inventory.md "Food cost").


class FoodCostFilter(serializers.Serializer):
    """``branch``: a manager's own by default; owners and admins name one."""

    branch = serializers.UUIDField(required=False)


class FoodCostRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    sold_by = serializers.CharField(help_text="`weight`: price and cost are a kilogram's.")
    price = Money()
    cost = Money(help_text="One portion's recipe at the ingredients' current average cost in the branch.")
    margin = Money()
    food_cost_percent = serializers.CharField(allow_null=True, help_text="cost / price × 100; null at price 0.")


class FoodCostSerializer(serializers.Serializer):
    branch = serializers.UUIDField()
    items = FoodCostRowSerializer(many=True)


class AbcFilter(ReportFilter):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = StrictDateField(validators=[_report_day], help_text="The first day, YYYY-MM-DD.")
    to = StrictDateField(validators=[_report_day], help_text="The last day (inclusive), YYYY-MM-DD.")

    def validate(self, attrs: dict) -> dict:
        first, last = attrs["from"], attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": [_("The last day comes before the first.")]})
        if (last - first).days + 1 > settings.ABC_MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [_("An ABC analysis covers at most %(days)s days.") % {"days": settings.ABC_MAX_DAYS}]}
            )
        return attrs


class AbcRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    quantity = serializers.IntegerField(help_text="Portions sold.")
    weight = StrictQuantityField(max_digits=16, allow_null=True, help_text="Kilograms sold by weight; else null.")
    revenue = Money()
    cost = Money(help_text="What its sales took from stock at their recorded cost, less voids' returns.")
    margin = Money()
    revenue_share = serializers.CharField(help_text="Percent of the whole revenue.")
    food_cost_percent = serializers.CharField(allow_null=True)
    revenue_class = serializers.ChoiceField(["A", "B", "C"])
    quantity_class = serializers.ChoiceField(["A", "B", "C"])
    margin_class = serializers.ChoiceField(["A", "B", "C"])


class AbcTotalsSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    revenue = Money()
    cost = Money()
    margin = Money()


class AbcSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = StrictDateField()
    to = StrictDateField()
    branch = ReportBranchSerializer(allow_null=True)
    totals = AbcTotalsSerializer()
    items = AbcRowSerializer(many=True)
