"""The book's shapes: a booking as REST answers and events show it (times in the
branch's zone, with its offset), and its inputs."""

import datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.bookings.models import Booking, BookingSource, BookingStatus
from cafe.guests.phones import phone_masked
from cafe.guests.serializers import PhoneField
from cafe.shared.business_day import zone

# How long a booking may be (minutes): a quarter of an hour to half a day.
DURATION_MIN, DURATION_MAX = 15, 12 * 60


def local(moment: datetime.datetime | None, booking: Booking) -> str | None:
    return None if moment is None else moment.astimezone(zone(booking.branch)).isoformat()


class BookingTableSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="table_id")
    number = serializers.IntegerField(source="table.number")


class BookingSerializer(serializers.Serializer):
    """A booking; ``guest_phone`` masked (the answer owners, admins and managers get,
    ``BookingFullSerializer``, shows it whole; events always mask it)."""

    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    tables = BookingTableSerializer(many=True, source="table_links.all")
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField()
    guests = serializers.IntegerField()
    guest = serializers.UUIDField(source="guest_id", allow_null=True)
    guest_name = serializers.CharField()
    guest_phone = serializers.SerializerMethodField()
    note = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    order = serializers.UUIDField(source="order_id", allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field({"type": "string", "format": "date-time", "example": "2027-03-28T19:00:00+02:00"})
    def get_start(self, booking: Booking) -> str | None:
        return local(booking.starts_at, booking)

    @extend_schema_field({"type": "string", "format": "date-time", "example": "2027-03-28T21:00:00+02:00"})
    def get_end(self, booking: Booking) -> str | None:
        return local(booking.ends_at, booking)

    def get_duration(self, booking: Booking) -> int:
        return int((booking.ends_at - booking.starts_at).total_seconds() // 60)

    def get_guest_phone(self, booking: Booking) -> str:
        return phone_masked(booking.guest_phone)


class BookingFullSerializer(BookingSerializer):
    """A booking with the guest's phone in full (owners, admins, managers)."""

    def get_guest_phone(self, booking: Booking) -> str:
        return booking.guest_phone


@extend_schema_field({"type": "string", "maxLength": 40, "example": "2027-03-28T19:00"})
class StartField(serializers.Field):
    """A start time in ISO 8601: with an offset (``2027-03-28T19:00+02:00``, ``…Z``) it
    is that instant; without one (``2027-03-28T19:00``) it is the wall-clock time in
    the branch's zone (the service reads it there). Seconds are dropped."""

    def to_internal_value(self, data: Any) -> datetime.datetime:
        try:
            if not isinstance(data, str) or len(data) > 40:
                raise ValueError(data)
            moment = datetime.datetime.fromisoformat(data)
        except ValueError:
            raise serializers.ValidationError(
                _("Enter a date and time in ISO 8601: 2027-03-28T19:00 (the branch's local time) or with an offset.")
            ) from None
        return moment.replace(second=0, microsecond=0)

    def to_representation(self, value: datetime.datetime) -> str:
        return value.isoformat()


class BookingInput(serializers.Serializer):
    tables = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=50)
    start = StartField()
    duration = serializers.IntegerField(min_value=DURATION_MIN, max_value=DURATION_MAX, required=False)
    guests = serializers.IntegerField(min_value=1, max_value=1000)
    guest_name = serializers.CharField(max_length=120)
    guest_phone = PhoneField(required=False, default="", allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    source = serializers.ChoiceField(BookingSource.choices, default=BookingSource.PHONE)  # type: ignore[assignment]

    def validate_tables(self, tables: list) -> list:
        if len(set(tables)) != len(tables):
            raise serializers.ValidationError(_("Name each table once."))
        return tables


class BookingFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    date = serializers.DateField(required=False, help_text="The branch's local day the bookings start on.")
    status = serializers.MultipleChoiceField(choices=BookingStatus.choices, required=False)
    table = serializers.UUIDField(required=False)
