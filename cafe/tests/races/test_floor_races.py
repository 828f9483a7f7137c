"""The floor's checks hold when two requests race (each its own client, thread and
database connection): a table moving across its hall while the hall shrinks, two
overlapping opening intervals, two tables joining a hall with room for one. Round
after round; every answer is a success or a 400/409 naming the problem, and the
rows agree with the answers."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from accounts.models import Role
from cafe.floor.models import OpeningHours, Table, Zone
from cafe.floor.plan import footprint, overflow
from cafe.tests.factories import BranchFactory, TableFactory, ZoneFactory, staff_of

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def at_once(requests: list[Callable]) -> list[int]:
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = [0] * len(requests)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[index] = requests[index]().status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_a_table_moving_while_its_hall_shrinks_never_ends_off_the_canvas(client_for):
    branch = BranchFactory()
    mover, resizer = (client_for(staff_of(branch, role=Role.MANAGER)) for _ in range(2))
    for round_ in range(ROUNDS):
        zone = ZoneFactory(branch=branch, width=1000, height=1000)
        table = TableFactory(branch=branch, zone=zone, number=round_ + 1)
        statuses = at_once(
            [
                lambda table=table: mover.patch(f"/api/cafe/tables/{table.pk}/", {"x": 800}, format="json"),
                lambda zone=zone: resizer.patch(f"/api/cafe/zones/{zone.pk}/", {"width": 500}, format="json"),
            ]
        )
        assert sorted(statuses) == [200, 400], statuses
        zone.refresh_from_db()
        table.refresh_from_db()
        box = footprint(
            x=table.x, y=table.y, width=table.width, height=table.height, shape=table.shape, rotation=table.rotation
        )
        assert overflow(box, width=zone.width, height=zone.height) == (False, False)
        assert (table.x == 800) == (statuses[0] == 200)
        assert (zone.width == 500) == (statuses[1] == 200)


def test_two_overlapping_intervals_never_both_pass(client_for):
    branch = BranchFactory()
    first, second = (client_for(staff_of(branch, role=Role.MANAGER)) for _ in range(2))
    for weekday in range(ROUNDS):
        statuses = at_once(
            [
                lambda weekday=weekday: first.post(
                    "/api/cafe/opening-hours/", {"weekday": weekday, "opens": "10:00", "closes": "16:00"}, format="json"
                ),
                lambda weekday=weekday: second.post(
                    "/api/cafe/opening-hours/", {"weekday": weekday, "opens": "15:00", "closes": "22:00"}, format="json"
                ),
            ]
        )
        assert sorted(statuses) == [201, 400], statuses
        assert OpeningHours.unscoped.filter(branch=branch, weekday=weekday).count() == 1


def test_a_hall_with_room_for_one_more_takes_one(client_for, settings):
    settings.ZONE_MAX_TABLES = 1
    branch = BranchFactory()
    clients = [client_for(staff_of(branch, role=Role.MANAGER)) for _ in range(2)]
    for round_ in range(ROUNDS):
        zone = ZoneFactory(branch=branch)
        statuses = at_once(
            [
                lambda client=client, n=n, round_=round_, zone=zone: client.post(
                    "/api/cafe/tables/", {"number": 100 * round_ + n + 1, "zone": str(zone.pk)}, format="json"
                )
                for n, client in enumerate(clients)
            ]
        )
        assert sorted(statuses) == [201, 409], statuses
        assert Table.unscoped.filter(zone=zone).count() == 1
    assert Zone.unscoped.filter(branch=branch).count() == ROUNDS
