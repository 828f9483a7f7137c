"""The floor's shapes: a table and a hall (zone) as REST answers and events show them,
the branch's opening hours, and their inputs."""

import datetime
import re
import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cafe.floor.models import TableShape, TableStatus
from cafe.shared.serializers import SMALL, BranchFilter
from core.fields import StrictDateField


def plan_day(value: datetime.date) -> None:
    """Dates of the calendar a cafe plans in (so that a day's hours stay within what
    dates and times can hold)."""
    if not 2000 <= value.year <= 2100:
        raise serializers.ValidationError(_("Give a date from 2000 to 2100."))


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "18:00"})
class StrictTimeField(serializers.TimeField):
    """A wall-clock time as ``HH:MM`` in ASCII digits (00:00 to 23:59)."""

    PATTERN = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)

    def to_internal_value(self, value: Any) -> datetime.time:
        if not isinstance(value, str) or not self.PATTERN.fullmatch(value):
            self.fail("invalid", format="HH:MM")
        return super().to_internal_value(value)


# The largest plan coordinate or size a client may send, in plan units.
PLAN_MAX = 100_000


class TableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    number = serializers.IntegerField()
    seats = serializers.IntegerField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    zone = serializers.UUIDField(source="zone_id", allow_null=True)
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    shape = serializers.ChoiceField(TableShape.choices)
    rotation = serializers.IntegerField()


class TableInput(serializers.Serializer):
    """Plan fields left out of a PUT take their defaults (a PUT replaces the table);
    a PATCH changes only what it sends."""

    branch = serializers.UUIDField(required=False)
    number = serializers.IntegerField(**SMALL)
    seats = serializers.IntegerField(min_value=1, max_value=1000, default=4)
    status = serializers.ChoiceField([TableStatus.FREE, TableStatus.RESERVED], required=False)
    zone = serializers.UUIDField(allow_null=True, default=None, help_text="Its hall; null: not on a plan.")
    x = serializers.IntegerField(min_value=0, max_value=PLAN_MAX, default=0)
    y = serializers.IntegerField(min_value=0, max_value=PLAN_MAX, default=0)
    width = serializers.IntegerField(min_value=1, max_value=PLAN_MAX, default=100)
    height = serializers.IntegerField(min_value=1, max_value=PLAN_MAX, default=100)
    shape = serializers.ChoiceField(TableShape.choices, default=TableShape.RECT)
    rotation = serializers.IntegerField(min_value=0, max_value=359, default=0, help_text="Degrees, about its centre.")


@extend_schema_field({"type": "string", "example": "none"})
class ZoneChoice(serializers.Field):
    """A zone's id, or ``none`` for the tables on no plan."""

    def to_internal_value(self, data: Any) -> uuid.UUID | str:
        if data == "none":
            return data
        try:
            return uuid.UUID(str(data)[:40])
        except ValueError:
            raise serializers.ValidationError(_("Give a zone's id or none.")) from None

    def to_representation(self, value: Any) -> str:
        return str(value)


class TableFilter(BranchFilter):
    zone = ZoneChoice(required=False, help_text="A zone's id, or `none` for tables on no plan.")


class ZoneSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    name = serializers.CharField()
    position = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ZoneInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    name = serializers.CharField(max_length=100)
    position = serializers.IntegerField(min_value=0, max_value=32_767, default=0)
    width = serializers.IntegerField(min_value=1, max_value=PLAN_MAX, default=1000)
    height = serializers.IntegerField(min_value=1, max_value=PLAN_MAX, default=1000)


# Opening hours


class OpeningHoursSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    weekday = serializers.IntegerField(help_text="0 Monday … 6 Sunday.")
    opens = StrictTimeField()
    closes = StrictTimeField(help_text="At or before `opens`: past midnight.")


class OpeningHoursInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens = StrictTimeField()
    closes = StrictTimeField()


class OpeningHoursFilter(BranchFilter):
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False)


class OpeningExceptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    date = StrictDateField()
    opens = StrictTimeField(allow_null=True)
    closes = StrictTimeField(allow_null=True)
    closed = serializers.SerializerMethodField(help_text="True: closed all day (no `opens`/`closes`).")
    note = serializers.CharField()

    def get_closed(self, exception: Any) -> bool:
        return exception.opens is None


class OpeningExceptionInput(serializers.Serializer):
    """Both ``opens`` and ``closes`` (open then, instead of the weekday's hours), or
    neither (closed all day)."""

    branch = serializers.UUIDField(required=False)
    date = StrictDateField(validators=[plan_day])
    opens = StrictTimeField(allow_null=True, default=None)
    closes = StrictTimeField(allow_null=True, default=None)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class OpeningExceptionFilter(BranchFilter):
    # "from" is a Python keyword: declared through the class namespace.
    locals()["from"] = StrictDateField(required=False, validators=[plan_day], help_text="From this date.")
    to = StrictDateField(required=False, validators=[plan_day], help_text="Up to this date (inclusive).")


class WeekFilter(BranchFilter):
    start = StrictDateField(
        required=False, validators=[plan_day], help_text="The first day (default: the branch's today)."
    )


class Hours(serializers.Serializer):
    opens = StrictTimeField()
    closes = StrictTimeField()


class WeekDaySerializer(serializers.Serializer):
    date = StrictDateField()
    weekday = serializers.IntegerField()
    exception = serializers.BooleanField(help_text="True: the date's exceptions replace its weekday's hours.")
    closed = serializers.BooleanField(help_text="True: no opening hours start on this date.")
    hours = Hours(many=True)
    note = serializers.CharField()


class WeekSerializer(serializers.Serializer):
    branch = serializers.UUIDField()
    timezone = serializers.CharField()
    days = WeekDaySerializer(many=True)
