"""A branch as of one ``seq``: what a device loads before it opens its sockets with
``since=seq``, so that it has every change once and none twice.

Every row is read in one transaction that sees one moment of the database: on
PostgreSQL ``REPEATABLE READ`` (one snapshot for every query of the transaction),
on SQLite a transaction (writers wait for it, as they wait for each other). Events
are written in the transaction of the change they report and a company's ``seq``
advances on its row under a lock held to commit, so the ``seq`` read in that moment
is exactly the last change the rows show."""

from dataclasses import dataclass

from django.db import connection, transaction

from accounts.models import Branch, Company
from accounts.tenancy import Tenant
from cafe.floor.models import Table
from cafe.floor.selectors import table_list
from cafe.menu.models import Category, MenuItem, Station
from cafe.menu.selectors import category_list, menu_item_list, station_list
from cafe.orders.models import KitchenTask, Order, OrderStatus, TaskStatus
from cafe.orders.selectors import order_list, task_list

# The portions a kitchen screen shows (served and cancelled ones are done).
LIVE_TASKS = (TaskStatus.HELD, TaskStatus.PENDING, TaskStatus.IN_PROGRESS, TaskStatus.READY)


@dataclass(frozen=True)
class Snapshot:
    seq: int
    branch: Branch
    tables: list[Table]
    categories: list[Category]
    stations: list[Station]
    menu: list[MenuItem]
    orders: list[Order]
    tasks: list[KitchenTask]


def branch_snapshot(*, tenant: Tenant, branch: Branch) -> Snapshot:
    """``branch`` (one the tenant may see) as of one moment, with its company's seq then."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        seq = Company.objects.values_list("event_seq", flat=True).get(pk=tenant.company_id)
        return Snapshot(
            seq=seq,
            branch=branch,
            tables=list(table_list(tenant=tenant, branch=branch.pk)),
            categories=list(category_list(tenant=tenant)),
            stations=list(station_list(tenant=tenant, branch=branch.pk)),
            menu=list(menu_item_list(tenant=tenant, branch=branch.pk)),
            orders=list(order_list(tenant=tenant, branch=branch.pk, status=OrderStatus.OPEN)),
            tasks=list(task_list(tenant=tenant, branch=branch.pk, status=LIVE_TASKS)),
        )
