"""The time clock's reads: entries, hours per employee per local day, and hours
beside each waiter's sales.

Hours are counted by the branch's calendar day (``cafe.shared.business_day``): an
entry across midnight is split at the branch's local midnight, so 22:00–02:00 is
two hours on each day; on the days the clocks change a day is 23 or 25 hours long
and an entry is counted by the real time it lasted. Breaks are split alike and
taken off. An entry still open counts up to now."""

import datetime
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Branch, User
from accounts.tenancy import Tenant
from cafe.bill.reports import MONEY
from cafe.orders.models import Order, OrderStatus
from cafe.orders.money import ZERO, rounded
from cafe.shared.business_day import day_span
from cafe.timeclock.models import ClockCorrection, ClockEntry

HOUR = Decimal(3600)
CENT = Decimal("0.01")


def money_sum(field: str) -> Coalesce:
    return Coalesce(Sum(field, output_field=MONEY), Value(ZERO), output_field=MONEY)


def entry_list(
    *,
    tenant: Tenant,
    branch: uuid.UUID | None = None,
    employee: uuid.UUID | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[ClockEntry]:
    """Entries the tenant may see: managers and above their scope's, other staff
    their own only."""
    entries = tenant.scope(ClockEntry).select_related("employee").prefetch_related("breaks", "corrections")
    if not tenant.may_manage:
        entries = entries.filter(employee=tenant.user)
    if branch is not None:
        entries = entries.filter(branch_id=branch)
    if employee is not None:
        entries = entries.filter(employee_id=employee)
    if since is not None:
        entries = entries.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
    if until is not None:
        entries = entries.filter(started_at__lt=until)
    return entries.order_by("-started_at", "id")


def entry_get(*, tenant: Tenant, entry_id: uuid.UUID) -> ClockEntry:
    return entry_list(tenant=tenant).get(pk=entry_id)


def entry_current(*, tenant: Tenant) -> ClockEntry | None:
    return entry_list(tenant=tenant).filter(employee=tenant.user, ended_at__isnull=True).first()


def corrections_of(entry: ClockEntry) -> list[ClockCorrection]:
    return list(entry.corrections.all())


def _overlap(start: datetime.datetime, end: datetime.datetime, lo: datetime.datetime, hi: datetime.datetime) -> float:
    return max(0.0, (min(end, hi) - max(start, lo)).total_seconds())


def hours(
    *, tenant: Tenant, branch: Branch, first: datetime.date, last: datetime.date, employee: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Per employee per local day of ``branch`` from ``first`` to ``last``: seconds at
    work, on breaks, and the hours worked (work minus breaks, to the hundredth).
    Days without work are left out."""
    start, end = day_span(branch, first, last)
    days = []
    day = first
    while day <= last:
        days.append((day, *day_span(branch, day)))
        day += datetime.timedelta(days=1)
    now = timezone.now()
    work: dict[tuple[uuid.UUID, datetime.date], list[float]] = defaultdict(lambda: [0.0, 0.0])
    people: dict[uuid.UUID, User] = {}
    for entry in entry_list(tenant=tenant, branch=branch.pk, employee=employee, since=start, until=end):
        people[entry.employee_id] = entry.employee
        stop = entry.ended_at or now
        for day, lo, hi in days:
            worked = _overlap(entry.started_at, stop, lo, hi)
            if worked:
                paused = sum(_overlap(pause.started_at, pause.ended_at or stop, lo, hi) for pause in entry.breaks.all())
                totals = work[entry.employee_id, day]
                totals[0] += worked
                totals[1] += paused
    rows = []
    for (person, day), (worked, paused) in work.items():
        user = people[person]
        rows.append(
            {
                "employee": person,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "date": day,
                "worked_seconds": round(worked),
                "break_seconds": round(paused),
                "hours": (Decimal(round(worked - paused)) / HOUR).quantize(CENT, ROUND_HALF_UP),
            }
        )
    rows.sort(key=lambda row: (row["last_name"], row["first_name"], str(row["employee"]), row["date"]))
    return rows


def report_rows(*, tenant: Tenant, branch: Branch, first: datetime.date, last: datetime.date) -> list[dict[str, Any]]:
    """Per employee of the branch who worked or sold in those days: hours worked, and
    the orders they took that were paid in those days (``paid_at``), their revenue
    (the orders' totals) and tips. One query for the sales, one for the hours."""
    start, end = day_span(branch, first, last)
    sales = {
        row["waiter"]: row
        for row in tenant.scope(Order)
        .filter(branch=branch, status=OrderStatus.CLOSED, paid_at__gte=start, paid_at__lt=end, waiter__isnull=False)
        .order_by()
        .values("waiter", "waiter__first_name", "waiter__last_name")
        .annotate(orders=Count("pk"), revenue=money_sum("total"), tips=money_sum("tips"))
    }
    worked: dict[uuid.UUID, Decimal] = defaultdict(lambda: ZERO)
    names: dict[uuid.UUID, tuple[str, str]] = {}
    for row in hours(tenant=tenant, branch=branch, first=first, last=last):
        worked[row["employee"]] += row["hours"]
        names[row["employee"]] = (row["first_name"], row["last_name"])
    for person, row in sales.items():
        names.setdefault(person, (row["waiter__first_name"], row["waiter__last_name"]))
    rows = []
    for person, (first_name, last_name) in names.items():
        sold = sales.get(person)
        rows.append(
            {
                "employee": person,
                "first_name": first_name,
                "last_name": last_name,
                "hours": worked[person],
                "orders": sold["orders"] if sold else 0,
                "revenue": rounded(sold["revenue"]) if sold else ZERO,
                "tips": rounded(sold["tips"]) if sold else ZERO,
            }
        )
    rows.sort(key=lambda row: (row["last_name"], row["first_name"], str(row["employee"])))
    return rows
