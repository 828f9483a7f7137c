"""The shapes clients see. Output serializers are shared by REST and events, so a
socket and the API never disagree about an order; input serializers only check
shape and types before a service is called."""

import datetime
import functools
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe import money
from cafe.models import (
    CashMovement,
    Category,
    DiscountKind,
    MenuItem,
    Order,
    OrderItem,
    OrderStatus,
    Service,
    Shift,
    TableStatus,
    TaskStatus,
    Tender,
)

# Output


class TableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    number = serializers.IntegerField()
    seats = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "position"]


class StationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    name = serializers.CharField()
    position = serializers.IntegerField()


class ModifierSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    group = serializers.UUIDField(source="group_id")
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    position = serializers.IntegerField()


class ModifierGroupSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id")
    name = serializers.CharField()
    # A declared field, popped from the class by DRF's metaclass; the stubs see Field.required.
    required = serializers.BooleanField()  # type: ignore[assignment]
    max_choices = serializers.IntegerField()
    position = serializers.IntegerField()
    modifiers = ModifierSerializer(many=True, source="modifiers.all")


class MenuItemSerializer(serializers.Serializer):
    """A menu item; seen from one branch (``selectors.menu.in_branch``), a company-wide
    item shows that branch's station and stop-list."""

    id = serializers.UUIDField()
    category = serializers.UUIDField(source="category_id")
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    is_available = serializers.SerializerMethodField()
    branch = serializers.UUIDField(source="branch_id", allow_null=True)
    station = serializers.SerializerMethodField()
    remaining = serializers.SerializerMethodField()
    modifier_groups = ModifierGroupSerializer(many=True, source="modifier_groups.all")

    def get_is_available(self, item: MenuItem) -> bool:
        return getattr(item, "available_here", item.is_available)

    def get_station(self, item: MenuItem) -> str | None:
        station = getattr(item, "station_here", item.station_id)
        return str(station) if station else None

    def get_remaining(self, item: MenuItem) -> int | None:
        return getattr(item, "remaining_here", item.remaining)


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "350.00"})
class Money(serializers.Field):
    """A sum as a string with two decimals. Unlike ``DecimalField`` it has no
    ``max_digits`` to overflow: a line total of a large price times a large
    quantity answered 500."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


class MenuItemBranchSerializer(serializers.Serializer):
    """A company-wide item in one branch: its station there and its stop-list."""

    menu_item = serializers.UUIDField(source="menu_item_id")
    branch = serializers.UUIDField(source="branch_id")
    station = serializers.UUIDField(source="station_id", allow_null=True)
    is_available = serializers.BooleanField()
    remaining = serializers.IntegerField(allow_null=True)


# Orders are serialised on every write (for the event and the answer): plain
# serializers skip ModelSerializer's per-instance model introspection.


class LineModifierSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="modifier_id", allow_null=True)
    group = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)


class DiscountSerializer(serializers.Serializer):
    """A discount as it was given: ``amount`` (a sum) or ``percent`` of what it applies to."""

    kind = serializers.ChoiceField(DiscountKind.choices)
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()
    amount = Money()  # what it took off


def _discount(row: Order | OrderItem, amount: Decimal) -> dict | None:
    if not row.discount_kind:
        return None
    return {
        "kind": row.discount_kind,
        "value": f"{row.discount_value:.2f}",
        "reason": row.discount_reason,
        "amount": f"{amount:.2f}",
    }


class OrderItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    menu_item = serializers.UUIDField(source="menu_item_id")
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    discount = serializers.SerializerMethodField()
    total = Money()  # price × quantity − the line's discount
    note = serializers.CharField()
    modifiers = LineModifierSerializer(many=True, source="modifiers.all")
    course = serializers.IntegerField()
    voided = serializers.BooleanField()
    void_reason = serializers.CharField()
    refunded_quantity = serializers.IntegerField()

    @extend_schema_field(DiscountSerializer(allow_null=True))
    def get_discount(self, line: OrderItem) -> dict | None:
        return _discount(line, line.discount_amount)


class BillSerializer(serializers.Serializer):
    """An order's money (rules in ``cafe.money``)."""

    subtotal = Money()
    discounts = Money(source="discount_total")
    service_charge_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    service_charge = Money()
    total = Money()
    paid = Money()
    due = serializers.SerializerMethodField()
    tips = Money()
    change = Money()
    refunded = Money()

    def get_due(self, order: Order) -> str:
        return f"{money.due(order):.2f}"


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    method = serializers.CharField()
    check = serializers.IntegerField(source="check_number", allow_null=True)  # of an evenly split bill
    amount = Money()  # what it paid of the bill
    tip = Money()
    tendered = Money()  # amount + tip + change
    change = Money()
    shift = serializers.UUIDField(source="shift_id", allow_null=True)
    user = serializers.UUIDField(source="user_id", allow_null=True)
    created_at = serializers.DateTimeField()


class RefundLineSerializer(serializers.Serializer):
    line = serializers.UUIDField(source="line_id")
    quantity = serializers.IntegerField()
    amount = Money()


class RefundSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    method = serializers.CharField()
    amount = Money()
    reason = serializers.CharField()
    lines = RefundLineSerializer(many=True, source="lines.all")
    shift = serializers.UUIDField(source="shift_id", allow_null=True)
    user = serializers.UUIDField(source="user_id", allow_null=True)
    created_at = serializers.DateTimeField()


class OrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    service = serializers.CharField()
    table = serializers.UUIDField(source="table_id", allow_null=True)
    table_number = serializers.IntegerField(source="table.number", allow_null=True)
    guests = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    waiter = serializers.UUIDField(source="waiter_id", allow_null=True)
    customer_name = serializers.CharField()
    customer_phone = serializers.CharField()
    pickup_number = serializers.IntegerField(allow_null=True)
    items = OrderItemSerializer(many=True, source="items.all")
    discount = serializers.SerializerMethodField()
    total = Money()
    money = BillSerializer(source="*")
    payments = PaymentSerializer(many=True, source="payment_list")
    refunds = RefundSerializer(many=True, source="refund_list")
    split_checks = serializers.IntegerField(allow_null=True)
    split_from = serializers.UUIDField(source="split_from_id", allow_null=True)
    merged_into = serializers.UUIDField(source="merged_into_id", allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(DiscountSerializer(allow_null=True))
    def get_discount(self, order: Order) -> dict | None:
        return _discount(order, order.subtotal - (order.total - order.service_charge))


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


class KitchenTaskSerializer(serializers.Serializer):
    """A portion on a kitchen screen; needs ``line``, ``order__table`` and ``station``
    loaded and ``line__modifiers`` prefetched (``selectors.kitchen.TASK_RELATED``)."""

    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    order = serializers.UUIDField(source="order_id")
    line = serializers.UUIDField(source="line_id")
    station = serializers.UUIDField(source="station_id")
    station_name = serializers.CharField(source="station.name")
    portion = serializers.IntegerField()
    quantity = serializers.IntegerField(source="line.quantity")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    cook = serializers.UUIDField(source="cook_id", allow_null=True)
    title = serializers.CharField(source="line.title")
    modifiers = LineModifierSerializer(many=True, source="line.modifiers.all")
    note = serializers.CharField(source="line.note")
    course = serializers.IntegerField(source="line.course")
    table_number = serializers.IntegerField(source="order.table.number", allow_null=True)
    service = serializers.CharField(source="order.service")
    pickup_number = serializers.IntegerField(source="order.pickup_number", allow_null=True)
    created_at = serializers.DateTimeField()
    fired_at = serializers.DateTimeField(allow_null=True)
    claimed_at = serializers.DateTimeField(allow_null=True)
    ready_at = serializers.DateTimeField(allow_null=True)
    served_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class FiredSerializer(serializers.Serializer):
    """What ``orders/{id}/fire/`` answers: the portions it released, oldest first."""

    fired = KitchenTaskSerializer(many=True)


def represent(serializer_class: type[serializers.Serializer], instance: object) -> dict:
    """``serializer_class(instance).data`` without building a serializer per call: a new
    one deep-copies its declared fields (and its nested ones) every time, about half
    the cost of serialising an order. The shared instance only reads its fields."""
    return _bound(serializer_class).to_representation(instance)


@functools.cache
def _bound(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer_class()


# Input

SMALL: dict[str, Any] = {"min_value": 1, "max_value": 10_000}

# The most one sum a client sends (a tender, a tip, an amount discount, a float, a
# count, a cash movement, a refund) may be: far above any real bill or drawer, and
# well inside the money columns (16 digits) however many are added up.
AMOUNT_MAX = Decimal("10000000.00")


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, max_value=AMOUNT_MAX, **kwargs)


class TableInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    number = serializers.IntegerField(**SMALL)
    seats = serializers.IntegerField(min_value=1, max_value=1000, default=4)
    status = serializers.ChoiceField([TableStatus.FREE, TableStatus.RESERVED], required=False)


class CategoryInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class MenuItemInput(serializers.Serializer):
    category = serializers.UUIDField()
    title = serializers.CharField(max_length=200)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX
    )
    is_available = serializers.BooleanField(default=True)
    # Omitted: a manager's own branch or, for owners and admins, every branch
    # (on create; an update leaves it). null: every branch (owners and admins only).
    branch = serializers.UUIDField(required=False, allow_null=True)
    station = serializers.UUIDField(required=False, allow_null=True)
    remaining = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)


class MenuItemBranchInput(serializers.Serializer):
    """A company-wide item in one branch; fields left out keep their value."""

    station = serializers.UUIDField(required=False, allow_null=True)
    is_available = serializers.BooleanField(required=False)
    remaining = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)


class StationInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    name = serializers.CharField(max_length=120)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierGroupInput(serializers.Serializer):
    menu_item = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    max_choices = serializers.IntegerField(min_value=1, max_value=50, default=1)
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierInput(serializers.Serializer):
    group = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal(0), max_value=settings.MENU_PRICE_MAX, default=Decimal(0)
    )
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class ModifierGroupFilter(serializers.Serializer):
    menu_item = serializers.UUIDField(required=False)


class ModifierFilter(serializers.Serializer):
    group = serializers.UUIDField(required=False)


class OrderLineInput(serializers.Serializer):
    menu_item = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000)
    modifiers = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    course = serializers.IntegerField(min_value=1, max_value=20, default=1)
    # Held in the kitchen until fired; by default courses after the first are held.
    hold = serializers.BooleanField(required=False, allow_null=True, default=None)


class LineUpdateInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if "quantity" not in attrs and "note" not in attrs:
            raise serializers.ValidationError({"quantity": [_("Send a quantity or a note.")]})
        return attrs


class LineVoidInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class FireInput(serializers.Serializer):
    course = serializers.IntegerField(min_value=1, max_value=20, required=False)


class TaskIdsInput(serializers.Serializer):
    """One task (in the URL) or many: ``{"ids": [...]}``, all or nothing."""

    ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=200)


class KitchenTaskFilter(serializers.Serializer):
    station = serializers.UUIDField(required=False)
    status = serializers.MultipleChoiceField(choices=TaskStatus.choices, required=False)
    order = serializers.UUIDField(required=False)
    branch = serializers.UUIDField(required=False)


class OrderLinesInput(serializers.Serializer):
    # DRF takes max_length with many=True (a ListSerializer); the stubs do not know it yet.
    items = OrderLineInput(many=True, allow_empty=False, max_length=200)  # type: ignore[call-arg]


PHONE = RegexValidator(r"^[0-9 +()-]*$", gettext_lazy("Use digits, spaces, +, - and parentheses only."))


class OrderCreateInput(serializers.Serializer):
    """A dine-in order (the default) names its table and guests; a takeaway order
    has no table, and owners and admins name its ``branch``."""

    service = serializers.ChoiceField(Service.choices, default=Service.DINE_IN)
    table = serializers.UUIDField(required=False)
    guests = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    items = OrderLineInput(many=True, required=False, default=list, max_length=200)  # type: ignore[call-arg]
    # Takeaway only.
    branch = serializers.UUIDField(required=False)
    customer_name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    customer_phone = serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True, validators=[PHONE]
    )

    def to_internal_value(self, data: Any) -> dict:
        """A dine-in order's missing ``table`` and ``guests`` are reported with the
        other fields' errors, as when they were plain required fields."""
        errors: dict[str, Any] = {}
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors.update(exc.detail)  # type: ignore[arg-type]
        given = data if isinstance(data, dict) else {}
        if "service" not in errors and given.get("service", Service.DINE_IN) == Service.DINE_IN:
            for name in ("table", "guests"):
                if name not in errors and name not in given:
                    errors[name] = [self.fields[name].error_messages["required"]]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def validate(self, attrs: dict) -> dict:
        if attrs["service"] == Service.TAKEAWAY:
            if "table" in attrs:
                raise serializers.ValidationError({"table": [_("A takeaway order has no table.")]})
            attrs.setdefault("guests", 1)
        elif "branch" in attrs:
            raise serializers.ValidationError({"branch": [_("Only for takeaway orders.")]})
        return attrs


class OrderUpdateInput(serializers.Serializer):
    guests = serializers.IntegerField(min_value=1, max_value=1000)


class OrderFilter(serializers.Serializer):
    status = serializers.ChoiceField(OrderStatus.choices, required=False)
    service = serializers.ChoiceField(Service.choices, required=False)
    table = serializers.UUIDField(required=False)
    branch = serializers.UUIDField(required=False)


class BranchFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)


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
    date = serializers.DateField(validators=[_report_day], help_text="The branch-local day, YYYY-MM-DD.")


class RangeReportFilter(ReportFilter):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.DateField(validators=[_report_day], help_text="The first day, YYYY-MM-DD.")
    to = serializers.DateField(validators=[_report_day], help_text="The last day (inclusive), YYYY-MM-DD.")

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


class ReportPaymentSerializer(serializers.Serializer):
    method = serializers.CharField()
    amount = Money()
    tips = Money()
    count = serializers.IntegerField()


class ReportRefundSerializer(serializers.Serializer):
    method = serializers.CharField()
    amount = Money()
    count = serializers.IntegerField()


class ReportTopSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    revenue = Money()


class ReportBranchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class ReportFiguresSerializer(serializers.Serializer):
    summary = ReportSummarySerializer()
    payments = ReportPaymentSerializer(many=True)
    refunds = ReportRefundSerializer(many=True)
    top_items = ReportTopSerializer(many=True)
    top_categories = ReportTopSerializer(many=True)


class ReportBranchFiguresSerializer(ReportFiguresSerializer):
    branch = ReportBranchSerializer()


class ReportSerializer(serializers.Serializer):
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    branch = ReportBranchSerializer(allow_null=True)
    totals = ReportFiguresSerializer()
    branches = ReportBranchFiguresSerializer(many=True)


# Split, move, merge (cafe.services.split)


class SplitLineInput(serializers.Serializer):
    line = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class SplitInput(serializers.Serializer):
    lines = SplitLineInput(many=True, allow_empty=False, max_length=200)  # type: ignore[call-arg]
    guests = serializers.IntegerField(min_value=1, max_value=1000, default=1)

    def validate_lines(self, lines: list[dict]) -> list[dict]:
        ids = [entry["line"] for entry in lines]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Name each line once."))
        return lines


class MoveInput(serializers.Serializer):
    table = serializers.UUIDField()


class MergeInput(serializers.Serializer):
    order = serializers.UUIDField(help_text="The other open order of the same table; it joins this one.")


class SplitSerializer(serializers.Serializer):
    """What ``orders/{id}/split/`` answers: the order split and the new one."""

    order = OrderSerializer()
    new_order = OrderSerializer()


# Till: cash shifts, cash movements, the X / Z report, refunds (docs/till.md).


class ShiftOpenInput(serializers.Serializer):
    # Owners and admins name it; branch-bound staff open their own branch's.
    branch = serializers.UUIDField(required=False)
    opening_float = _amount(min_value=Decimal(0))


class ShiftCloseInput(serializers.Serializer):
    counted_cash = _amount(min_value=Decimal(0))


class CashMovementInput(serializers.Serializer):
    kind = serializers.ChoiceField(CashMovement.Kind.choices)
    amount = _amount(min_value=Decimal("0.01"))
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
    amount = _amount(min_value=Decimal("0.01"), required=False)

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
    amount = _amount(min_value=Decimal("0.01"))


class PayInput(serializers.Serializer):
    tenders = TenderInput(many=True, allow_empty=False, max_length=10)  # type: ignore[call-arg]
    tip = _amount(min_value=Decimal(0), default=Decimal("0.00"))
    # Of an evenly split bill: which check this pays (1..split_checks).
    check = serializers.IntegerField(min_value=1, max_value=SPLIT_CHECKS_MAX, required=False, allow_null=True)


class DiscountInput(serializers.Serializer):
    kind = serializers.ChoiceField(DiscountKind.choices)
    value = _amount(min_value=Decimal("0.01"))
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
