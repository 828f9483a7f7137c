"""Orders: taking them, their lines and line edits, closing and cancelling. Each
public function is one transaction: it locks what it writes as
``cafe.orders.locking`` orders it, writes lines, tasks and stock, settles the order
(``cafe.orders.settle``: its bill, paid state and readiness, and its one save) and
ends by handing its events to ``emit``."""

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.tenancy import Tenant, branch_for_write
from cafe.floor.models import Table, TableStatus
from cafe.guests.models import Guest
from cafe.guests.services import guest_for_contact
from cafe.menu.events import menu_item_updated
from cafe.menu.models import MenuItem, MenuItemBranch, ModifierGroup, SoldBy, Station
from cafe.menu.selectors import menu_for_branch, menu_item_views, seen_from
from cafe.orders.events import (
    KITCHEN_TASK_CREATED,
    ORDER_CANCELLED,
    ORDER_CLOSED,
    ORDER_CREATED,
    ORDER_UPDATED,
    task_event,
)
from cafe.orders.kitchen import task_events, tasks_cancel, tasks_create
from cafe.orders.locking import JoinedTable, order_locked, tables_locked
from cafe.orders.models import (
    STARTED_STATUSES,
    TASK_TRANSITIONS,
    KitchenTask,
    Order,
    OrderItem,
    OrderItemEdit,
    OrderItemModifier,
    OrderStatus,
    Service,
    TaskStatus,
)
from cafe.orders.money import ZERO, recalculate, rounded
from cafe.orders.occupancy import order_vacate, table_occupy
from cafe.orders.payloads import OrderData
from cafe.orders.settle import order_settle, order_transition
from cafe.orders.takeaway import pickup_number_next
from cafe.shared import metrics
from cafe.shared.business_day import zone
from cafe.shared.services import with_prefetched
from cafe.store.taking import LineTake, StopListRow, Taken, stock_return, stock_reweigh, stock_take
from core.errors import Conflict
from core.rows import rows_insert
from realtime.catalogue import EventType
from realtime.emit import PendingEvent, emit


def _modifier_errors(groups: Sequence[ModifierGroup], chosen: Sequence[uuid.UUID]) -> list[str]:
    offered = {modifier.pk: group for group in groups for modifier in group.modifiers.all()}
    errors = []
    if len(set(chosen)) != len(chosen):
        errors.append(_("Choose each modifier once."))
    unknown = [str(pk) for pk in dict.fromkeys(chosen) if pk not in offered]
    if unknown:
        errors.append(_("Not offered with this menu item: %(modifiers)s.") % {"modifiers": ", ".join(unknown)})
    for group in groups:
        count = sum(1 for pk in set(chosen) if offered.get(pk) is group)
        if count > group.max_choices:
            errors.append(
                _("Choose at most %(count)s from %(group)s.") % {"count": group.max_choices, "group": group.name}
            )
        if group.required and count == 0:
            errors.append(_("Choose from %(group)s.") % {"group": group.name})
    return errors


def check_portions(tenant: Tenant, order: Order, adding: int) -> None:
    """An order has at most ``ORDER_MAX_PORTIONS`` portions in the kitchen (tasks not
    cancelled): each is a row and a ``kitchen_task_created`` event, so one request
    cannot flood the log and the kitchen sockets. Runs with the order locked."""
    if adding <= 0:
        return
    live = tenant.scope(KitchenTask).filter(order=order).exclude(status=TaskStatus.CANCELLED).count()
    if live + adding > settings.ORDER_MAX_PORTIONS:
        raise portions_conflict(live)


def portions_conflict(live: int) -> Conflict:
    return Conflict(
        _(
            "An order has at most %(limit)s portions in the kitchen (ORDER_MAX_PORTIONS); "
            "this one has %(live)s, so at most %(room)s more can be sent."
        )
        % {
            "limit": settings.ORDER_MAX_PORTIONS,
            "live": live,
            "room": max(settings.ORDER_MAX_PORTIONS - live, 0),
        }
    )


def line_quantity_error() -> str:
    """A line has at most ``ORDER_LINE_MAX_QUANTITY`` portions: each may be a kitchen
    task, and a change of the line's note is an event for each."""
    return _("A line has at most %(limit)s portions (ORDER_LINE_MAX_QUANTITY).") % {
        "limit": settings.ORDER_LINE_MAX_QUANTITY
    }


def check_lines(existing: int, adding: int) -> None:
    """An order holds at most ``ORDER_MAX_LINES`` lines (which keeps its events under
    ``EVENT_MAX_BYTES``): 409 for ``adding`` more to one of ``existing``."""
    if existing + adding > settings.ORDER_MAX_LINES:
        raise Conflict(
            _(
                "An order holds at most %(limit)s lines (ORDER_MAX_LINES); this one has %(existing)s, "
                "so at most %(room)s more can be added."
            )
            % {
                "limit": settings.ORDER_MAX_LINES,
                "existing": existing,
                "room": max(settings.ORDER_MAX_LINES - existing, 0),
            }
        )


def weight_error(item: MenuItem, weight: Decimal | None) -> str | None:
    """A line of an item sold by weight gives its weight; any other line gives none."""
    if item.sold_by == SoldBy.WEIGHT and weight is None:
        return _("This menu item is sold by weight: give a portion's weight (kg) or grams.")
    if item.sold_by != SoldBy.WEIGHT and weight is not None:
        return _("This menu item is sold by the portion; it takes no weight.")
    return None


def portion_price(price: Decimal, weight: Decimal | None, modifiers: Iterable[Any]) -> Decimal:
    """A portion's price: the item's (a weighed one's, ``weight`` kg at ``price`` a
    kilogram, rounded as the bill rounds) plus its modifiers'."""
    base = price if weight is None else rounded(price * weight)
    return base + sum((modifier.price for modifier in modifiers), Decimal(0))


@dataclass
class NewLines:
    """Lines about to be added to an order, built in memory (``lines_prepare``) and
    written by ``lines_write``; each line's modifiers are its prefetched ones."""

    lines: list[OrderItem] = field(default_factory=list)
    modifiers: list[OrderItemModifier] = field(default_factory=list)
    kitchen: list[tuple[OrderItem, uuid.UUID | None, bool, int, int]] = field(default_factory=list)
    restocked: list[uuid.UUID] = field(default_factory=list)
    # Of ``restocked``, the stock-tracked items of the order as the branch now sees them
    # (``cafe.menu.selectors.seen_from``: read with the menu, their stop-list rows as
    # the storeroom wrote them under their locks), reported without reading them again.
    seen: dict[uuid.UUID, MenuItem] = field(default_factory=dict)
    # The modifier groups of the order's items (their modifiers prefetched), by item id.
    groups: dict[uuid.UUID, list[ModifierGroup]] = field(default_factory=dict)
    # The storeroom's own events (``stock_low``).
    stocked: list[PendingEvent[Any]] = field(default_factory=list)
    # The kitchen's stations, read with the menu (their names go in the tasks' events).
    stations: dict[uuid.UUID, Station] = field(default_factory=dict)


def _as_the_branch_sees_them(tenant: Tenant, branch_id: uuid.UUID, items: Iterable[Any]) -> dict[uuid.UUID, Station]:
    """Sets ``station_here``, ``available_here`` and ``remaining_here`` on each item, as
    ``cafe.menu.selectors.in_branch`` annotates them; a company-wide item's come from its
    branch row, read only for such items. Returns the stations they name, which the
    items (``select_related("station")``) and the branch rows were read with."""
    shared = [item.pk for item in items if item.branch_id is None]
    rows = (
        tenant.scope(MenuItemBranch).filter(branch=branch_id, menu_item__in=shared).select_related("station")
        if shared
        else []
    )
    here = {row.menu_item_id: row for row in rows}
    for item in items:
        if item.branch_id is not None:  # the branch's own item
            item.station_here, item.available_here, item.remaining_here = (
                item.station_id,
                item.is_available,
                item.remaining,
            )
        elif (row := here.get(item.pk)) is not None:
            item.station_here, item.available_here, item.remaining_here = (
                row.station_id,
                item.is_available and row.is_available,
                row.remaining,
            )
        else:  # served in every branch, with nothing set for this one
            item.station_here, item.available_here, item.remaining_here = None, item.is_available, None
    stations = {item.station_id: item.station for item in items if item.branch_id is not None and item.station_id}
    stations.update((row.station_id, row.station) for row in here.values() if row.station_id)
    return stations


def lines_prepare(tenant: Tenant, order: Order, lines: Sequence[dict[str, Any]], *, existing: int = 0) -> NewLines:
    """Checks lines for an order that has ``existing`` lines (at most
    ``ORDER_MAX_LINES``, which keeps its events under ``EVENT_MAX_BYTES``; at most
    ``ORDER_MAX_PORTIONS`` portions in the kitchen), prices them at today's menu
    prices (plus their modifiers') and takes their portions off the stop-list
    (``cafe.menu.stock``). Writes nothing else: ``lines_write`` does. Runs inside the
    order's transaction, with the order locked (or not yet saved)."""
    if not lines:
        return NewLines()
    check_lines(existing, len(lines))
    # Their modifier groups counted through the relation (a join is cheaper to build
    # than a scoped subquery, and the items are the tenant's), their stations joined.
    menu: dict[Any, Any] = (
        menu_for_branch(tenant=tenant, branch_id=order.branch_id)
        .select_related("station")
        .annotate(group_count=Count("modifier_groups"))
        .in_bulk({line["menu_item"] for line in lines})
    )
    stations = _as_the_branch_sees_them(tenant, order.branch_id, menu.values())
    groups: dict[uuid.UUID, list[ModifierGroup]] = {pk: [] for pk in menu}
    if any(item.group_count for item in menu.values()):
        for group in tenant.scope(ModifierGroup).filter(menu_item__in=list(menu)).prefetch_related("modifiers"):
            groups[group.menu_item_id].append(group)
    # Keyed by line index, the shape DRF gives for malformed lines, so clients read one shape.
    errors: dict[str, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        item = menu.get(line["menu_item"])
        if line["quantity"] > settings.ORDER_LINE_MAX_QUANTITY:
            errors[str(index)] = {"quantity": [line_quantity_error()]}
        elif item is None:
            errors[str(index)] = {"menu_item": [_("Menu item not found in this branch's menu.")]}
        elif not item.available_here:
            errors[str(index)] = {"menu_item": [_("This menu item is not available.")]}
        elif problem := weight_error(item, line.get("weight")):
            errors[str(index)] = {"weight": [problem]}
        elif problems := _modifier_errors(groups[item.pk], line.get("modifiers", ())):
            errors[str(index)] = {"modifiers": problems}
    if errors:
        raise ValidationError({"items": errors})
    new = NewLines(stations=stations)
    chosen = {
        modifier.pk: modifier for group_list in groups.values() for g in group_list for modifier in g.modifiers.all()
    }
    group_names = {g.pk: g.name for group_list in groups.values() for g in group_list}
    for line in lines:
        item = menu[line["menu_item"]]
        modifiers = [chosen[pk] for pk in line.get("modifiers", ())]
        course = line.get("course", 1)
        held = line["hold"] if line.get("hold") is not None else course > 1
        weight = line.get("weight")
        row = OrderItem(
            company_id=order.company_id,
            order=order,
            menu_item=item,
            title=item.title,
            price=portion_price(item.price, weight, modifiers),
            quantity=line["quantity"],
            weight=weight,
            price_per_kg=None if weight is None else item.price,
            note=line.get("note", ""),
            course=course,
        )
        row_modifiers = [
            OrderItemModifier(
                company_id=order.company_id,
                line=row,
                modifier=modifier,
                group=group_names[modifier.group_id],
                name=modifier.name,
                price=modifier.price,
            )
            for modifier in modifiers
        ]
        with_prefetched(row, modifiers=row_modifiers)
        new.lines.append(row)
        new.modifiers += row_modifiers
        new.kitchen.append((row, item.station_here, held, 1, row.quantity))
    # Stock is taken the moment a line is ordered, with the lines built (their ids name
    # the sale's movements): counted items off the stop-list, stock-tracked ones'
    # ingredients off the storeroom (``cafe.store.taking``).
    wanted: dict[MenuItem, int] = defaultdict(int)
    tracked: list[LineTake] = []
    for row in new.lines:
        item = menu[row.menu_item_id]
        if item.stock_tracked:
            chosen_ids = tuple(modifier.modifier_id for modifier in row.modifiers.all() if modifier.modifier_id)
            tracked.append(LineTake(row.pk, item, row.quantity, chosen_ids, row.weight))
        elif item.remaining_here is not None:
            wanted[item] += row.quantity
    taken = stock_take(tenant=tenant, branch_id=order.branch_id, counted=wanted, tracked=tracked)
    new.restocked, new.stocked = taken.items, taken.events
    new.seen, new.groups = _seen_after(menu, taken.rows), groups
    for row in new.lines:
        row.stock_taken = row.pk in taken.lines
    portions = sum(count for _, station, _, _, count in new.kitchen if station is not None)
    if not order._state.adding:
        check_portions(tenant, order, portions)
    elif portions > settings.ORDER_MAX_PORTIONS:
        raise portions_conflict(0)
    return new


def lines_write(tenant: Tenant, order: Order, new: NewLines) -> list[PendingEvent[Any]]:
    """Writes prepared lines, their modifiers and kitchen tasks (the order is saved);
    returns the events they cause besides the order's own."""
    if not new.lines:
        return []
    rows_insert(OrderItem, new.lines)
    rows_insert(OrderItemModifier, new.modifiers)
    tasks = tasks_create(order, new.kitchen)
    # The new tasks' events from the rows in memory: their lines, modifiers and order,
    # and their stations, read with the menu.
    created = []
    for task in tasks:
        task.station = new.stations[task.station_id]
        created.append(task_event(KITCHEN_TASK_CREATED, task))
    return [*created, *_menu_events(tenant, order, new.restocked, new.seen, new.groups), *new.stocked]


def _seen_after(menu: Mapping[uuid.UUID, MenuItem], rows: Mapping[uuid.UUID, StopListRow]) -> dict[uuid.UUID, MenuItem]:
    """The order's stock-tracked items whose ``remaining`` the storeroom just wrote, as
    the branch sees them now: a branch's own dish is its row read under its lock, a
    company-wide one the item read with the menu and its branch row read under its
    lock (their modifier groups are the ones read with the menu)."""
    return {
        pk: seen_from(row, None) if isinstance(row, MenuItem) else seen_from(menu[pk], row)
        for pk, row in rows.items()
        if pk in menu  # not another dish using the same ingredients: read for its event
    }


def _menu_events(
    tenant: Tenant,
    order: Order,
    item_ids: Sequence[uuid.UUID],
    seen: Mapping[uuid.UUID, MenuItem] | None = None,
    groups: Mapping[uuid.UUID, list[ModifierGroup]] | None = None,
) -> list[PendingEvent[Any]]:
    """``menu_item_updated`` for the items; ``seen``: some of them as the branch sees
    them now, with their modifier groups in ``groups`` (not read again)."""
    if not item_ids:
        return []
    views = menu_item_views(tenant=tenant, item_ids=item_ids, branch_id=order.branch_id, known=seen)
    return menu_item_updated(views, {pk: groups[pk] for pk in seen} if seen and groups else None)


def order_changed(
    tenant: Tenant,
    type: EventType[OrderData],
    order: Order,
    *extra: PendingEvent[Any],
    fields: Sequence[str] = ("updated_at",),
    lines: Sequence[OrderItem] | None = None,
) -> Order:
    """Settles a changed order (``cafe.orders.settle``: its bill, paid state,
    readiness and one save) and reports it, with the change's other events, as the
    change's last step."""
    emit(
        company_id=tenant.company_id,
        events=[*order_settle(tenant, order, type, *extra, fields=fields, lines=lines), *extra],
    )
    return order


@transaction.atomic
def order_create(
    *,
    tenant: Tenant,
    table: uuid.UUID | None = None,
    guests: int | None = None,
    items: Sequence[dict[str, Any]] = (),
    service: str = Service.DINE_IN,
    branch: uuid.UUID | None = None,
    customer_name: str = "",
    customer_phone: str = "",
    joined_tables: Sequence[uuid.UUID] = (),
    guest: uuid.UUID | None = None,
    override_booking: bool = False,
    seating: uuid.UUID | None = None,
    taken_at: datetime.datetime | None = None,
) -> Order:
    """A dine-in order at a table (its branch is the table's), or a takeaway order
    with no table in ``branch`` (a branch-bound user's own by default) that gets the
    branch's next pickup number of the day. The order row is written once, with its
    bill: its lines are priced in memory first.

    ``joined_tables``: more tables of the branch pushed together for the party, free or
    reserved (busy: 409), busy with the order like its ``table``. A table reserved for
    a booking (``reserved_for``) is refused (409) unless ``override_booking`` (recorded
    on the order) or the order seats that booking (``seating``, from ``arrive/``, whose
    party gets its tables to itself: a busy one is 409 too). It is linked to ``guest``, or to the
    guest with ``customer_phone`` (E.164), added on the fly. ``taken_at``: when the
    device took it (queued offline), kept beside ``created_at``; it decides nothing."""
    order = Order(
        company=tenant.company,
        guests=guests or 1,
        waiter=tenant.user,
        customer_name=customer_name,
        customer_phone=customer_phone,
        taken_at=taken_at,
    )
    extra: list[PendingEvent[Any]] = []
    joined: list[Table] = []
    if service == Service.TAKEAWAY:
        order.branch = branch_for_write(tenant, branch)
        order.service, order.service_charge_percent = Service.TAKEAWAY, Decimal(0)  # no table, no service charge
    else:
        if table is None:
            raise ValidationError({"table": [_("This field is required.")]})
        locked = tables_locked(tenant, [table, *joined_tables], with_branch=True)
        if table not in locked:
            raise ValidationError({"table": [_("Table not found.")]})
        order.table = locked[table]
        order.branch_id = order.table.branch_id
        order.service_charge_percent = order.table.branch.service_charge_percent  # dine-in: the branch's, as of now
        if seating is not None and order.table.status == TableStatus.BUSY:  # a booked party gets its tables to itself
            raise Conflict(
                _("Table %(table)s is busy with another order; seat the party at a free table.")
                % {"table": order.table.number}
            )
        joined = joined_tables_check(locked, order, joined_tables) if joined_tables else []
        for held in (order.table, *joined):
            if held.reserved_for is not None and held.reserved_for != seating and held.status == TableStatus.RESERVED:
                if not override_booking:
                    raise reserved_conflict(held)
                order.booking_override = True
        extra = [event for held in (order.table, *joined) for event in table_occupy(held)]
    if guest is not None or customer_phone:
        order.guest = guest_linked(tenant, guest, name=customer_name, phone=customer_phone)
    with_prefetched(order, joined_tables=joined)
    new = lines_prepare(tenant, order, items)
    if order.service == Service.TAKEAWAY:
        order.pickup_number, order.pickup_day = pickup_number_next(tenant=tenant, branch=order.branch)
    recalculate(order, new.lines)
    rows_insert(Order, [order])
    if joined:
        JoinedTable.objects.bulk_create([JoinedTable(order_id=order.pk, table_id=held.pk) for held in joined])
    caused = lines_write(tenant, order, new)
    metrics.order_created(order.branch_id)
    return order_changed(tenant, ORDER_CREATED, order, *extra, *caused, fields=(), lines=new.lines)


def guest_linked(tenant: Tenant, guest_id: uuid.UUID | None, *, name: str, phone: str) -> Guest | None:
    """The guest a new order is for: the one named (400 naming ``guest`` unless it is a
    guest of the company, not erased), else the one with this phone, added on the fly
    (``guest_for_contact``: after the tables, before the lines, in the lock order)."""
    if guest_id is None:
        return guest_for_contact(tenant=tenant, name=name, phone=phone)
    try:
        return tenant.scope(Guest).get(pk=guest_id, erased_at__isnull=True)
    except Guest.DoesNotExist:
        raise ValidationError({"guest": [_("Guest not found.")]}) from None


def joined_tables_check(
    locked: dict[uuid.UUID, Table], order: Order, joined_tables: Sequence[uuid.UUID]
) -> list[Table]:
    """The joined tables of a new order (locked with its table): of its branch, not its
    own table, each once (400 on ``joined_tables``), and not busy (409)."""
    if len(set(joined_tables)) != len(joined_tables) or order.table_id in joined_tables:
        raise ValidationError({"joined_tables": [_("Name each table once, and not the order's own table.")]})
    missing = [str(pk) for pk in joined_tables if pk not in locked or locked[pk].branch_id != order.branch_id]
    if missing:
        raise ValidationError(
            {
                "joined_tables": [
                    _("Table not found in the order's branch: %(tables)s.") % {"tables": ", ".join(missing)}
                ]
            }
        )
    joined = [locked[pk] for pk in joined_tables]
    busy = [table for table in joined if table.status == TableStatus.BUSY]
    if busy:
        raise Conflict(_("Table %(table)s is busy; it cannot be joined.") % {"table": busy[0].number})
    return joined


def reserved_conflict(table: Table) -> Conflict:
    """409 for an order on a table reserved for a booking, naming the booking's time (read
    from the table's booking links, the copies the book keeps for the floor)."""
    link = table.booking_links.filter(booking_id=str(table.reserved_for)).order_by("starts_at").first()
    when = "?" if link is None else f"{link.starts_at.astimezone(zone(table.branch)):%H:%M}"
    return Conflict(
        _(
            'Table %(table)s is reserved for a booking at %(time)s; send "override_booking": true to seat '
            "someone there anyway."
        )
        % {"table": table.number, "time": when},
        code="table_reserved",
    )


def must_be_open(order: Order) -> None:
    """409 unless the order is open (checked after its lock)."""
    if order.status != OrderStatus.OPEN:
        raise Conflict(
            _("The order is %(status)s; only open orders can change.") % {"status": order.get_status_display().lower()}
        )


def order_open_locked(tenant: Tenant, order_id: uuid.UUID) -> Order:
    """An open order, locked as ``cafe.orders.locking.order_locked`` does (409 unless open)."""
    order = order_locked(tenant, order_id)
    must_be_open(order)
    return order


@transaction.atomic
def order_add_items(*, tenant: Tenant, order_id: uuid.UUID, items: Sequence[dict[str, Any]]) -> Order:
    order = order_open_locked(tenant, order_id)
    caused = lines_write(tenant, order, lines_prepare(tenant, order, items, existing=order.items.count()))
    return order_changed(tenant, ORDER_UPDATED, order, *caused)


@transaction.atomic
def order_update(*, tenant: Tenant, order_id: uuid.UUID, guests: int) -> Order:
    order = order_open_locked(tenant, order_id)
    order.guests = guests
    return order_changed(tenant, ORDER_UPDATED, order, fields=["guests"])


@transaction.atomic
def order_finish(*, tenant: Tenant, order_id: uuid.UUID, status: str) -> Order:
    """Closes or cancels an open order; the table is freed with its last open order.
    A closed order whose payments cover its bill is paid (``cafe.orders.settle``)."""
    order = order_locked(tenant, order_id, table=True)
    if order.status != OrderStatus.OPEN:
        raise Conflict(
            _("The order is %(status)s; only open orders can be closed or cancelled.")
            % {"status": order.get_status_display().lower()}
        )
    _check_payments(order, status)
    order_transition(order, status)
    kitchen = _release_kitchen(tenant, order) if status == OrderStatus.CANCELLED else []
    type = ORDER_CLOSED if status == OrderStatus.CLOSED else ORDER_CANCELLED
    return order_changed(
        tenant,
        type,
        order,
        *order_vacate(order),
        *kitchen,
        fields=["status", "closed_at"],
    )


def _check_payments(order: Order, status: str) -> None:
    """Money taken stays accounted for: an order with payments is not cancelled (refund
    first), and a part-paid one is not closed as if paid. An unpaid order closes as ever."""
    if status == OrderStatus.CANCELLED and order.paid > order.refunded:
        raise Conflict(
            _("The order has payments (%(paid)s); refund them before cancelling it.")
            % {"paid": f"{order.paid - order.refunded:.2f}"}
        )
    if status == OrderStatus.CLOSED and ZERO < order.paid < order.total:
        raise Conflict(
            _("The order is part paid (%(paid)s of %(total)s): pay the rest or refund it.")
            % {"paid": f"{order.paid:.2f}", "total": f"{order.total:.2f}"}
        )


# Line edits: a line changes in place (never deleted and added again); its
# kitchen tasks follow, and every edit is recorded (OrderItemEdit).


def _line_take(tenant: Tenant, order: Order, line: OrderItem, more: int) -> Taken:
    """``more`` portions of a line ordered: off its recipe's stock (the line's
    modifiers' effects included), or off the stop-list count."""
    if line.menu_item.stock_tracked:
        modifiers = tuple(line.modifiers.exclude(modifier=None).values_list("modifier", flat=True))
        taken = stock_take(
            tenant=tenant,
            branch_id=order.branch_id,
            tracked=[LineTake(line.pk, line.menu_item, more, modifiers, line.weight)],
        )
        line.stock_taken = line.stock_taken or line.pk in taken.lines
        return taken
    return stock_take(tenant=tenant, branch_id=order.branch_id, counted={line.menu_item: more})


def _taken_for(tenant: Tenant, line: OrderItem) -> uuid.UUID:
    """The line whose movements record what a line took: its own, or for a line split
    off another (``split_from``), the original's."""
    taken_for, parent = line.pk, line.split_from_id if line.stock_taken else None
    while parent is not None:
        taken_for = parent
        parent = tenant.scope(OrderItem).filter(pk=parent).values_list("split_from", flat=True).first()
    return taken_for


def _line_return(tenant: Tenant, order: Order, line: OrderItem, count: int) -> Taken:
    """Gives back ``count`` unstarted portions of a line. A line split off another
    (``split_from``) gives back from what was taken for the line it came from."""
    return stock_return(
        tenant=tenant,
        branch_id=order.branch_id,
        item=line.menu_item,
        count=count,
        line_id=_taken_for(tenant, line),
        stock_taken=line.stock_taken,
    )


def _line_reweigh(tenant: Tenant, order: Order, line: OrderItem, weight: Decimal) -> Taken:
    """A weighed line's portions weighed again: a line that took ingredients takes the
    difference for every portion on it, or gives it back (``cafe.store.taking``)."""
    if not line.stock_taken or line.weight is None:
        return Taken()
    return stock_reweigh(
        tenant=tenant,
        branch_id=order.branch_id,
        item=line.menu_item,
        line_id=_taken_for(tenant, line),
        portions=line.quantity,
        weight_before=line.weight,
        weight_after=weight,
    )


def _line_for_edit(tenant: Tenant, order: Order, line_id: uuid.UUID) -> tuple[OrderItem, list[KitchenTask]]:
    """The order's line and its tasks, locked (after the order); 409 once voided,
    and for anyone but a manager once the kitchen has started a portion."""
    line = order.items.select_for_update(of=("self",), no_key=True).select_related("menu_item").get(pk=line_id)
    if line.voided:
        raise Conflict(_("The line is voided; it cannot change."))
    tasks = list(line.tasks.select_for_update(of=("self",), no_key=True).order_by("portion"))
    if any(task.status in STARTED_STATUSES for task in tasks) and not tenant.may_manage:
        raise Conflict(_("The kitchen has started this line; only a manager can change or void it now."))
    return line, tasks


def _cancel_portions(
    tenant: Tenant, tasks: Sequence[KitchenTask], count: int, reason: str
) -> tuple[list[KitchenTask], int]:
    """Cancels ``count`` portions, those the kitchen has not started first (the last
    ones first); served portions stay. Returns the cancelled tasks and how many of
    them had not been started (their stock goes back)."""
    live = [task for task in tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
    live.sort(key=lambda task: (task.status in STARTED_STATUSES, -task.portion))
    chosen = live[:count]
    if any(task.status in STARTED_STATUSES for task in chosen) and not reason:
        raise ValidationError({"reason": [_("Say why portions the kitchen has started are cancelled.")]})
    unstarted = sum(1 for task in chosen if task.status not in STARTED_STATUSES)
    return tasks_cancel(tenant, chosen), unstarted


def _served(tasks: Sequence[KitchenTask]) -> int:
    return sum(1 for task in tasks if task.status == TaskStatus.SERVED)


@transaction.atomic
def order_line_update(
    *,
    tenant: Tenant,
    order_id: uuid.UUID,
    line_id: uuid.UUID,
    quantity: int | None = None,
    note: str | None = None,
    weight: Decimal | None = None,
    reason: str = "",
) -> Order:
    """Changes a line's quantity, note or (sold by weight) its portions' weight, which
    prices them anew. More portions get tasks (and come off the stop-list); fewer
    cancel tasks, unstarted ones first."""
    order = order_open_locked(tenant, order_id)
    line, tasks = _line_for_edit(tenant, order, line_id)
    edit = OrderItemEdit(
        company_id=order.company_id,
        line=line,
        user=tenant.user,
        quantity_before=line.quantity,
        note_before=line.note,
        weight_before=line.weight,
        reason=reason,
    )
    caused: list[PendingEvent[Any]] = []
    changed_tasks: list[KitchenTask] = []
    if quantity is not None and quantity > max(line.quantity, settings.ORDER_LINE_MAX_QUANTITY):
        raise ValidationError({"quantity": [line_quantity_error()]})
    if quantity is not None and quantity > line.quantity:
        taken = _line_take(tenant, order, line, quantity - line.quantity)
        first = max((task.portion for task in tasks), default=line.quantity) + 1
        held = any(task.status == TaskStatus.HELD for task in tasks)
        station = tasks[-1].station_id if tasks else None
        if station:
            check_portions(tenant, order, quantity - line.quantity)
        added, line.quantity = quantity - line.quantity, quantity
        created = tasks_create(order, [(line, station, held, first, added)]) if station else []
        caused += [
            *task_events(tenant, created, KITCHEN_TASK_CREATED),
            *_menu_events(tenant, order, taken.items),
            *taken.events,
        ]
    elif quantity is not None and quantity < line.quantity:
        if quantity < _served(tasks):
            raise Conflict(
                _("%(served)s portions of this line were served; it cannot go below that.") % {"served": _served(tasks)}
            )
        removed = line.quantity - quantity
        cancelled, unstarted = _cancel_portions(tenant, tasks, removed, reason) if tasks else ([], removed)
        changed_tasks += cancelled
        line.quantity = quantity
        returned = _line_return(tenant, order, line, unstarted)
        caused += [*_menu_events(tenant, order, returned.items), *returned.events]
    if weight is not None and line.weight is None:
        raise ValidationError({"weight": [_("This line is sold by the portion; it takes no weight.")]})
    if weight is not None and weight != line.weight:
        reweighed = _line_reweigh(tenant, order, line, weight)
        caused += [*_menu_events(tenant, order, reweighed.items), *reweighed.events]
        line.weight = weight
        line.price = portion_price(line.price_per_kg or ZERO, weight, line.modifiers.all())
        changed_tasks += [task for task in tasks if task.status not in (TaskStatus.SERVED, TaskStatus.CANCELLED)]
    if note is not None and note != line.note:
        line.note = note
        changed_tasks += [task for task in tasks if task.status not in (TaskStatus.SERVED, TaskStatus.CANCELLED)]
    line.save(update_fields=["quantity", "note", "weight", "price", "stock_taken", "updated_at"])
    edit.quantity_after, edit.note_after, edit.weight_after = line.quantity, line.note, line.weight
    edit.save()
    caused = [*task_events(tenant, dict.fromkeys(changed_tasks)), *caused]
    return order_changed(tenant, ORDER_UPDATED, order, *caused)


@transaction.atomic
def order_line_void(*, tenant: Tenant, order_id: uuid.UUID, line_id: uuid.UUID, reason: str) -> Order:
    """Voids a line: it stays on the order, marked and out of its total; its portions
    not yet served are cancelled and those never started go back to the stop-list."""
    order = order_open_locked(tenant, order_id)
    line, tasks = _line_for_edit(tenant, order, line_id)
    live = [task for task in tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
    cancelled, unstarted = _cancel_portions(tenant, tasks, len(live), reason) if tasks else ([], line.quantity)
    line.voided_at, line.void_reason, line.voided_by = timezone.now(), reason, tenant.user
    line.save(update_fields=["voided_at", "void_reason", "voided_by", "updated_at"])
    OrderItemEdit.objects.create(
        company_id=order.company_id,
        line=line,
        user=tenant.user,
        quantity_before=line.quantity,
        quantity_after=line.quantity,
        note_before=line.note,
        note_after=line.note,
        weight_before=line.weight,
        weight_after=line.weight,
        voided=True,
        reason=reason,
    )
    returned = _line_return(tenant, order, line, unstarted)
    caused = [*task_events(tenant, cancelled), *_menu_events(tenant, order, returned.items), *returned.events]
    return order_changed(tenant, ORDER_UPDATED, order, *caused)


def _release_kitchen(tenant: Tenant, order: Order) -> list[PendingEvent[Any]]:
    """An order was cancelled: its portions not yet served are cancelled, and those
    never started go back to the stop-list. Runs inside the order's transaction."""
    tasks = list(order.kitchen_tasks.select_for_update(of=("self",), no_key=True).order_by("pk"))
    by_line: dict[uuid.UUID, list[KitchenTask]] = defaultdict(list)
    for task in tasks:
        by_line[task.line_id].append(task)
    cancelled: list[KitchenTask] = []
    restocked: list[uuid.UUID] = []
    stocked: list[PendingEvent[Any]] = []
    for line in order.items.filter(voided_at__isnull=True).select_related("menu_item"):
        line_tasks = by_line.get(line.pk, [])
        live = [task for task in line_tasks if TaskStatus.CANCELLED in TASK_TRANSITIONS[task.status]]
        unstarted = sum(1 for task in live if task.status not in STARTED_STATUSES) if line_tasks else line.quantity
        cancelled += tasks_cancel(tenant, live)
        returned = _line_return(tenant, order, line, unstarted)
        restocked += returned.items
        stocked += returned.events
    return [
        *task_events(tenant, cancelled),
        *_menu_events(tenant, order, list(dict.fromkeys(restocked))),
        *stocked,
    ]
