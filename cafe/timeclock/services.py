"""The time clock's writes: clocking in and out, breaks, and a manager's corrections.

Every write locks the employee's row first (``select_for_update``), so two taps on
two tablets at once clock in once; the database's constraints (one open entry per
employee, one open break per entry) hold it besides. Times are the server's: the
device's clock decides nothing here."""

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from accounts.models import User
from accounts.tenancy import Tenant, branch_for_write
from cafe.timeclock.models import ClockBreak, ClockCorrection, ClockEntry
from core.errors import Conflict

# A correction may set an end this far past the server's now (clocks of the
# manager's device and the server differ a little), never more.
FUTURE_SKEW = datetime.timedelta(minutes=5)
UNSET: Any = object()


def _employee_locked(tenant: Tenant) -> None:
    list(User.objects.select_for_update().filter(pk=tenant.user.pk).values_list("pk"))


def _open_entry(tenant: Tenant) -> ClockEntry | None:
    return (
        tenant.scope(ClockEntry).filter(employee=tenant.user, ended_at__isnull=True).prefetch_related("breaks").first()
    )


def _open_break(entry: ClockEntry) -> ClockBreak | None:
    return next((pause for pause in entry.breaks.all() if pause.ended_at is None), None)


@transaction.atomic
def clock_in(*, tenant: Tenant, branch: uuid.UUID | None = None, device_id: uuid.UUID | None = None) -> ClockEntry:
    """Starts the caller's work in ``branch`` (a branch-bound employee's own); 409 if
    they are already at work."""
    where = branch_for_write(tenant, branch)
    _employee_locked(tenant)
    if tenant.scope(ClockEntry).filter(employee=tenant.user, ended_at__isnull=True).exists():
        raise Conflict(_("You are already clocked in."))
    return ClockEntry.objects.create(
        company=tenant.company, branch=where, employee=tenant.user, started_at=timezone.now(), device_id=device_id
    )


def _at_work(tenant: Tenant) -> ClockEntry:
    entry = _open_entry(tenant)
    if entry is None:
        raise Conflict(_("You are not clocked in."))
    return entry


@transaction.atomic
def clock_out(*, tenant: Tenant) -> ClockEntry:
    """Ends the caller's work, and a break still running with it; 409 if not at work."""
    _employee_locked(tenant)
    entry = _at_work(tenant)
    now = timezone.now()
    pause = _open_break(entry)
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at", "updated_at"])
    entry.ended_at = now
    entry.save(update_fields=["ended_at", "updated_at"])
    return entry


@transaction.atomic
def break_start(*, tenant: Tenant) -> ClockEntry:
    """409 if the caller is not at work or already on a break."""
    _employee_locked(tenant)
    entry = _at_work(tenant)
    if _open_break(entry) is not None:
        raise Conflict(_("You are already on a break."))
    ClockBreak.objects.create(company=tenant.company, entry=entry, started_at=timezone.now())
    return _open_entry(tenant) or entry


@transaction.atomic
def break_end(*, tenant: Tenant) -> ClockEntry:
    """409 if the caller is not on a break."""
    _employee_locked(tenant)
    entry = _at_work(tenant)
    pause = _open_break(entry)
    if pause is None:
        raise Conflict(_("You are not on a break."))
    pause.ended_at = timezone.now()
    pause.save(update_fields=["ended_at", "updated_at"])
    return entry


def _iso(moment: datetime.datetime | None) -> str | None:
    """In UTC, as the API writes moments (``2026-03-14T06:00:00Z``)."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _times(row: ClockEntry | ClockBreak) -> dict[str, str | None]:
    return {"started_at": _iso(row.started_at), "ended_at": _iso(row.ended_at)}


def _check_span(started_at: datetime.datetime, ended_at: datetime.datetime | None, now: datetime.datetime) -> None:
    if started_at > now + FUTURE_SKEW:
        raise ValidationError({"started_at": [_("This moment is in the future.")]})
    if ended_at is not None:
        if ended_at > now + FUTURE_SKEW:
            raise ValidationError({"ended_at": [_("This moment is in the future.")]})
        if ended_at < started_at:
            raise ValidationError({"ended_at": [_("The end comes before the start.")]})


@transaction.atomic
def entry_correct(
    *,
    tenant: Tenant,
    entry_id: uuid.UUID,
    reason: str,
    started_at: datetime.datetime = UNSET,
    ended_at: datetime.datetime = UNSET,
    break_id: uuid.UUID | None = None,
) -> ClockEntry:
    """A manager (or above) changes when an entry, or one of its breaks, started or
    ended, saying why. The times it replaced are kept in a ``ClockCorrection``. An end
    cannot be taken away (an entry that ended stays ended); giving an open entry an
    end also ends its running break there. The entry must not overlap another of the
    same employee, and its breaks must lie within it (400 naming the field)."""
    if not tenant.may_manage:
        raise PermissionDenied(_("Only owners, admins and managers correct the time clock."))
    entry = tenant.scope(ClockEntry).select_for_update(of=("self",)).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    if started_at is UNSET and ended_at is UNSET:
        raise ValidationError({"detail": _("Give started_at, ended_at or both.")})
    breaks = list(
        tenant.scope(ClockBreak).select_for_update(of=("self",)).filter(entry=entry).order_by("started_at", "id")
    )
    target: ClockEntry | ClockBreak = entry
    if break_id is not None:
        found = next((pause for pause in breaks if pause.pk == break_id), None)
        if found is None:
            raise ValidationError({"break": [_("Not a break of this entry.")]})
        target = found
    before = _times(target)
    start = target.started_at if started_at is UNSET else started_at
    end = target.ended_at if ended_at is UNSET else ended_at
    if target.ended_at is not None and end is None:
        raise ValidationError({"ended_at": [_("An end cannot be taken away: set another one.")]})
    _check_span(start, end, timezone.now())
    target.started_at, target.ended_at = start, end
    changed: list[ClockBreak] = []
    if target is entry and entry.ended_at is not None:
        for pause in breaks:
            if pause.ended_at is None:
                pause.ended_at = entry.ended_at
                changed.append(pause)
    _check_breaks(entry, breaks)
    if target is entry:
        _check_no_overlap(tenant, entry)
    for row in [target, *changed]:
        row.save(update_fields=["started_at", "ended_at", "updated_at"])
    ClockCorrection.objects.create(
        company=tenant.company,
        entry=entry,
        clock_break=target if isinstance(target, ClockBreak) else None,
        corrected_by=tenant.user,
        reason=reason,
        before=before,
        after=_times(target),
    )
    return entry


def _check_breaks(entry: ClockEntry, breaks: list[ClockBreak]) -> None:
    for pause in breaks:
        outside = pause.started_at < entry.started_at or (
            entry.ended_at is not None and (pause.ended_at or pause.started_at) > entry.ended_at
        )
        if outside or (pause.ended_at is not None and pause.ended_at < pause.started_at):
            raise ValidationError({"break": [_("A break must lie within its entry.")]})


def _check_no_overlap(tenant: Tenant, entry: ClockEntry) -> None:
    others = tenant.scope(ClockEntry).filter(employee_id=entry.employee_id).exclude(pk=entry.pk)
    ends_after = Q(ended_at__isnull=True) | Q(ended_at__gt=entry.started_at)
    overlapping = others.filter(ends_after)
    if entry.ended_at is not None:
        overlapping = overlapping.filter(started_at__lt=entry.ended_at)
    if overlapping.exists():
        raise ValidationError({"started_at": [_("This overlaps another entry of the same employee.")]})
