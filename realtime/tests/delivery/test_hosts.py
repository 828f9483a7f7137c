"""Across hosts: three app hosts (network namespaces, real servers), a Redis Cluster of
three masters and three replicas, one PostgreSQL. Clients on every host keep dropping
and resuming while waiters take orders on any host; one app host is cut off mid-run
and the master serving the company's channel fails over to its replica. At the end
every client holds exactly the committed events of its scope, in order, none twice."""

import asyncio
import json
import random
import threading
import time

import pytest
from websockets.asyncio.client import connect

from realtime.tests.delivery.conftest import Loop, http, ws_url
from realtime.tests.delivery.test_chaos import (
    CHURN,
    Writers,
    assert_exact_delivery,
    chaos_clients,
    finish,
    run_clients,
    writer_jobs,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("delivery")]


async def first_order_event(server, token: str, ready: threading.Event, out: list) -> None:
    async with connect(ws_url(server, "orders", token), open_timeout=10) as ws:
        json.loads(await asyncio.wait_for(ws.recv(), 10))  # connection_established
        ready.set()
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 20))
            if message["type"] == "order_created":
                out.append(message["data"]["order"]["id"])
                return


def test_orders_on_one_host_reach_the_others_through_a_host_cut_and_a_redis_failover(hosts, make_world, channel):
    world = make_world(branches=2, tables=3, waiters=2)
    env = {"EVENTS_CHANNEL": channel, "HUB_POLL_SECONDS": "0.5", **CHURN}
    live = [hosts.start(n, **env) for n in range(3)]
    loop = Loop()

    # An order taken on the first host reaches a socket on each of the others.
    received: list[str] = []
    waiting = []
    for server in live[1:]:
        ready = threading.Event()
        waiting.append((loop.submit(first_order_event(server, world.owner_token, ready, received)), ready))
    for _, ready in waiting:
        assert ready.wait(15)
    table = str(world.tables[str(world.branches[0].pk)][0].pk)
    body = {"table": table, "guests": 1, "items": [{"menu_item": str(world.menu[0].pk), "quantity": 1}]}
    created = http(live[0].http, "POST", "/api/cafe/orders/", world.owner_token, body)
    assert created.status == 201, created.body
    for future, _ in waiting:
        future.result(20)
    assert received == [created.body["id"]] * 2
    closed = http(live[0].http, "POST", f"/api/cafe/orders/{created.body['id']}/close/", world.owner_token, {})
    assert closed.status == 200, closed.body

    # Then clients churn over every host while waiters write on every host.
    rng = random.Random(3)
    clients = chaos_clients(world, live, rng)
    writers = Writers(live, rng_seed=30)
    writers.menu = [str(item.pk) for item in world.menu]
    stop = threading.Event()
    try:
        futures = run_clients(loop, clients, stop)
        writers.start(writer_jobs(world), iterations=1000)
        time.sleep(2)

        cut = live[0]
        live.remove(cut)
        hosts.cut(0)
        time.sleep(1.5)

        master = hosts.master_of(f"{channel}:{{{world.company.pk}}}")
        hosts.fail_over(master)
        time.sleep(2)

        writers.stop.set()
        writers.join(timeout=120)
        finish(world, loop, clients, stop, futures)
    finally:
        stop.set()
        writers.stop.set()
        loop.close()
    assert writers.failures == []
    assert writers.requests[201] > 10, writers.requests
    assert_exact_delivery(world, clients)
