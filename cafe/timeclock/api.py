"""The time clock's REST edges (``timeclock/``): the caller's own clock (in, out,
breaks), entries and a manager's corrections, hours per day, and hours beside sales."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import devices
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES, branch_for_write
from accounts.viewsets import TenantViewSet
from cafe.bill.api import BUSY_RETRY_AFTER, report_limits
from cafe.shared.serializers import represent
from cafe.timeclock import services
from cafe.timeclock.schema import TIMECLOCK
from cafe.timeclock.selectors import entry_current, entry_get, entry_list, hours, report_rows
from cafe.timeclock.serializers import (
    ClockInInput,
    CorrectionInput,
    EntryFilter,
    EntrySerializer,
    HoursFilter,
    SalesRowSerializer,
    WorkedHoursSerializer,
)
from core.api import valid
from core.concurrency import slot
from core.csvfile import Cell, csv_response
from core.idempotency import idempotent


@TIMECLOCK
class TimeClockViewSet(TenantViewSet):
    serializer_class = EntrySerializer
    # Everyone clocks themself; staff read their own entries, managers and above their scope's.
    read_roles = ALL_ROLES
    write_roles = ALL_ROLES
    action_roles = {"correct": MANAGING_ROLES, "report": MANAGING_ROLES}

    def list(self, request) -> Response:
        return self.page(entry_list(tenant=self.tenant, **self.filters(EntryFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(EntrySerializer(entry_get(tenant=self.tenant, entry_id=pk)).data)

    @action(detail=False, methods=["get"])
    def me(self, request) -> Response:
        return self._state()

    def _state(self, code: int = status.HTTP_200_OK) -> Response:
        entry = entry_current(tenant=self.tenant)
        return Response({"entry": EntrySerializer(entry).data if entry is not None else None}, status=code)

    @action(detail=False, methods=["post"], url_path="clock-in")
    @idempotent
    def clock_in(self, request) -> Response:
        device = devices.session_claim(request.auth) if request.auth is not None else None
        services.clock_in(tenant=self.tenant, device_id=device, **valid(ClockInInput, request.data))
        return self._state(status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="clock-out")
    @idempotent
    def clock_out(self, request) -> Response:
        entry = services.clock_out(tenant=self.tenant)
        return Response({"entry": EntrySerializer(entry_get(tenant=self.tenant, entry_id=entry.pk)).data})

    @action(detail=False, methods=["post"], url_path="break-start")
    @idempotent
    def break_start(self, request) -> Response:
        services.break_start(tenant=self.tenant)
        return self._state()

    @action(detail=False, methods=["post"], url_path="break-end")
    @idempotent
    def break_end(self, request) -> Response:
        services.break_end(tenant=self.tenant)
        return self._state()

    @action(detail=True, methods=["post"])
    @idempotent
    def correct(self, request, pk) -> Response:
        body = valid(CorrectionInput, request.data)
        break_id = body.pop("break", None)
        services.entry_correct(tenant=self.tenant, entry_id=pk, break_id=break_id, **body)
        return Response(EntrySerializer(entry_get(tenant=self.tenant, entry_id=pk)).data)

    @action(detail=False, methods=["get"])
    def hours(self, request) -> HttpResponse:
        query = self.filters(HoursFilter)
        branch = branch_for_write(self.tenant, query.get("branch"))
        employee = query.get("employee") if self.tenant.may_manage else self.tenant.user.pk
        rows = hours(tenant=self.tenant, branch=branch, first=query["from"], last=query["to"], employee=employee)
        if query["format"] == "csv":
            name = f"hours-{query['from']}-{query['to']}-{branch.pk}.csv"
            return csv_response(hours_csv(rows), filename=name)
        answer = [represent(WorkedHoursSerializer, row) for row in rows]
        return Response({"branch": str(branch.pk), "timezone": branch.timezone, "results": answer})

    @action(detail=False, methods=["get"])
    def report(self, request) -> HttpResponse:
        query = self.filters(HoursFilter)
        branch = branch_for_write(self.tenant, query.get("branch"))
        with slot(*report_limits(self.tenant), lease=settings.REPORT_LEASE_SECONDS, retry_after=BUSY_RETRY_AFTER):
            rows = report_rows(tenant=self.tenant, branch=branch, first=query["from"], last=query["to"])
        if query["format"] == "csv":
            name = f"hours-sales-{query['from']}-{query['to']}-{branch.pk}.csv"
            return csv_response(report_csv(rows), filename=name)
        answer = [represent(SalesRowSerializer, row) for row in rows]
        return Response({"branch": str(branch.pk), "timezone": branch.timezone, "results": answer})


def hours_csv(rows: list[dict[str, Any]]) -> list[list[Cell]]:
    head: list[Cell] = ["employee", "first_name", "last_name", "date", "worked_seconds", "break_seconds", "hours"]
    return [head, *([row[key] for key in head] for row in rows)]  # type: ignore[index]


def report_csv(rows: list[dict[str, Any]]) -> list[list[Cell]]:
    head: list[Cell] = ["employee", "first_name", "last_name", "hours", "orders", "revenue", "tips"]
    return [head, *([row[key] for key in head] for row in rows)]  # type: ignore[index]
