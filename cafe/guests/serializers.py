"""The guest book's shapes, and the phone fields every area that takes or shows a
phone uses: ``PhoneField`` (input, E.164 out), ``MaskedPhone`` (an answer or event
every role sees) and ``GuestPhone`` (the full number for the roles that may see it)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.guests.phones import PHONE_INPUT_MAX_LENGTH, InvalidPhone, phone_masked, phone_normalised
from cafe.shared.serializers import Money

GUEST_NAME_MAX_LENGTH = 120
GUEST_NOTE_MAX_LENGTH = 500
GUEST_TAG_MAX_LENGTH = 32
SEARCH_MAX_LENGTH = 100


@extend_schema_field(
    {
        "type": "string",
        "maxLength": PHONE_INPUT_MAX_LENGTH,
        "example": "+7 916 123-45-67",
        "description": "A phone number: `+`, the country code and the number, or a number of the "
        "default region (`PHONE_DEFAULT_REGION`, RU: `8 916 123-45-67`). Stored in E.164.",
    }
)
class PhoneField(serializers.CharField):
    """A phone number in, E.164 out (``"8 (916) 123-45-67"`` → ``"+79161234567"``); an
    empty one is ``""`` when ``allow_blank``. Anything that is not a valid number is a
    400 naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PHONE_INPUT_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if self.max_length is not None and len(text) > self.max_length:  # before parsing it
            self.fail("max_length", max_length=self.max_length)
        try:
            return phone_normalised(text)
        except InvalidPhone:
            raise serializers.ValidationError(
                _("Enter a valid phone number: + and the country code, or a number of the default region (%(region)s).")
                % {"region": settings.PHONE_DEFAULT_REGION}
            ) from None


@extend_schema_field({"type": "string", "example": "+7 *** ***-**-67"})
class MaskedPhone(serializers.Field):
    """A phone as every role may see it: the country code and the last two digits
    (``cafe.guests.phones.phone_masked``). For answers and events every role receives."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: str) -> str:
        return phone_masked(value)


@extend_schema_field(
    {
        "type": "string",
        "example": "+79161234567",
        "description": "E.164 for owners, admins and managers; masked (`+7 *** ***-**-67`) for other roles.",
    }
)
class GuestPhone(serializers.Field):
    """The full phone when the serializer's context says ``full_phones`` (the caller's
    role may see them, ``cafe.shared.roles.PHONE_ROLES``), masked otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: str) -> str:
        return value if self.context.get("full_phones") else phone_masked(value)


class TagsField(serializers.ListField):
    """Up to ``GUEST_TAGS_MAX`` tags of 1 to 32 characters; repeats are kept once."""

    def __init__(self, **kwargs: Any) -> None:
        child = serializers.CharField(max_length=GUEST_TAG_MAX_LENGTH)
        super().__init__(child=child, max_length=settings.GUEST_TAGS_MAX, **kwargs)


class GuestInput(serializers.Serializer):
    name = serializers.CharField(max_length=GUEST_NAME_MAX_LENGTH, required=False, allow_blank=True)
    phone = PhoneField(required=False, allow_blank=True)
    note = serializers.CharField(max_length=GUEST_NOTE_MAX_LENGTH, required=False, allow_blank=True)
    tags = TagsField(required=False)

    def validate(self, attrs: dict) -> dict:
        if not self.partial and not attrs.get("name") and not attrs.get("phone"):
            raise serializers.ValidationError({"name": [_("Give the guest a name or a phone.")]})
        return attrs


class GuestFilter(serializers.Serializer):
    q = serializers.CharField(
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        help_text="Part of the name (any case); for owners, admins and managers also at least 3 digits of the phone.",
    )
    phone = PhoneField(required=False, help_text="The whole phone (any spelling of it); found by its E.164 form.")


class GuestSerializer(serializers.Serializer):
    """A guest with their figures, worked out from the orders and bookings the caller
    may see (``cafe.bookings.guest_book``)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    phone = GuestPhone()
    note = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    visits = serializers.IntegerField(help_text="Closed orders (checks split off one are not counted again).")
    last_visit = serializers.DateTimeField(allow_null=True, help_text="When the last of them closed.")
    total_spent = Money(help_text="What the closed orders came to, less refunds.")
    no_shows = serializers.IntegerField(help_text="Bookings the guest did not come to.")
    erased_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class GuestHistoryEntry(serializers.Serializer):
    """One of a guest's orders or bookings, newest first."""

    kind = serializers.ChoiceField([("order", "order"), ("booking", "booking")])
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    at = serializers.DateTimeField(help_text="An order's opening, a booking's start.")
    status = serializers.CharField()
    guests = serializers.IntegerField()
    total = serializers.SerializerMethodField(help_text="An order's total less refunds; null for a booking.")

    def get_total(self, entry: dict) -> str | None:
        return None if entry["amount"] is None else f"{entry['amount']:.2f}"


class ExportOrder(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    service = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    total = Money()
    refunded = Money()
    customer_name = serializers.CharField()
    customer_phone = serializers.CharField()


class ExportBooking(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    guests = serializers.IntegerField()
    status = serializers.CharField()
    # Popped into the declared fields by the serializer metaclass (it only shadows Field.source for mypy).
    source = serializers.CharField()  # type: ignore[assignment]
    guest_name = serializers.CharField()
    guest_phone = serializers.CharField()
    note = serializers.CharField()


class GuestExportSerializer(serializers.Serializer):
    """Everything the company holds about a guest (``guests/{id}/export/``)."""

    guest = GuestSerializer()
    orders = ExportOrder(many=True)
    bookings = ExportBooking(many=True)
    truncated = serializers.BooleanField(help_text="True when orders or bookings were cut at the export's bound.")
