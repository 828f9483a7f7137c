"""``GET bookings/availability/``: the free start times of a branch's day for a party
(``cafe.bookings.availability``), for a host answering the phone. Its own view set,
routed by ``cafe/urls.py`` before the bookings' (whose detail route takes only a
UUID), as one answer (``retrieve``), not a list."""

import datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Branch
from accounts.tenancy import ALL_ROLES
from accounts.viewsets import TenantViewSet
from cafe.bookings.availability import (
    DURATION_MAX,
    DURATION_MIN,
    GUESTS_MAX,
    OPTIONS_PER_SLOT,
    TABLES_JOINED_MAX,
    availability,
)
from cafe.floor.models import Table
from cafe.shared.schema import BRANCH, TABLE
from cafe.shared.serializers import represent
from core.fields import StrictDateField
from core.schema import document, operation

FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)


def _bookable_day(value: datetime.date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(
            _("Give a day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
        )


class AvailabilityQuery(serializers.Serializer):
    branch = serializers.UUIDField(
        required=False, help_text="The branch; branch-bound staff get their own, owners and admins must name one."
    )
    date = StrictDateField(validators=[_bookable_day], help_text="The branch-local day, YYYY-MM-DD.")
    guests = serializers.IntegerField(min_value=1, max_value=GUESTS_MAX, help_text="The party's size.")
    duration = serializers.IntegerField(
        required=False,
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        help_text="Minutes the party stays; the branch's `booking_duration` by default.",
    )


class AvailableTableSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    seats = serializers.IntegerField()
    zone = serializers.UUIDField(source="zone_id", allow_null=True, help_text="The table's hall (null: none).")
    zone_name = serializers.SerializerMethodField()

    def get_zone_name(self, table: Table) -> str | None:
        return table.zone.name if table.zone is not None else None


class OptionSerializer(serializers.Serializer):
    tables = AvailableTableSerializer(many=True, help_text="One table, or two or three of one hall joined.")
    seats = serializers.IntegerField(help_text="Their seats together.")


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalTime(serializers.Field):
    """An instant in the branch's time zone, with its offset (DRF's would show the server's)."""

    def to_representation(self, value: datetime.datetime) -> str:
        return value.isoformat()


class SlotSerializer(serializers.Serializer):
    start = LocalTime(help_text="The start time, in the branch's time zone with its offset.")
    options = OptionSerializer(many=True, help_text=f"Smallest fit first, at most {OPTIONS_PER_SLOT}.")


class AvailabilitySerializer(serializers.Serializer):
    branch = serializers.UUIDField(source="branch.pk")
    date = serializers.DateField()
    timezone = serializers.CharField(source="branch.timezone")
    guests = serializers.IntegerField()
    duration = serializers.IntegerField(help_text="Minutes.")
    buffer = serializers.IntegerField(source="branch.booking_buffer", help_text="Minutes kept free after a booking.")
    step = serializers.IntegerField(help_text="Minutes between start times.")
    slots = SlotSerializer(
        many=True, help_text="Free start times in order; a start with no way to seat the party is left out."
    )


SLOT_EXAMPLE: dict[str, Any] = {
    "start": "2026-03-14T19:00:00+03:00",
    "options": [
        {
            "tables": [{"id": TABLE, "number": 5, "seats": 4, "zone": None, "zone_name": None}],
            "seats": 4,
        },
        {
            "tables": [
                {"id": TABLE, "number": 1, "seats": 2, "zone": BRANCH, "zone_name": "Hall"},
                {"id": TABLE, "number": 2, "seats": 2, "zone": BRANCH, "zone_name": "Hall"},
            ],
            "seats": 4,
        },
    ],
}
AVAILABILITY_EXAMPLE = {
    "branch": BRANCH,
    "date": "2026-03-14",
    "timezone": "Europe/Moscow",
    "guests": 4,
    "duration": 120,
    "buffer": 15,
    "step": 15,
    "slots": [SLOT_EXAMPLE],
}

AVAILABILITY = document(
    retrieve=operation(
        tag="bookings",
        summary="Free start times for a party",
        response=AvailabilitySerializer,
        parameters=[AvailabilityQuery],
        errors_=(400,),
        examples=[OpenApiExample("A table of four at 19:00", AVAILABILITY_EXAMPLE, response_only=True)],
        description=(
            "For the branch's local `date`: every start time, `step` (the branch's `booking_step`) minutes apart "
            "from each opening of the day's hours up to its closing (a branch with no hours set is open all day; "
            "hours past midnight belong to the day they run into), none in the past, at which `guests` can be "
            "seated for `duration` minutes plus the branch's `buffer` without overlapping a booked, confirmed or "
            f"arrived booking. Each start lists at most {OPTIONS_PER_SLOT} ways to seat the party: one table, or "
            f"up to {TABLES_JOINED_MAX} tables of one hall joined where each is needed; fewest spare seats "
            "first, then fewest tables, then table numbers. Any staff member of the branch may ask. `guests` is "
            f"1–{GUESTS_MAX}, `duration` {DURATION_MIN}–{DURATION_MAX}; anything else answers 400 naming the "
            "field, as does a branch the caller may not see. Computed by one database query (docs/floor.md)."
        ),
    )
)


@AVAILABILITY
class AvailabilityViewSet(TenantViewSet):
    serializer_class = AvailabilitySerializer
    read_roles = ALL_ROLES
    # Only GET is routed: every other method answers 405.
    write_roles = ALL_ROLES

    def retrieve(self, request: Request) -> Response:
        query = self.filters(AvailabilityQuery)
        answer = availability(
            branch=self._branch(query.get("branch")),
            day=query["date"],
            guests=query["guests"],
            duration=query.get("duration"),
        )
        return Response(represent(AvailabilitySerializer, answer))

    def _branch(self, branch_id: object) -> Branch:
        """The asked branch (``filters`` checked it), else the caller's own."""
        if branch_id is not None:
            return self.tenant.branch_by_id(branch_id)
        branch = self.tenant.branch or self.tenant.user.branch
        if branch is None:
            raise ValidationError({"branch": [_("Name the branch: you work for the whole company.")]})
        return branch
