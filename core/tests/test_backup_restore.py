"""A backup and its restore (docs/deploy.md, "Backups"): ``pg_dump -Fc`` of a database with
orders, ``pg_restore`` into a new one, and a real server on the restored database answers
the same orders and resumes a socket with ``since``."""

import json
import os
import shutil
import subprocess
import urllib.request

import psycopg
import pytest
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, staff_of
from cafe.tests.servers import database_url
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, receive, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("ops")]


@pytest.fixture
def restored_database():
    name = f"cafe_restored_{os.getpid()}"
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield database_url().rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def orders_listed(server, token: str) -> list[dict]:
    request = urllib.request.Request(server.http + "/api/cafe/orders/", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["results"]


def test_a_dump_restored_serves_the_same_orders_and_resumes_sockets(
    services, start_server, restored_database, tmp_path
):
    for tool in ("pg_dump", "pg_restore"):
        assert shutil.which(tool), f"{tool} (PostgreSQL's client tools) is needed for backups"
    branch = BranchFactory()
    waiter = staff_of(branch)
    dish = MenuItemFactory(category__company=branch.company, price="120.00")
    orders = [order_for(waiter, TableFactory(branch=branch, number=number), [(dish, number)]) for number in (1, 2, 3)]
    token = access_token(waiter)
    original = start_server("original")
    before = orders_listed(original, token)
    assert {order["id"] for order in before} == {str(order.pk) for order in orders}

    dump = tmp_path / "cafe.dump"
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), database_url()], check=True, timeout=120)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_database, str(dump)], check=True, timeout=120
    )
    original.stop()

    restored = start_server("restored", DATABASE_URL=restored_database)
    assert orders_listed(restored, token) == before
    ready = urllib.request.urlopen(restored.http + "/health/ready", timeout=10)
    assert ready.status == 200
    # A socket resumes from the start of the log: every event of the three orders, in seq order.
    with connect(url(restored, ORDERS, token, since=0), open_timeout=10) as socket:
        greeting = receive(socket)
        assert greeting["type"] == "connection_established"
        replayed = [receive(socket) for _ in range(greeting["seq"])]
    created = [event["data"]["order"]["id"] for event in replayed if event["type"] == "order_created"]
    assert created == [str(order.pk) for order in orders]
    assert [event["seq"] for event in replayed] == list(range(1, greeting["seq"] + 1))
