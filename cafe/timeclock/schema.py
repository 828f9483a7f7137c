"""The time clock's OpenAPI declarations (docs/devices.md, "The time clock")."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from cafe.timeclock.serializers import (
    ClockInInput,
    ClockState,
    CorrectionInput,
    EntryFilter,
    EntrySerializer,
    HoursAnswer,
    HoursFilter,
    SalesReport,
)
from core.schema import document, errors, operation

_OWN = (
    "The caller's own clock, on a device session (PIN) or a session of their own; the time is the server's. "
    "With `Idempotency-Key` a retried tap changes nothing."
)
ENTRY_EXAMPLE = {
    "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    "branch": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "employee": "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e",
    "device": "3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f",
    "started_at": "2026-03-14T08:58:00Z",
    "ended_at": "2026-03-14T17:03:00Z",
    "on_break": False,
    "breaks": [
        {
            "id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            "started_at": "2026-03-14T13:00:00Z",
            "ended_at": "2026-03-14T13:30:00Z",
        }
    ],
    "corrections": [
        {
            "id": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
            "clock_break": None,
            "corrected_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            "reason": "Forgot to clock out",
            "before": {"started_at": "2026-03-14T08:58:00Z", "ended_at": None},
            "after": {"started_at": "2026-03-14T08:58:00Z", "ended_at": "2026-03-14T17:03:00Z"},
            "created_at": "2026-03-15T09:00:00Z",
        }
    ],
}
STATE = [
    OpenApiExample("At work", {"entry": {**ENTRY_EXAMPLE, "ended_at": None, "corrections": []}}, response_only=True)
]


def _clock(summary: str, description: str, status: int = 200, request=None):
    return operation(
        tag="timeclock",
        summary=summary,
        response=ClockState,
        status=status,
        idempotent=True,
        errors_=(409,),
        description=f"{description} {_OWN}",
        examples=STATE,
        **({"request": request} if request is not None else {}),
    )


def _csv(summary: str, answer, description: str):
    return extend_schema(
        tags=["timeclock"],
        summary=summary,
        parameters=[HoursFilter],
        description=description,
        responses={
            (200, "application/json"): OpenApiResponse(answer),
            (200, "text/csv"): OpenApiResponse({"type": "string"}, description="As CSV (`format=csv`)."),
            **errors(400, 401, 403, 429),
        },
    )


TIMECLOCK = document(
    list=operation(
        tag="timeclock",
        summary="List clock entries",
        response=EntrySerializer,
        parameters=[EntryFilter],
        paged=True,
        description="Newest first. Managers and above: their scope's; other staff: their own.",
    ),
    retrieve=operation(
        tag="timeclock",
        summary="Get a clock entry",
        response=EntrySerializer,
        detail=True,
        examples=[OpenApiExample("An entry", ENTRY_EXAMPLE, response_only=True)],
    ),
    me=operation(
        tag="timeclock",
        summary="My clock",
        response=ClockState,
        examples=STATE,
        description="The caller's open entry, or null.",
    ),
    clock_in=_clock(
        "Clock in",
        "Starts work in `branch` (a branch-bound employee's own by default; owners and admins name one). "
        "201 with the open entry; 409 if already clocked in.",
        status=201,
        request=ClockInInput,
    ),
    clock_out=_clock("Clock out", "Ends work, and a running break with it; 409 if not clocked in."),
    break_start=_clock("Start a break", "409 if not clocked in or already on a break."),
    break_end=_clock("End a break", "409 if not on a break."),
    correct=operation(
        tag="timeclock",
        summary="Correct an entry or a break",
        request=CorrectionInput,
        response=EntrySerializer,
        detail=True,
        idempotent=True,
        description="Owners, admins and managers (their scope's entries). Changes `started_at` and/or "
        "`ended_at` of the entry, or of its break `break`, with a `reason` (up to 500 characters); the "
        "values replaced are kept in `corrections`. An end cannot be taken away; giving an open entry an end "
        "ends its running break there. 400 names the field: a moment more than 5 minutes in the future, an "
        "end before the start, a break outside its entry, an entry overlapping another of the employee.",
        examples=[
            OpenApiExample(
                "Forgot to clock out",
                {"ended_at": "2026-03-14T17:03:00Z", "reason": "Forgot to clock out"},
                request_only=True,
            )
        ],
    ),
    hours=_csv(
        "Hours per employee per day",
        HoursAnswer,
        "Per employee per local day of the branch (its time zone, `timezone`), `from` to `to` (at most 93 "
        "days): seconds at work, on breaks, and `hours` worked (work minus breaks). An entry across midnight "
        "is split at the branch's local midnight; an open entry counts up to now. Managers and above: "
        "everyone (or `employee`); other staff: their own. `format=csv` for a CSV file.",
    ),
    report=_csv(
        "Hours beside sales",
        SalesReport,
        "Owners, admins and managers. Per employee of the branch who worked or sold in the days `from` to "
        "`to`: hours worked, and the orders they took that were paid in those days (`paid_at`, the branch's "
        "days), their revenue (the orders' totals) and tips. `format=csv` for a CSV file. Shares the sales "
        "reports' concurrency limits (429).",
    ),
)
