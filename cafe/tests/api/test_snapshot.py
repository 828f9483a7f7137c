"""GET /api/cafe/snapshot/: a branch as of one seq (docs/snapshot.md)."""

import json
import threading

import pytest
from django.db import connection

from accounts.models import Company, Role
from accounts.tenancy import tenant_for
from cafe.models import MenuItemBranch, OrderStatus
from cafe.orders.services import order_finish
from cafe.tests.factories import (
    BranchFactory,
    MenuItemFactory,
    StationFactory,
    TableFactory,
    order_for,
    owner_of,
    staff_of,
    station_dish,
)
from core.concurrency import Limit, slot
from realtime.models import Event

URL = "/api/cafe/snapshot/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def floor(db):
    branch = BranchFactory(name="Center")
    station = StationFactory(branch=branch, name="Hot")
    soup = station_dish(station, title="Soup")
    tea = MenuItemFactory(company=branch.company, branch=None, title="Tea")
    MenuItemBranch.unscoped.create(company=branch.company, menu_item=tea, branch=branch, remaining=3)
    waiter = staff_of(branch)
    tables = [TableFactory(branch=branch, number=n) for n in (1, 2, 3)]
    open_order = order_for(waiter, tables[0], [(soup, 2), (tea, 1)])
    done = order_for(waiter, tables[1], [(tea, 1)])
    order_finish(tenant=tenant_for(waiter), order_id=done.pk, status=OrderStatus.CANCELLED)
    return branch, waiter, tables, open_order, soup, tea


def test_a_branch_as_of_one_seq(floor, client_for):
    branch, waiter, _tables, open_order, _soup, _tea = floor

    answer = client_for(waiter).get(URL)

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["seq"] == Company.objects.get(pk=branch.company_id).event_seq > 0
    assert body["branch"] == {"id": str(branch.pk), "name": "Center", "timezone": branch.timezone}
    assert [table["number"] for table in body["tables"]] == [1, 2, 3]
    assert [table["status"] for table in body["tables"]] == ["busy", "free", "free"]
    assert [order["id"] for order in body["orders"]] == [str(open_order.pk)]
    # The soup's two portions for the kitchen; tea is served straight.
    assert [(task["order"], task["status"]) for task in body["tasks"]] == [(str(open_order.pk), "pending")] * 2
    menu = {item["title"]: item for item in body["menu"]}
    assert menu["Tea"]["remaining"] == 2  # 3 set aside, one sold to each order, the cancelled one given back
    assert menu["Soup"]["is_available"] is True
    assert [station["name"] for station in body["stations"]] == ["Hot"]


def test_company_wide_roles_name_the_branch(floor, client_for):
    branch = floor[0]
    owner = owner_of(branch.company)

    assert client_for(owner).get(URL, **EN).json() == {"branch": ["This field is required."]}
    assert client_for(owner).get(URL, {"branch": str(branch.pk)}).status_code == 200
    foreign = BranchFactory()
    assert client_for(owner).get(URL, {"branch": str(foreign.pk)}, **EN).json() == {"branch": ["Branch not found."]}
    assert client_for(owner).get(URL, {"branch": "nope"}).status_code == 400


def test_branch_staff_see_only_their_branch(floor, client_for):
    branch, waiter = floor[0], floor[1]
    sister = BranchFactory(company=branch.company)
    for role in (Role.WAITER, Role.COOK, Role.CASHIER, Role.MANAGER):
        client = client_for(staff_of(branch, role))
        assert client.get(URL).json()["branch"]["id"] == str(branch.pk)
        assert client.get(URL, {"branch": str(sister.pk)}, **EN).json() == {"branch": ["Branch not found."]}
    assert client_for(waiter).post(URL, {}, format="json").status_code == 405


def test_a_company_loading_too_many_at_once_waits(floor, client_for, settings):
    branch, waiter = floor[0], floor[1]
    settings.SNAPSHOT_CONCURRENCY_PER_COMPANY = 1
    with slot(Limit(f"snapshot:company:{branch.company_id}", 1, "held"), lease=30, retry_after=1):
        answer = client_for(waiter).get(URL)
    assert answer.status_code == 429
    assert answer["Retry-After"] == "1"
    assert client_for(waiter).get(URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_snapshots_racing_writes_join_the_stream_exactly(services, client_for):
    """Orders are taken on two tablets while a third loads snapshots: every snapshot
    holds exactly the orders whose ``order_created`` has a seq at or below its own,
    so a socket opened with ``since=seq`` gets each later order once and none twice."""
    branch = BranchFactory()
    dish = MenuItemFactory(company=branch.company, branch=branch)
    tables = [TableFactory(branch=branch, number=n) for n in range(1, 41)]
    writers = [staff_of(branch) for _ in range(2)]
    reader = client_for(staff_of(branch))

    failures: list[object] = []

    def take(user, mine):
        client = client_for(user)
        try:
            for table in mine:
                answer = client.post(
                    "/api/cafe/orders/",
                    {"table": str(table.pk), "guests": 2, "items": [{"menu_item": str(dish.pk), "quantity": 1}]},
                    format="json",
                )
                if answer.status_code != 201:
                    failures.append(answer.content)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user, tables[i::2])) for i, user in enumerate(writers)]
    for thread in threads:
        thread.start()
    snapshots = []
    while any(thread.is_alive() for thread in threads) or not snapshots:
        snapshots.append(reader.get(URL).json())
    for thread in threads:
        thread.join()

    assert failures == []

    created = {}
    for message in Event.objects.filter(company=branch.company, type="order_created").values_list("message", flat=True):
        event = json.loads(message)
        created[event["data"]["order"]["id"]] = event["seq"]
    assert len(created) == len(tables)
    seen_between = 0
    for snapshot in snapshots:
        expected = {order_id for order_id, seq in created.items() if seq <= snapshot["seq"]}
        assert {order["id"] for order in snapshot["orders"]} == expected
        seen_between += 0 < len(expected) < len(tables)
    # The race was real: some snapshots were taken while orders were still arriving.
    assert seen_between > 0, len(snapshots)
