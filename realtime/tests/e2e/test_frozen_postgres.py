"""End to end: PostgreSQL freezes (keeps its connections open and answers
nothing, as a stopped process, a paused VM or a stuck proxy does) under a real
server process, and thaws.

A TCP proxy in the test stands between the server and the test database; frozen,
it accepts connections and holds everything sent either way; thawed, it
forwards what it held and goes on."""

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, TableFactory, staff_of
from core.availability import backend_unavailable
from core.postgres import STATEMENT_MARGIN, bounded_connection_class
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.test_outages import request
from realtime.tests.e2e.test_two_servers import ORDERS, close_code, receive, url

pytestmark = pytest.mark.django_db(transaction=True)

POOL_TIMEOUT, CONNECT_TIMEOUT, STATEMENT_TIMEOUT = 2, 2, 3
# The documented bounds (docs/security.md, "PostgreSQL unreachable"), and a second for a
# busy machine: a request that borrows a connection after the freeze (its health check
# waits as long as a connection attempt), and one whose statement was sent before it.
ARRIVING_BOUND = POOL_TIMEOUT + CONNECT_TIMEOUT + 1
IN_FLIGHT_BOUND = POOL_TIMEOUT + STATEMENT_TIMEOUT + STATEMENT_MARGIN + 1
SOCKETS = 30
UNAVAILABLE = {"detail": "The service is temporarily unavailable; try again shortly."}


class FreezingProxy:
    """Forwards TCP connections on ``port`` to PostgreSQL, on its own thread and loop."""

    def __init__(self) -> None:
        db = settings.DATABASES["default"]
        self.target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
        self.loop = asyncio.new_event_loop()
        self.thawed = asyncio.Event()
        self.thawed.set()
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._connected, "127.0.0.1", 0), self.loop
        ).result(5)
        self.port = self.server.sockets[0].getsockname()[1]

    def url(self) -> str:
        db = settings.DATABASES["default"]
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@127.0.0.1:{self.port}/{db['NAME']}"

    def freeze(self) -> None:
        self.loop.call_soon_threadsafe(self.thawed.clear)

    def thaw(self) -> None:
        self.loop.call_soon_threadsafe(self.thawed.set)

    def close(self) -> None:
        async def stop() -> None:
            self.server.close()
            for writer in self.writers:
                writer.close()  # each pipe reads its end and finishes
            if connections := asyncio.all_tasks() - {asyncio.current_task()}:
                await asyncio.wait(connections, timeout=5)

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    async def _connected(self, client_reader, client_writer) -> None:
        self.writers.add(client_writer)
        await self.thawed.wait()  # frozen: the connection is accepted and never greeted
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers.add(server_writer)
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.thawed.wait()  # frozen: held, neither forwarded nor refused
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()


@pytest.fixture
def proxy(services):
    proxy = FreezingProxy()
    yield proxy
    proxy.thaw()
    proxy.close()


def refused_socket(server, token: str, bound: float) -> int | None:
    with connect(url(server, ORDERS, token), open_timeout=2 * bound) as socket:
        return close_code(socket, timeout=2 * bound)


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


# Without health checks a borrowed connection's first statement meets the freeze, as
# one sent just before it does.
@pytest.mark.parametrize(("health_checks", "bound"), [("true", ARRIVING_BOUND), ("false", IN_FLIGHT_BOUND)])
def test_a_frozen_postgresql_answers_503_within_the_bound_and_recovers(start_server, proxy, health_checks, bound):
    branch = BranchFactory()
    table = TableFactory(branch=branch)
    token = access_token(staff_of(branch))
    server = start_server(
        "frozen-db",
        DATABASE_URL=proxy.url(),
        DATABASE_POOL_SIZE="4",
        DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT),
        DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
        DATABASE_STATEMENT_TIMEOUT=str(STATEMENT_TIMEOUT),
        DATABASE_HEALTH_CHECKS=health_checks,
    )
    assert request(server, "GET", "/api/cafe/tables/", token)[0] == 200
    with connect(url(server, ORDERS, token), open_timeout=10) as live:
        assert receive(live)["type"] == "connection_established"

        proxy.freeze()
        (status, headers, answer), took = timed(request, server, "GET", "/api/cafe/tables/", token, language="en")
        assert (status, headers["Retry-After"], answer) == (503, "5", UNAVAILABLE)
        assert took < bound
        body = {"table": str(table.pk), "guests": 2}
        (status, headers, answer), took = timed(request, server, "POST", "/api/cafe/orders/", token, body, "en")
        assert (status, headers["Retry-After"], answer) == (503, "5", UNAVAILABLE)
        assert took < bound
        # A new socket that cannot be authorised is told to try again later; the open one stays.
        started = time.monotonic()
        with connect(url(server, ORDERS, token), open_timeout=bound) as refused:
            assert close_code(refused, timeout=bound) == 1013
        assert time.monotonic() - started < bound
        # Many at once: the first to find the database frozen wait for it, the others are
        # refused at once instead of each waiting out the same timeouts a few at a time.
        with ThreadPoolExecutor(SOCKETS) as opening:
            refusals = list(opening.map(lambda _: timed(refused_socket, server, token, bound), range(SOCKETS)))
        assert [code for code, _ in refusals] == [1013] * SOCKETS
        assert max(took for _, took in refusals) < 2 * bound
        live.send(json.dumps({"action": "ping"}))
        assert receive(live) == {"type": "pong"}

        proxy.thaw()
        statuses: list[int] = []
        deadline = time.monotonic() + 60  # the pool reconnects, backing off
        while time.monotonic() < deadline and statuses[-1:] != [200]:
            statuses.append(request(server, "GET", "/api/cafe/tables/", token)[0])
            time.sleep(0.1)
        assert set(statuses) <= {503, 200}
        assert statuses[-1] == 200
        status, _, created = request(server, "POST", "/api/cafe/orders/", token, body)
        assert status == 201, created
    assert "Internal Server Error" not in server.log()
    assert "Traceback" not in server.log()


def test_a_statement_gets_no_answer_from_a_frozen_server_for_at_most_its_bound(proxy):
    bounded = bounded_connection_class(answer_timeout=1, check_timeout=0.5)
    with bounded.connect(proxy.url(), autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        proxy.freeze()
        with pytest.raises(psycopg.OperationalError) as frozen:
            conn.execute("SELECT 1")
        assert str(frozen.value) == "PostgreSQL did not answer within 1 s; the connection is closed."
        assert conn.closed
        # A new connection is never greeted: it gives up after its connect_timeout.
        with pytest.raises(psycopg.OperationalError, match="connection timeout expired"):
            bounded.connect(proxy.url(), connect_timeout=2)


def test_the_health_check_gets_the_connect_bound_and_a_timeout_is_unavailable(proxy):
    bounded = bounded_connection_class(answer_timeout=30, check_timeout=0.5)
    conn = bounded.connect(proxy.url(), autocommit=True)
    proxy.freeze()
    with pytest.raises(psycopg.OperationalError) as frozen:
        conn.execute("")  # psycopg_pool's ConnectionPool.check_connection
    assert str(frozen.value) == "PostgreSQL did not answer within 0.5 s; the connection is closed."
    assert conn.closed
    wrapped = OperationalError(str(frozen.value))  # as Django raises it: from the driver's error
    wrapped.__cause__ = frozen.value
    assert backend_unavailable(wrapped)


def test_the_servers_connections_are_bounded_and_kept_alive(services):
    from django.db import connection

    with connection.cursor():
        conn = connection.connection
    assert (conn.answer_timeout, conn.check_timeout) == (30 + STATEMENT_MARGIN, 3)
    parameters = conn.info.get_parameters()
    assert {name: parameters.get(name) for name in ("connect_timeout", "tcp_user_timeout", "keepalives_idle")} == {
        "connect_timeout": "3",
        "tcp_user_timeout": "10000",
        "keepalives_idle": "5",
    }
