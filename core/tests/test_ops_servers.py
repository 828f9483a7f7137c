"""Health, metrics and JSON logs of real server processes (PostgreSQL and Redis)."""

import contextlib
import json
import os
import re
import signal
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from email.message import Message

import psycopg
import pytest
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, staff_of
from cafe.tests.servers import database_url, free_port, server_hash
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, TABLES, receive, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("ops")]

METRICS_TOKEN = "scrape-" + "x" * 24


def get(server, path: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(server.http + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def scrape(server) -> dict[str, float]:
    """``/metrics`` as {'name{labels}': value}."""
    status, _headers, body = get(server, "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200, body
    figures = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            figures[name] = float(value)
    return figures


def figure(figures: dict[str, float], name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` that have these labels."""
    total = 0.0
    for key, value in figures.items():
        metric, _, rest = key.partition("{")
        if metric == name and all(f'{label}="{wanted}"' in rest for label, wanted in labels.items()):
            total += value
    return total


def test_live_and_ready_on_a_healthy_server(start_server):
    server = start_server("healthy")
    assert get(server, "/health/live")[0] == 200
    assert json.loads(get(server, "/health/live")[2]) == {"status": "live"}
    status, headers, body = get(server, "/health/ready", Host="10.0.0.7:8000")  # any Host: probes use an IP
    assert (status, json.loads(body)) == (
        200,
        {
            "status": "ready",
            "failing": [],
            "checks": {"database": "ok", "migrations": "ok", "redis": "ok", "hub": "ok"},
        },
    )
    assert headers["Cache-Control"] == "no-store"
    request = urllib.request.Request(server.http + "/health/ready", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 405


def test_ready_names_redis_and_the_hub_when_redis_is_unreachable(start_server):
    closed_port = free_port()
    server = start_server("no-redis", REDIS_URL=f"redis://127.0.0.1:{closed_port}/0")
    assert get(server, "/health/live")[0] == 200
    status, _headers, body = get(server, "/health/ready")
    answer = json.loads(body)
    assert (status, answer["status"], answer["failing"]) == (503, "unavailable", ["redis", "hub"])
    assert answer["checks"]["database"] == answer["checks"]["migrations"] == "ok"
    assert "ConnectionError" in answer["checks"]["redis"]
    assert answer["checks"]["hub"] == "not subscribed to the events channel in Redis"


@pytest.fixture
def unmigrated_database():
    """An empty database next to the test database: nothing migrated."""
    name = f"cafe_unmigrated_{os.getpid()}"
    admin = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    yield database_url().rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_ready_names_unapplied_migrations(start_server, unmigrated_database):
    server = start_server("unmigrated", DATABASE_URL=unmigrated_database)
    status, _headers, body = get(server, "/health/ready")
    answer = json.loads(body)
    assert (status, answer["failing"]) == (503, ["migrations"])
    assert re.fullmatch(r"\d+ unapplied: \w+\.0001_initial, .+ and \d+ more", answer["checks"]["migrations"])


def test_metrics_are_refused_without_the_token(start_server):
    server = start_server("guarded", METRICS_TOKEN=METRICS_TOKEN)
    assert get(server, "/metrics")[0] == 403
    assert get(server, "/metrics", Authorization="Bearer wrong-token-wrong-token")[0] == 403
    off = start_server("off")  # neither a token nor networks, DEBUG off
    assert get(off, "/metrics")[0] == 404


def test_metrics_add_up_over_two_workers_and_forget_a_dead_one(start_server, tmp_path):
    branch = BranchFactory()
    waiter = staff_of(branch)
    token = access_token(waiter)
    figures_dir = tmp_path / "metrics"
    server = start_server(
        "workers", WEB_CONCURRENCY="2", METRICS_TOKEN=METRICS_TOKEN, PROMETHEUS_MULTIPROC_DIR=str(figures_dir)
    )
    me = {"method": "GET", "route": "/api/users/me/", "status": "200"}
    before = figure(scrape(server), "cafe_http_requests_total", **me)

    # Each request on its own connection: the two workers take them as they come.
    def ask(_: int) -> int:
        return get(server, "/api/users/me/", Authorization=f"Bearer {token}")[0]

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(ask, range(60))) == {200}
    workers = {path.stem.rpartition("_")[2] for path in figures_dir.glob("counter_*.db")}
    assert len(workers) == 2  # both workers write their figures
    for _ in range(4):  # whichever worker answers the scrape, the figures are the sum
        assert figure(scrape(server), "cafe_http_requests_total", **me) == before + 60

    with contextlib.ExitStack() as opened:
        streams = [ORDERS] * 6 + [TABLES] * 2
        sockets = [opened.enter_context(connect(url(server, stream, token), open_timeout=10)) for stream in streams]
        for socket in sockets:
            assert receive(socket)["type"] == "connection_established"
        for _ in range(3):
            figures = scrape(server)
            assert figure(figures, "cafe_websockets_open", stream="orders") == 6
            assert figure(figures, "cafe_websockets_open", stream="tables") == 2

        # A worker killed with sockets open: its sockets no longer count once it is gone.
        holding = {
            int(m.group(1)) for p in figures_dir.glob("gauge_livesum_*.db") if (m := re.search(r"_(\d+)\.db$", p.name))
        }
        victim = sorted(holding)[0]
        os.kill(victim, signal.SIGKILL)
        alive = []
        for socket in sockets:
            try:
                socket.send('{"action": "ping"}')
                receive(socket, timeout=3)
                alive.append(socket)
            except Exception:
                pass
        assert len(alive) < len(sockets)
        deadline = time.monotonic() + 10
        while figure(scrape(server), "cafe_websockets_open") != len(alive) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert figure(scrape(server), "cafe_websockets_open") == len(alive)
        # Counters keep what the dead worker counted.
        assert figure(scrape(server), "cafe_http_requests_total", **me) == before + 60


def test_json_logs_carry_the_request_id_and_never_a_secret(start_server):
    branch = BranchFactory()
    waiter = staff_of(branch, email="json.logs@example.com")
    waiter.password = server_hash("a-Secret-Passw0rd", "ops-salt-1234")
    waiter.save()
    token = access_token(waiter)
    server = start_server("json", LOG_FORMAT="json")
    status, headers, _body = get(
        server, "/api/users/me/", Authorization=f"Bearer {token}", **{"X-Request-ID": "probe-7"}
    )
    assert (status, headers["X-Request-ID"]) == (200, "probe-7")
    login = urllib.request.Request(
        server.http + "/api/users/login/",
        data=json.dumps({"email": "json.logs@example.com", "password": "a-Secret-Passw0rd"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(login, timeout=10) as answered:
        assert answered.status == 200
    with connect(url(server, ORDERS, token), open_timeout=10) as socket:
        assert receive(socket)["type"] == "connection_established"
    server.stop()
    lines = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    (me,) = [line for line in lines if line.get("request_id") == "probe-7"]
    assert me["duration_ms"] >= 0
    del me["time"], me["duration_ms"]
    assert me == {
        "level": "INFO",
        "logger": "cafe.requests",
        "message": "GET /api/users/me/ 200",
        "request_id": "probe-7",
        "method": "GET",
        "route": "/api/users/me/",
        "status": 200,
        "user_id": str(waiter.pk),
        "company_id": str(waiter.company_id),
    }
    assert any(line.get("route") == "/api/users/login/" and line["status"] == 200 for line in lines)
    text = server.log()
    for secret in (token, token.split(".")[1], "a-Secret-Passw0rd"):
        assert secret not in text
    assert '"GET /api/users/me/ HTTP/1.1" 200' not in text  # uvicorn's own request lines are left out
