"""The time clock's shapes."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from cafe.bill.serializers import REPORT_MAX_DAYS, RangeReportFilter
from cafe.shared.serializers import Money

# Hours are worked out in Python, entry by entry: a range covers at most this many days.
HOURS_MAX_DAYS = 93


class BreakSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class CorrectionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    clock_break = serializers.UUIDField(source="clock_break_id", allow_null=True)
    corrected_by = serializers.UUIDField(source="corrected_by_id", allow_null=True)
    reason = serializers.CharField()
    before = serializers.DictField(child=serializers.DateTimeField(allow_null=True))
    after = serializers.DictField(child=serializers.DateTimeField(allow_null=True))
    created_at = serializers.DateTimeField()


class EntrySerializer(serializers.Serializer):
    """A stretch of work, its breaks and the corrections made to it (oldest first)."""

    id = serializers.UUIDField()
    branch = serializers.UUIDField(source="branch_id")
    employee = serializers.UUIDField(source="employee_id")
    device = serializers.UUIDField(source="device_id", allow_null=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    on_break = serializers.SerializerMethodField()
    breaks = BreakSerializer(many=True, source="breaks.all")
    corrections = CorrectionSerializer(many=True, source="corrections.all")

    def get_on_break(self, entry) -> bool:
        return any(pause.ended_at is None for pause in entry.breaks.all())


class ClockState(serializers.Serializer):
    entry = EntrySerializer(allow_null=True, help_text="The caller's open entry; null when not at work.")


class ClockInInput(serializers.Serializer):
    branch = serializers.UUIDField(required=False, allow_null=True, default=None)


class CorrectionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    # "break" is a Python keyword: declared through the class namespace.
    locals()["break"] = serializers.UUIDField(required=False, help_text="Correct this break of the entry instead.")


class EntryFilter(serializers.Serializer):
    branch = serializers.UUIDField(required=False)
    employee = serializers.UUIDField(required=False)


class HoursFilter(RangeReportFilter):
    employee = serializers.UUIDField(required=False)

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if (attrs["to"] - attrs["from"]).days + 1 > min(HOURS_MAX_DAYS, REPORT_MAX_DAYS):
            raise serializers.ValidationError({"to": [_("At most %(days)s days at once.") % {"days": HOURS_MAX_DAYS}]})
        return attrs


class WorkedHoursSerializer(serializers.Serializer):
    employee = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date = serializers.DateField()
    worked_seconds = serializers.IntegerField()
    break_seconds = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, help_text="Worked minus breaks, in hours.")


class HoursAnswer(serializers.Serializer):
    branch = serializers.UUIDField()
    timezone = serializers.CharField()
    results = WorkedHoursSerializer(many=True)


class SalesRowSerializer(serializers.Serializer):
    employee = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    orders = serializers.IntegerField()
    revenue = Money()
    tips = Money()


class SalesReport(serializers.Serializer):
    branch = serializers.UUIDField()
    timezone = serializers.CharField()
    results = SalesRowSerializer(many=True)
