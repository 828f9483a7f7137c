"""A test-only timer job that changes the floor (registered in real server processes
through ``TICK_JOBS_EXTRA``): each tick, every table numbered ``FLIP_NUMBER`` goes
from free to reserved or back, through ``table_status_set``, and its events are
emitted like any request's."""

import datetime

from django.db import transaction

from cafe.floor.models import Table, TableStatus
from cafe.floor.services import table_status_set
from core.ticks import Job
from realtime.emit import emit

FLIP_NUMBER = 77


def flip(now: datetime.datetime) -> None:
    with transaction.atomic():
        for table in Table.unscoped.select_for_update().filter(number=FLIP_NUMBER).order_by("pk"):
            status = TableStatus.RESERVED if table.status == TableStatus.FREE else TableStatus.FREE
            emit(company_id=table.company_id, events=table_status_set(table, status))


FLIP = Job("test.flip_tables", datetime.timedelta(seconds=1), flip)
