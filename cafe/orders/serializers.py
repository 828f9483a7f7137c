"""The shapes of an order, its lines and its kitchen tasks, shared by REST answers
and events (so a socket and the API never disagree), and the orders' inputs."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.guests.serializers import MaskedPhone, PhoneField
from cafe.orders.models import DiscountKind, KitchenTask, Order, OrderItem, OrderStatus, Service, TaskStatus
from cafe.orders.money import due
from cafe.shared.serializers import Money
from core.fields import StrictDecimalField, StrictQuantityField

# Orders and kitchen tasks are serialised on every write (for the events and the
# answer): OrderSerializer and KitchenTaskSerializer build their output by hand
# (``to_representation``), the same dict DRF's field-by-field walk makes from their
# declared fields, which stay what OpenAPI and the event catalogue describe
# (cafe/tests/api/test_fast_representation.py compares the two on a rich order).
# Plain serializers skip ModelSerializer's per-instance model introspection.


def _uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _decimal(value: Decimal | None) -> str | None:
    # StrictDecimalField's and Money's text: two places.
    return None if value is None else f"{value:.2f}"


def _time(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    # DRF's DateTimeField: ISO 8601 in the current time zone, UTC as "Z".
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _kg(value: Decimal | None) -> str | None:
    # StrictQuantityField's text: three places.
    return None if value is None else f"{value:.3f}"


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _modifiers(manager: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": _uuid(modifier.modifier_id),
            "group": _str(modifier.group),
            "name": _str(modifier.name),
            "price": _decimal(modifier.price),
        }
        for modifier in manager.all()
    ]


def _line(line: OrderItem) -> dict[str, Any]:
    return {
        "id": _uuid(line.id),
        "menu_item": _uuid(line.menu_item_id),
        "title": _str(line.title),
        "price": _decimal(line.price),
        "quantity": _int(line.quantity),
        "weight": _kg(line.weight),
        "price_per_kg": _decimal(line.price_per_kg),
        "discount": _discount(line, line.discount_amount),
        "total": _decimal(line.total),
        "note": _str(line.note),
        "modifiers": _modifiers(line.modifiers),
        "course": _int(line.course),
        "voided": bool(line.voided),
        "void_reason": _str(line.void_reason),
        "refunded_quantity": _int(line.refunded_quantity),
    }


def _payment(payment: Any, zone: datetime.tzinfo) -> dict[str, Any]:
    return {
        "id": _uuid(payment.id),
        "method": _str(payment.method),
        "check": _int(payment.check_number),
        "amount": _decimal(payment.amount),
        "tip": _decimal(payment.tip),
        "tendered": _decimal(payment.tendered),
        "change": _decimal(payment.change),
        "shift": _uuid(payment.shift_id),
        "user": _uuid(payment.user_id),
        "created_at": _time(payment.created_at, zone),
    }


def _refund(refund: Any, zone: datetime.tzinfo) -> dict[str, Any]:
    return {
        "id": _uuid(refund.id),
        "method": _str(refund.method),
        "amount": _decimal(refund.amount),
        "reason": _str(refund.reason),
        "lines": [
            {"line": _uuid(line.line_id), "quantity": _int(line.quantity), "amount": _decimal(line.amount)}
            for line in refund.lines.all()
        ],
        "shift": _uuid(refund.shift_id),
        "user": _uuid(refund.user_id),
        "created_at": _time(refund.created_at, zone),
    }


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
    price = StrictDecimalField(max_digits=10)  # a portion's (weighed: round(weight × price_per_kg) + modifiers)
    quantity = serializers.IntegerField()
    # Sold by weight (docs/weighed.md): each portion's weight in kg and the price of a kilogram; else null.
    weight = StrictQuantityField(max_digits=8, allow_null=True)
    price_per_kg = StrictDecimalField(max_digits=10, allow_null=True)
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
    taken_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(DiscountSerializer(allow_null=True))
    def get_discount(self, order: Order) -> dict | None:
        return _discount(order, order.subtotal - (order.total - order.service_charge))

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_joined_tables(self, order: Order) -> list[str]:
        return [str(table.pk) for table in order.joined_tables.all()]

    def to_representation(self, order: Order) -> dict[str, Any]:
        """What the declared fields give, built directly (see the top of the module)."""
        zone = timezone.get_current_timezone()
        table = order.table
        phone = order.customer_phone
        return {
            "id": _uuid(order.id),
            "branch": _uuid(order.branch_id),
            "service": _str(order.service),
            "table": _uuid(order.table_id),
            "table_number": None if table is None else _int(table.number),
            "joined_tables": self.get_joined_tables(order),
            "guest": _uuid(order.guest_id),
            "booking_override": None if order.booking_override is None else bool(order.booking_override),
            "guests": _int(order.guests),
            "status": _str(order.status),
            "status_display": _str(order.get_status_display()),
            "waiter": _uuid(order.waiter_id),
            "customer_name": _str(order.customer_name),
            "customer_phone": None if phone is None else self.fields["customer_phone"].to_representation(phone),
            "pickup_number": _int(order.pickup_number),
            "items": [_line(line) for line in order.items.all()],
            "discount": self.get_discount(order),
            "total": _decimal(order.total),
            "money": {
                "subtotal": _decimal(order.subtotal),
                "discounts": _decimal(order.discount_total),
                "service_charge_percent": _decimal(order.service_charge_percent),
                "service_charge": _decimal(order.service_charge),
                "total": _decimal(order.total),
                "paid": _decimal(order.paid),
                "due": f"{due(order):.2f}",
                "tips": _decimal(order.tips),
                "change": _decimal(order.change),
                "refunded": _decimal(order.refunded),
            },
            "payments": [_payment(payment, zone) for payment in order.payment_list()],
            "refunds": [_refund(refund, zone) for refund in order.refund_list()],
            "split_checks": _int(order.split_checks),
            "split_from": _uuid(order.split_from_id),
            "merged_into": _uuid(order.merged_into_id),
            "ready_at": _time(order.ready_at, zone),
            "paid_at": _time(order.paid_at, zone),
            "closed_at": _time(order.closed_at, zone),
            "created_at": _time(order.created_at, zone),
            "taken_at": _time(order.taken_at, zone),
            "updated_at": _time(order.updated_at, zone),
        }


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
    weight = StrictQuantityField(max_digits=8, source="line.weight", allow_null=True)  # kg, sold by weight
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

    def to_representation(self, task: KitchenTask) -> dict[str, Any]:
        """What the declared fields give, built directly (see the top of the module)."""
        zone = timezone.get_current_timezone()
        line, order = task.line, task.order
        table = order.table
        return {
            "id": _uuid(task.id),
            "branch": _uuid(task.branch_id),
            "order": _uuid(task.order_id),
            "line": _uuid(task.line_id),
            "station": _uuid(task.station_id),
            "station_name": _str(task.station.name),
            "portion": _int(task.portion),
            "quantity": _int(line.quantity),
            "weight": _kg(line.weight),
            "status": _str(task.status),
            "status_display": _str(task.get_status_display()),
            "cook": _uuid(task.cook_id),
            "title": _str(line.title),
            "modifiers": _modifiers(line.modifiers),
            "note": _str(line.note),
            "course": _int(line.course),
            "table_number": None if table is None else _int(table.number),
            "service": _str(order.service),
            "pickup_number": _int(order.pickup_number),
            "created_at": _time(task.created_at, zone),
            "fired_at": _time(task.fired_at, zone),
            "claimed_at": _time(task.claimed_at, zone),
            "ready_at": _time(task.ready_at, zone),
            "served_at": _time(task.served_at, zone),
            "cancelled_at": _time(task.cancelled_at, zone),
            "updated_at": _time(task.updated_at, zone),
        }


class FiredSerializer(serializers.Serializer):
    """What ``orders/{id}/fire/`` answers: the portions it released, oldest first."""

    fired = KitchenTaskSerializer(many=True)


class WeighedInput(serializers.Serializer):
    """An item sold by weight: a portion's ``weight`` in kg (at most three decimals) or
    in whole ``grams``, one of them; both end up as ``weight`` (kg)."""

    weight = StrictQuantityField(
        max_digits=8, required=False, min_value=Decimal("0.001"), max_value=settings.ORDER_LINE_MAX_WEIGHT
    )
    grams = serializers.IntegerField(required=False, min_value=1, max_value=int(settings.ORDER_LINE_MAX_WEIGHT * 1000))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if "grams" in attrs:
            if "weight" in attrs:
                raise serializers.ValidationError({"grams": [_("Give the weight in kg or in grams, not both.")]})
            attrs["weight"] = Decimal(attrs.pop("grams")) / 1000
        return attrs


def _one_portion_if_weighed(serializer: serializers.Serializer, attrs: dict) -> dict:
    """A line's ``quantity`` is required, as ever, unless it gives a weight: then 1."""
    if "quantity" not in attrs:
        if "weight" not in attrs:
            raise serializers.ValidationError({"quantity": [serializer.fields["quantity"].error_messages["required"]]})
        attrs["quantity"] = 1
    return attrs


class OrderLineInput(WeighedInput):
    menu_item = serializers.UUIDField()
    # Required, but for a line sold by weight (1 when left out).
    quantity = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    modifiers = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    course = serializers.IntegerField(min_value=1, max_value=20, default=1)
    # Held in the kitchen until fired; by default courses after the first are held.
    hold = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict) -> dict:
        return _one_portion_if_weighed(self, super().validate(attrs))


class LineUpdateInput(WeighedInput):
    quantity = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if "quantity" not in attrs and "note" not in attrs and "weight" not in attrs:
            raise serializers.ValidationError({"quantity": [_("Send a quantity, a weight or a note.")]})
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


class TakenAtField(serializers.DateTimeField):
    """An ISO 8601 moment with its offset, no later than ``ORDER_TAKEN_AT_FUTURE_SECONDS``
    past the server's now and no older than ``ORDER_TAKEN_AT_MAX_AGE_SECONDS``."""

    def to_internal_value(self, value: Any) -> datetime.datetime:
        if isinstance(value, str) and (parsed := parse_datetime(value)) is not None and parsed.tzinfo is None:
            raise serializers.ValidationError(_("Give the time with its offset (ISO 8601), e.g. +03:00 or Z."))
        moment = super().to_internal_value(value)
        now = timezone.now()
        if moment > now + datetime.timedelta(seconds=settings.ORDER_TAKEN_AT_FUTURE_SECONDS):
            raise serializers.ValidationError(_("This moment is in the future by the server's clock."))
        if moment < now - datetime.timedelta(seconds=settings.ORDER_TAKEN_AT_MAX_AGE_SECONDS):
            raise serializers.ValidationError(
                _("An order taken more than %(hours)s hours ago cannot be sent.")
                % {"hours": settings.ORDER_TAKEN_AT_MAX_AGE_SECONDS // 3600}
            )
        return moment


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
    # When the device took it (an order queued offline): docs/devices.md, "Orders taken offline".
    taken_at = TakenAtField(required=False)

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
