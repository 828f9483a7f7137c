"""The floor's writes: halls (zones) and tables set up by managers, a table's status by
any staff member, and the branch's opening hours."""

import datetime
import math
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import Branch
from accounts.tenancy import Tenant, branch_for_write
from cafe.floor.events import (
    TABLE_CREATED,
    TABLE_DELETED,
    TABLE_UPDATED,
    ZONE_CREATED,
    ZONE_DELETED,
    ZONE_UPDATED,
    table_event,
    table_status_changed,
    zone_event,
)
from cafe.floor.models import TABLE_TRANSITIONS, OpeningException, OpeningHours, Table, TableStatus, Zone
from cafe.floor.plan import footprint, needs, overflow
from cafe.floor.selectors import opening_exception_get, opening_hours_get, table_get, zone_get
from cafe.shared.services import save_unique
from core.errors import Conflict, room_for_one_more
from core.rows import row_update
from realtime.emit import PendingEvent, emit

# The fields that place a table on its hall's plan.
PLAN_FIELDS = frozenset({"zone", "x", "y", "width", "height", "shape", "rotation"})


def _branch_locked(branch: Branch) -> None:
    """Locks the branch's row until the transaction ends: its counted things (zones,
    opening hours, exceptions) are counted and checked one writer at a time. FOR NO
    KEY UPDATE, so rows that point at the branch are still written meanwhile."""
    list(Branch.unscoped.select_for_update(no_key=True).filter(pk=branch.pk).values_list("pk"))


# Tables


def _zone_in(tenant: Tenant, zone_id: uuid.UUID, branch_id: uuid.UUID) -> Zone:
    """The zone a table goes to, locked (a canvas being resized waits, and so do other
    tables joining it): one of the table's branch, else 400 naming ``zone``."""
    zone = tenant.scope(Zone).select_for_update(no_key=True).filter(pk=zone_id, branch=branch_id).first()
    if zone is None:
        raise ValidationError({"zone": [_("Zone not found in this branch.")]})
    return zone


def _room_in(zone: Zone, table: Table) -> None:
    """A zone holds at most ``ZONE_MAX_TABLES`` tables (counted with the zone locked)."""
    others = Table.unscoped.filter(zone=zone).exclude(pk=table.pk).count()
    if others >= settings.ZONE_MAX_TABLES:
        raise Conflict(
            _("A zone has at most %(limit)s tables (ZONE_MAX_TABLES).") % {"limit": settings.ZONE_MAX_TABLES}
        )


def _table_box(table: Table):
    return footprint(
        x=table.x, y=table.y, width=table.width, height=table.height, shape=table.shape, rotation=table.rotation
    )


def _fits(table: Table, zone: Zone) -> None:
    """The table's rectangle — turned, the box it then covers — stays on its zone's
    canvas; 400 naming ``x`` (across) or ``y`` (down) otherwise."""
    box = _table_box(table)
    across, down = overflow(box, width=zone.width, height=zone.height)
    errors = {}
    if across:
        errors["x"] = [
            _("The table does not fit across its zone: it covers %(start)s to %(end)s of %(size)s.")
            % {"start": math.floor(box.left), "end": math.ceil(box.right), "size": zone.width}
        ]
    if down:
        errors["y"] = [
            _("The table does not fit down its zone: it covers %(start)s to %(end)s of %(size)s.")
            % {"start": math.floor(box.top), "end": math.ceil(box.bottom), "size": zone.height}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def table_create(
    *,
    tenant: Tenant,
    number: int,
    seats: int,
    branch: uuid.UUID | None = None,
    status: str = TableStatus.FREE,
    zone: uuid.UUID | None = None,
    **plan: Any,
) -> Table:
    """A table, on its ``zone``'s plan if one is given (``x``, ``y``, ``width``,
    ``height``, ``shape``, ``rotation``: the model's defaults for those left out)."""
    table = Table(
        company=tenant.company,
        branch=branch_for_write(tenant, branch),
        number=number,
        seats=seats,
        status=status,
        **plan,
    )
    if zone is not None:
        table.zone = _zone_in(tenant, zone, table.branch_id)
        _room_in(table.zone, table)
        _fits(table, table.zone)
    save_unique(table, "number", _("A table with this number already exists in this branch."))
    emit(company_id=tenant.company_id, events=[table_event(TABLE_CREATED, table)])
    return table


@transaction.atomic
def table_update(*, tenant: Tenant, table_id: uuid.UUID, **changes: Any) -> Table:
    """Changes number, seats, status (to ``reserved`` or ``free``), hall or place on
    the plan; a table with open orders stays ``busy``. Owners, admins and managers
    change anything; other staff only the status. The table is locked, then its zone
    (the new one, or the one it stays in when its place changes)."""
    table = table_get(tenant=tenant, table_id=table_id, lock=True)
    if not tenant.may_manage and set(changes) != {"status"}:
        raise PermissionDenied(
            _("Only owners, admins and managers change a table; other staff change its status only.")
        )
    if "branch" in changes and changes.pop("branch") != table.branch_id:
        raise ValidationError({"branch": [_("A table cannot move to another branch.")]})
    status = changes.pop("status", table.status)
    if status != table.status and table.status == TableStatus.BUSY:
        raise Conflict(_("The table has open orders; it stays busy until they end."))
    if status != table.status:
        # Reserved or freed by hand: no longer held for a booking (the timer reserves it
        # again while a booking about to start still holds it).
        table.reserved_for = None
    placed = PLAN_FIELDS & set(changes)
    zone_id = changes.pop("zone", table.zone_id)
    for field, value in changes.items():
        setattr(table, field, value)
    if zone_id is None:
        table.zone = None
    elif placed:
        moved = zone_id != table.zone_id
        table.zone = _zone_in(tenant, zone_id, table.branch_id)
        if moved:
            _room_in(table.zone, table)
        _fits(table, table.zone)
    pending: list[PendingEvent[Any]] = table_status_set(table, status, save=False)
    save_unique(table, "number", _("A table with this number already exists in this branch."))
    emit(company_id=tenant.company_id, events=[*pending, table_event(TABLE_UPDATED, table)])
    return table


def table_status_set(table: Table, status: str, *, save: bool = True) -> list[PendingEvent[Any]]:
    """The one place a table's status changes, as ``TABLE_TRANSITIONS`` allows (409
    otherwise); ``table_status_changed`` only when it really changes. Runs with the
    table locked, inside the caller's transaction; ``save=False`` leaves the save to
    the caller, which writes the row once."""
    if status == table.status:
        return []
    if status not in TABLE_TRANSITIONS[table.status]:
        raise Conflict(
            _("The table is %(status)s; it cannot become %(to)s.")
            % {"status": table.get_status_display().lower(), "to": TableStatus(status).label.lower()}
        )
    table.status = status
    if save:
        row_update(table, ["status", "updated_at"])
    return [table_status_changed(table)]


@transaction.atomic
def table_delete(*, tenant: Tenant, table_id: uuid.UUID) -> None:
    table = table_get(tenant=tenant, table_id=table_id, lock=True)
    if table.orders.exists():
        raise Conflict(_("The table has orders; it cannot be deleted."))
    event = table_event(TABLE_DELETED, table)
    table.delete()
    emit(company_id=tenant.company_id, events=[event])


# Zones


@transaction.atomic
def zone_create(
    *,
    tenant: Tenant,
    name: str,
    branch: uuid.UUID | None = None,
    position: int = 0,
    width: int = 1000,
    height: int = 1000,
) -> Zone:
    """A hall of the branch; a branch has at most ``BRANCH_MAX_ZONES`` (counted with
    the branch's row locked, so concurrent creations cannot pass it)."""
    home = branch_for_write(tenant, branch)
    _branch_locked(home)
    room_for_one_more(
        Zone.unscoped.filter(branch=home),
        settings.BRANCH_MAX_ZONES,
        _("A branch has at most %(limit)s zones (BRANCH_MAX_ZONES)."),
    )
    zone = Zone(company=tenant.company, branch=home, name=name, position=position, width=width, height=height)
    save_unique(zone, "name", _("A zone with this name already exists in this branch."))
    emit(company_id=tenant.company_id, events=[zone_event(ZONE_CREATED, zone)])
    return zone


@transaction.atomic
def zone_update(*, tenant: Tenant, zone_id: uuid.UUID, **changes: Any) -> Zone:
    """Renames, reorders or resizes a hall. Its canvas cannot shrink under its tables:
    400 naming ``width`` or ``height`` with the size they need. The zone is locked, so
    no table joins or moves in it meanwhile."""
    zone = zone_get(tenant=tenant, zone_id=zone_id, lock=True)
    if "branch" in changes and changes.pop("branch") != zone.branch_id:
        raise ValidationError({"branch": [_("A zone cannot move to another branch.")]})
    for field, value in changes.items():
        setattr(zone, field, value)
    errors = {}
    tables = list(Table.unscoped.filter(zone=zone).order_by("number"))
    if tables:
        widest = max(tables, key=lambda table: needs(_table_box(table))[0])
        tallest = max(tables, key=lambda table: needs(_table_box(table))[1])
        width, height = needs(_table_box(widest))[0], needs(_table_box(tallest))[1]
        message = _("Its tables need at least %(size)s (table %(number)s reaches there).")
        if zone.width < width:
            errors["width"] = [message % {"size": width, "number": widest.number}]
        if zone.height < height:
            errors["height"] = [message % {"size": height, "number": tallest.number}]
    if errors:
        raise ValidationError(errors)
    save_unique(zone, "name", _("A zone with this name already exists in this branch."))
    emit(company_id=tenant.company_id, events=[zone_event(ZONE_UPDATED, zone)])
    return zone


@transaction.atomic
def zone_delete(*, tenant: Tenant, zone_id: uuid.UUID) -> None:
    """Only an empty hall goes: while tables are on it, 409 naming it and how many
    (move them to another zone, or off the plan with ``zone: null``, first)."""
    zone = zone_get(tenant=tenant, zone_id=zone_id, lock=True)
    count = Table.unscoped.filter(zone=zone).count()
    if count:
        raise Conflict(
            _("The zone %(name)s still has %(count)s tables; move them to another zone or off the plan first.")
            % {"name": zone.name, "count": count}
        )
    event = zone_event(ZONE_DELETED, zone)
    zone.delete()
    emit(company_id=tenant.company_id, events=[event])


# Opening hours

_DAY = 24 * 60
_WEEK = 7 * _DAY


def _minutes(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def _length(opens: datetime.time, closes: datetime.time) -> int:
    """Minutes from ``opens`` to ``closes``; at or before ``opens``, the next day's."""
    return (_minutes(closes) - _minutes(opens)) % _DAY or _DAY


def _weekly_overlap(weekday: int, opens: datetime.time, closes: datetime.time, other: OpeningHours) -> bool:
    start = weekday * _DAY + _minutes(opens)
    end = start + _length(opens, closes)
    other_start = other.weekday * _DAY + _minutes(other.opens)
    other_end = other_start + _length(other.opens, other.closes)
    # Sunday night runs into Monday morning: compare a week earlier and later too.
    return any(start < other_end + shift and other_start + shift < end for shift in (-_WEEK, 0, _WEEK))


def _hours_check(row: OpeningHours) -> None:
    """No two intervals of the branch's week overlap (past-midnight ones into the next
    day included): 400 naming ``opens``. Runs with the branch locked."""
    others = OpeningHours.unscoped.filter(branch=row.branch_id).exclude(pk=row.pk)
    for other in others:
        if _weekly_overlap(row.weekday, row.opens, row.closes, other):
            raise ValidationError(
                {
                    "opens": [
                        _("These hours overlap the branch's %(opens)s–%(closes)s on weekday %(weekday)s.")
                        % {"opens": f"{other.opens:%H:%M}", "closes": f"{other.closes:%H:%M}", "weekday": other.weekday}
                    ]
                }
            )


@transaction.atomic
def opening_hours_create(
    *, tenant: Tenant, weekday: int, opens: datetime.time, closes: datetime.time, branch: uuid.UUID | None = None
) -> OpeningHours:
    """An interval the branch is open on a weekday, in its local time (``closes`` at
    or before ``opens``: past midnight). At most ``BRANCH_MAX_OPENING_HOURS`` a
    branch, none overlapping, checked with the branch's row locked."""
    home = branch_for_write(tenant, branch)
    _branch_locked(home)
    room_for_one_more(
        OpeningHours.unscoped.filter(branch=home),
        settings.BRANCH_MAX_OPENING_HOURS,
        _("A branch has at most %(limit)s opening hours (BRANCH_MAX_OPENING_HOURS)."),
    )
    row = OpeningHours(company=tenant.company, branch=home, weekday=weekday, opens=opens, closes=closes)
    _hours_check(row)
    save_unique(row, "opens", _("The branch already opens at this time on this weekday."))
    return row


@transaction.atomic
def opening_hours_update(*, tenant: Tenant, hours_id: uuid.UUID, **changes: Any) -> OpeningHours:
    row = opening_hours_get(tenant=tenant, hours_id=hours_id)
    _branch_locked(row.branch)
    row = opening_hours_get(tenant=tenant, hours_id=hours_id, lock=True)
    if "branch" in changes and changes.pop("branch") != row.branch_id:
        raise ValidationError({"branch": [_("Opening hours cannot move to another branch.")]})
    for field, value in changes.items():
        setattr(row, field, value)
    _hours_check(row)
    save_unique(row, "opens", _("The branch already opens at this time on this weekday."))
    return row


@transaction.atomic
def opening_hours_delete(*, tenant: Tenant, hours_id: uuid.UUID) -> None:
    opening_hours_get(tenant=tenant, hours_id=hours_id, lock=True).delete()


def _exception_check(row: OpeningException) -> None:
    """``opens`` and ``closes`` both or neither (400 naming the missing one); a date is
    either closed all day (one row without hours) or open in intervals that do not
    overlap (400 naming ``opens``, or ``date`` against a closed day). Runs with the
    branch locked."""
    if (row.opens is None) != (row.closes is None):
        missing = "opens" if row.opens is None else "closes"
        raise ValidationError({missing: [_("Give both opens and closes, or neither for a day closed all day.")]})
    others = list(OpeningException.unscoped.filter(branch=row.branch_id, date=row.date).exclude(pk=row.pk))
    if not others:
        return
    opens, closes = row.opens, row.closes
    hours = [(other.opens, other.closes) for other in others if other.opens is not None and other.closes is not None]
    if opens is None or closes is None or len(hours) < len(others):
        raise ValidationError(
            {"date": [_("A date is either closed all day or open at given hours; this date already has an exception.")]}
        )
    start, end = _minutes(opens), _minutes(opens) + _length(opens, closes)
    for other_opens, other_closes in hours:
        other_start = _minutes(other_opens)
        if start < other_start + _length(other_opens, other_closes) and other_start < end:
            raise ValidationError(
                {
                    "opens": [
                        _("These hours overlap the date's %(opens)s–%(closes)s.")
                        % {"opens": f"{other_opens:%H:%M}", "closes": f"{other_closes:%H:%M}"}
                    ]
                }
            )


@transaction.atomic
def opening_exception_create(
    *,
    tenant: Tenant,
    date: datetime.date,
    opens: datetime.time | None = None,
    closes: datetime.time | None = None,
    note: str = "",
    branch: uuid.UUID | None = None,
) -> OpeningException:
    """A date whose hours replace its weekday's: open at ``opens``–``closes`` (several
    rows for several intervals), or closed all day (neither). At most
    ``BRANCH_MAX_OPENING_EXCEPTIONS`` a branch, counted with its row locked."""
    home = branch_for_write(tenant, branch)
    _branch_locked(home)
    room_for_one_more(
        OpeningException.unscoped.filter(branch=home),
        settings.BRANCH_MAX_OPENING_EXCEPTIONS,
        _("A branch has at most %(limit)s opening exceptions (BRANCH_MAX_OPENING_EXCEPTIONS)."),
    )
    row = OpeningException(company=tenant.company, branch=home, date=date, opens=opens, closes=closes, note=note)
    _exception_check(row)
    save_unique(row, "opens", _("The branch already opens at this time on this date."))
    return row


@transaction.atomic
def opening_exception_update(*, tenant: Tenant, exception_id: uuid.UUID, **changes: Any) -> OpeningException:
    row = opening_exception_get(tenant=tenant, exception_id=exception_id)
    _branch_locked(row.branch)
    row = opening_exception_get(tenant=tenant, exception_id=exception_id, lock=True)
    if "branch" in changes and changes.pop("branch") != row.branch_id:
        raise ValidationError({"branch": [_("An opening exception cannot move to another branch.")]})
    for field, value in changes.items():
        setattr(row, field, value)
    _exception_check(row)
    save_unique(row, "opens", _("The branch already opens at this time on this date."))
    return row


@transaction.atomic
def opening_exception_delete(*, tenant: Tenant, exception_id: uuid.UUID) -> None:
    opening_exception_get(tenant=tenant, exception_id=exception_id, lock=True).delete()
