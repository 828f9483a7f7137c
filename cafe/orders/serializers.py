"""The shapes of an order, its lines and its kitchen tasks, shared by REST answers
and events (so a socket and the API never disagree), and the orders' inputs."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.guests.serializers import MaskedPhone, PhoneField
from cafe.orders.models import DiscountKind, Order, OrderItem, OrderStatus, Service, TaskStatus
from cafe.orders.money import due
from cafe.shared.serializers import Money
from core.fields import StrictDecimalField

# Orders are serialised on every write (for the event and the answer): plain
# serializers skip ModelSerializer's per-instance model introspection.


class LineModifierSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="modifier_id", allow_null=True)
    group = serializers.CharField()
    name = serializers.CharField()
    price = StrictDecimalField(max_digits=10)


class DiscountSerializer(serializers.Serializer):
    """A discount as it was given: ``amount`` (a sum) or ``percent`` of what it applies to."""

    kind = serializers.ChoiceField(DiscountKind.choices)
    value = StrictDecimalField(max_digits=12)
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
    price = StrictDecimalField(max_digits=10)
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
    service_charge_percent = StrictDecimalField(max_digits=5)
    service_charge = Money()
    total = Money()
    paid = Money()
    due = serializers.SerializerMethodField()
    tips = Money()
    change = Money()
    refunded = Money()

    def get_due(self, order: Order) -> str:
        return f"{due(order):.2f}"


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
    # More tables pushed together for the party (busy with the order like its table).
    joined_tables = serializers.SerializerMethodField()
    guest = serializers.UUIDField(source="guest_id", allow_null=True)
    booking_override = serializers.BooleanField()
    guests = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    waiter = serializers.UUIDField(source="waiter_id", allow_null=True)
    customer_name = serializers.CharField()
    # Every role gets orders (and their events): the full phone is the guest book's, for managers.
    customer_phone = MaskedPhone()
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

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_joined_tables(self, order: Order) -> list[str]:
        return [str(table.pk) for table in order.joined_tables.all()]


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


class OrderCreateInput(serializers.Serializer):
    """A dine-in order (the default) names its table and guests; a takeaway order
    has no table, and owners and admins name its ``branch``."""

    service = serializers.ChoiceField(Service.choices, default=Service.DINE_IN)
    table = serializers.UUIDField(required=False)
    guests = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    items = OrderLineInput(many=True, required=False, default=list, max_length=200)  # type: ignore[call-arg]
    # Who it is for (any order): a guest of the book, or a phone that finds or adds one.
    guest = serializers.UUIDField(required=False)
    customer_name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    customer_phone = PhoneField(required=False, default="", allow_blank=True)
    # Takeaway only.
    branch = serializers.UUIDField(required=False)
    # Dine-in only: more tables of the branch pushed together for a large party.
    joined_tables = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=20)
    # Open it on a table reserved for a booking about to start anyway (recorded on the order).
    override_booking = serializers.BooleanField(required=False, default=False)

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
            if attrs.get("joined_tables"):
                raise serializers.ValidationError({"joined_tables": [_("A takeaway order has no table.")]})
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
