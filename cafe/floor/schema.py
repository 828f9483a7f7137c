"""The floor's OpenAPI description: tables (``TABLES``), halls (``ZONES``) and the
branch's opening hours (``OPENING_HOURS``, ``OPENING_HOURS_WEEK``,
``OPENING_EXCEPTIONS``)."""

from drf_spectacular.utils import OpenApiExample

from cafe.floor.serializers import (
    OpeningExceptionFilter,
    OpeningExceptionInput,
    OpeningExceptionSerializer,
    OpeningHoursFilter,
    OpeningHoursInput,
    OpeningHoursSerializer,
    TableFilter,
    TableInput,
    TableSerializer,
    WeekFilter,
    WeekSerializer,
    ZoneInput,
    ZoneSerializer,
)
from cafe.shared.schema import BRANCH, TABLE
from cafe.shared.serializers import BranchFilter
from core.schema import document, operation, resource

ZONE = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
HOURS = "6d7e8f9a-0b1c-4d2e-9f3a-4b5c6d7e8f9a"
EXCEPTION = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"

TABLE_EXAMPLE = {
    "id": TABLE,
    "branch": BRANCH,
    "number": 5,
    "seats": 4,
    "status": "free",
    "status_display": "Свободен",
    "zone": ZONE,
    "x": 120,
    "y": 80,
    "width": 100,
    "height": 60,
    "shape": "rect",
    "rotation": 90,
}

_PLAN = (
    "A table belongs to at most one `zone` (a hall of its branch; null: on no plan) and has its place there: "
    "`x`, `y` (its top-left corner), `width`, `height`, `shape` (`rect` or `round`) and `rotation` (0–359 degrees, "
    "about its centre), in the hall's plan units. Turned, the box it covers must stay within the hall's canvas "
    "(`0..width` × `0..height`): 400 naming `x` or `y` otherwise; a zone of another branch is 400 naming `zone`; "
    "a zone holds at most `ZONE_MAX_TABLES` tables (409)."
)

TABLES = resource(
    tag="tables",
    noun="table",
    output=TableSerializer,
    input=TableInput,
    filters=TableFilter,
    example=TABLE_EXAMPLE,
    request_example={"number": 5, "seats": 4, "zone": ZONE, "x": 120, "y": 80, "width": 100, "height": 60},
    write_errors=(409,),
    writers="owner, admin and manager; any staff member may PATCH only `status` to `reserved` or `free` "
    "(409 while the table has open orders). " + _PLAN,
)

ZONE_EXAMPLE = {"id": ZONE, "branch": BRANCH, "name": "Main hall", "position": 0, "width": 1000, "height": 600}

ZONES = resource(
    tag="zones",
    noun="zone",
    output=ZoneSerializer,
    input=ZoneInput,
    filters=BranchFilter,
    example=ZONE_EXAMPLE,
    request_example={"name": "Main hall", "position": 0, "width": 1000, "height": 600},
    write_errors=(409,),
    writers="owner, admin and manager (all staff read). A hall is a canvas of `width` × `height` plan units on "
    "which its tables are drawn; `position` orders a branch's halls. The canvas cannot shrink under its tables "
    "(400 naming `width` or `height`); a zone with tables cannot be deleted (409 naming it: move them first); "
    "a branch has at most `BRANCH_MAX_ZONES` zones (409)",
)

HOURS_EXAMPLE = {"id": HOURS, "branch": BRANCH, "weekday": 4, "opens": "18:00", "closes": "02:00"}

OPENING_HOURS = resource(
    tag="opening hours",
    noun="weekly opening interval",
    output=OpeningHoursSerializer,
    input=OpeningHoursInput,
    filters=OpeningHoursFilter,
    example=HOURS_EXAMPLE,
    request_example={"weekday": 0, "opens": "10:00", "closes": "22:00"},
    write_errors=(409,),
    writers="owner, admin and manager (all staff read). An interval the branch is open on a `weekday` (0 Monday … "
    "6 Sunday), `HH:MM` in the branch's time zone; `closes` at or before `opens` runs past midnight. A weekday "
    "without intervals is a day off; a branch with none at all is open all day. Intervals never overlap, a "
    "past-midnight one included (400 naming `opens`); at most `BRANCH_MAX_OPENING_HOURS` a branch (409)",
)

OPENING_HOURS_WEEK = document(
    week=operation(
        tag="opening hours",
        summary="A week of opening hours",
        response=WeekSerializer,
        parameters=[WeekFilter],
        errors_=(400,),
        description="Seven days from `start` (default: the branch's today) as the branch's clock reads them: each "
        "date's own intervals, its exceptions in place of its weekday's hours (`exception`), `closed` when nothing "
        "opens that day. Branch-bound staff get their branch; owners and admins name one with `branch`.",
        examples=[
            OpenApiExample(
                "A week",
                {
                    "branch": BRANCH,
                    "timezone": "Europe/Berlin",
                    "days": [
                        {
                            "date": "2026-12-24",
                            "weekday": 3,
                            "exception": True,
                            "closed": False,
                            "hours": [{"opens": "12:00", "closes": "16:00"}],
                            "note": "Christmas Eve",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
)

EXCEPTION_EXAMPLE = {
    "id": EXCEPTION,
    "branch": BRANCH,
    "date": "2026-12-31",
    "opens": None,
    "closes": None,
    "closed": True,
    "note": "New Year's Eve",
}

OPENING_EXCEPTIONS = resource(
    tag="opening hours",
    noun="opening exception",
    output=OpeningExceptionSerializer,
    input=OpeningExceptionInput,
    filters=OpeningExceptionFilter,
    example=EXCEPTION_EXAMPLE,
    request_example={"date": "2026-12-31", "note": "New Year's Eve"},
    write_errors=(409,),
    writers="owner, admin and manager (all staff read). A `date` whose rows replace its weekday's hours: with "
    "`opens` and `closes` (`HH:MM`, both or neither: 400 naming the missing one) it is open then (several rows, "
    "several intervals, never overlapping), with neither it is closed all day (then the only row of that date: "
    "400 naming `date`). At most `BRANCH_MAX_OPENING_EXCEPTIONS` a branch (409)",
)
