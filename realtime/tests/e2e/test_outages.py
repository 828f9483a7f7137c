"""End to end: PostgreSQL or Redis goes away under a real server process (and comes back).

The test owns a throwaway PostgreSQL cluster (initdb + pg_ctl on a free port) so
it can stop it; the machine's own PostgreSQL is never touched."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, TableFactory, staff_of
from cafe.tests.servers import ROOT, free_port
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, close_code, receive, url

# Real server processes: the end-to-end tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]

PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = PG_BINS[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="cafe-outage-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/cafe"
        # initdb and pg_ctl refuse to run as root.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.dir, "postgres")

    def run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE cafe")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = str(self.bin / "pg_ctl")
        self.run(pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres(services):
    if not PG_BINS or not shutil.which("runuser"):
        reason = "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to start a private cluster"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    pg = PrivatePostgres()
    try:
        pg.create()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": pg.url}, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield pg
    finally:
        pg.remove()


def request(server, method: str, path: str, token: str | None = None, body: dict | None = None, language=None):
    headers = {
        "Content-Type": "application/json",
        **({"Accept-Language": language} if language else {}),
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(server.http + path, method=method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def test_postgresql_outage_answers_503_and_recovers_without_a_500(start_server, private_postgres):
    pg = private_postgres
    server = start_server("outage", DATABASE_URL=pg.url)
    password = "outage-test-Pa55word"
    status, _, registered = request(
        server, "POST", "/api/users/register/", body={"email": "o@x.cafe", "password": password, "company_name": "X"}
    )
    assert status == 202, registered
    status, _, logged_in = request(
        server, "POST", "/api/users/login/", body={"email": "o@x.cafe", "password": password}
    )
    assert status == 200, logged_in
    token = logged_in["access"]
    assert request(server, "GET", "/api/cafe/tables/", token)[0] == 200
    with connect(url(server, ORDERS, token), open_timeout=10) as live:
        assert receive(live)["type"] == "connection_established"

        pg.stop()
        for method, path, body in [
            ("GET", "/api/cafe/tables/", None),
            ("GET", "/api/users/me/", None),
            ("POST", "/api/users/login/", {"email": "o@x.cafe", "password": password}),
        ]:
            started = time.monotonic()
            status, headers, answer = request(server, method, path, token, body, language="en")
            assert (status, headers["Retry-After"]) == (503, "5"), answer
            assert answer == {"detail": "The service is temporarily unavailable; try again shortly."}
            assert time.monotonic() - started < 8
        # A socket that cannot be authorised is told to try again later; an open one stays.
        with connect(url(server, ORDERS, token), open_timeout=10) as refused:
            assert close_code(refused, timeout=10) == 1013
        live.send(json.dumps({"action": "ping"}))
        assert receive(live) == {"type": "pong"}

        pg.start()
        statuses = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and statuses[-1:] != [200]:
            statuses.append(request(server, "GET", "/api/cafe/tables/", token)[0])
            time.sleep(0.05)
        for _ in range(40):  # the pool's connections died with the old server: none may fail a request
            statuses.append(request(server, "GET", "/api/cafe/tables/", token)[0])
            time.sleep(0.05)
        assert set(statuses) <= {503, 200}
        assert statuses[-41:] == [200] * 41
        live.send(json.dumps({"action": "ping"}))
        assert receive(live) == {"type": "pong"}
    with connect(url(server, ORDERS, token), open_timeout=10) as again:
        assert receive(again)["type"] == "connection_established"
    assert "Internal Server Error" not in server.log()


def test_without_redis_orders_reach_sockets_from_the_log(start_server):
    # Logging in without Redis: accounts/tests/test_throttle.py (the throttle counts in the database).
    server = start_server("no-redis", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    branch = BranchFactory()
    w = {"waiter": staff_of(branch), "table": TableFactory(branch=branch)}
    token = access_token(w["waiter"])
    with connect(url(server, ORDERS, token), open_timeout=10) as socket:
        seq = receive(socket)["seq"]
        body = {"table": str(w["table"].pk), "guests": 2}
        status, _, order = request(server, "POST", "/api/cafe/orders/", token, body)
        assert status == 201, order
        created = receive(socket, timeout=10)  # from the event log: the hub polls it
        assert (created["type"], created["seq"], created["data"]["order"]) == ("order_created", seq + 1, order)
