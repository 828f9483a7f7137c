"""Memory under hostile clients, on a real server process (`manage.py serve`, one
worker: the application runs in the process the test started, whose VmRSS it reads).

200 sockets that never read (a 4 KiB receive buffer, raw TCP) while large events
are published, and sockets that send `{"action": "resume", "since": 0}` again and
again without reading: the server's RSS stays within a bound, the non-reading
sockets are closed 1013, and a socket that reads gets every event."""

import base64
import json
import os
import socket
import struct
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.tenancy import tenant_for
from cafe.orders.services import order_update
from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, staff_of
from realtime.tests.consumers.conftest import access_token
from realtime.tests.delivery.conftest import open_socket

# Real server processes: the end-to-end tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]

NON_READERS = 200
RESUMERS = 20
RESUMES_EACH = 5
LOGGED_BEFORE = 20  # events in the log before the sockets join (what `resume` replays)
LIVE = 100  # events published while they are connected: more than the kernel's buffers (4 MiB) hold
# What the test allows the server to grow by. Measured on the reference machine:
# see docs/security.md, "Sockets and memory".
RSS_BOUND_MB = 150


class RawSocket:
    """A WebSocket client on a bare TCP socket that reads only when told to."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(3)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += self._recv()
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        self.buffer, self.position = bytearray(rest), 0

    def _recv(self) -> bytes:
        data = self.sock.recv(1 << 20)
        if not data:
            raise EOFError
        return data

    def _take(self, count: int) -> bytes:
        while len(self.buffer) - self.position < count:
            del self.buffer[: self.position]
            self.position = 0
            self.buffer += self._recv()
        start, self.position = self.position, self.position + count
        return bytes(self.buffer[start : self.position])

    def frame(self) -> tuple[int, bytes]:
        """The next frame from the server: (opcode, payload)."""
        first, second = self._take(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        return first & 0x0F, self._take(length)

    def send_text(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        assert len(payload) < 126
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + masked)

    def close_code(self) -> int | None:
        """Reads everything the server sent, up to its close frame: the close code."""
        try:
            while True:
                opcode, payload = self.frame()
                if opcode == 8:
                    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        except (EOFError, ConnectionResetError, TimeoutError):
            return None


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class PeakRss(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join(5)
        return self.peak


@pytest.fixture
def server(start_server, settings):
    channel = f"cafe.events.test.{uuid.uuid4().hex}"  # no cross-talk with other runs on a shared Redis
    settings.EVENTS_CHANNEL = channel  # what this test process writes reaches the server
    # One waiter's 221 sockets, resuming 100 times: the memory bounds are under test
    # here, not the per-tenant limits (test_socket_limits.py).
    limits = {"WEBSOCKET_MAX_PER_USER": "1000", "WEBSOCKET_REPLAYS_PER_USER": "1000", "WEBSOCKET_COMPANY_SHARE": "1"}
    # Sockets that never read answer no ping either: under load the run outlasts the
    # ping's 40 s, and the keepalive (1011) would close them before their outbox does.
    limits |= {"WEBSOCKET_PING_INTERVAL": "600"}
    return start_server("memory", EVENTS_CHANNEL=channel, **limits)


def test_sockets_that_never_read_cannot_grow_the_server(server, settings):
    pid = server.process.pid
    assert not Path(f"/proc/{pid}/task/{pid}/children").read_text().strip(), "one worker: the app runs in it"
    branch = BranchFactory()
    waiter = staff_of(branch)
    tenant = tenant_for(waiter)
    # The largest order there may be: ORDER_MAX_LINES lines with 200-character titles.
    dish = MenuItemFactory(category__company=branch.company, title="Плов " * 40, price=Decimal("350.00"))
    lines = [(dish, 1)] * django_settings.ORDER_MAX_LINES
    order = order_for(waiter, TableFactory(branch=branch), items=lines)
    guests = iter(range(2, 1000))
    for _ in range(LOGGED_BEFORE):
        order_update(tenant=tenant, order_id=order.pk, guests=next(guests))
    path = f"/ws/cafe/orders/?token={access_token(waiter)}"

    non_readers = [RawSocket(server.port, path) for _ in range(NON_READERS)]
    resumers = [RawSocket(server.port, path) for _ in range(RESUMERS)]
    for raw in non_readers + resumers:
        assert json.loads(raw.frame()[1])["type"] == "connection_established"
    reader = open_socket(f"{server.ws}{path}").__enter__()
    latest = json.loads(reader.recv(timeout=10))["seq"]
    received: list[int] = []

    def read() -> None:
        while len(received) < LIVE:
            received.append(json.loads(reader.recv(timeout=30))["seq"])

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    time.sleep(1)
    baseline = rss_mb(pid)
    peak = PeakRss(pid)
    peak.start()
    try:
        for raw in resumers:
            for _ in range(RESUMES_EACH):
                raw.send_text('{"action": "resume", "since": 0}')
        for _ in range(LIVE):
            order_update(tenant=tenant, order_id=order.pk, guests=next(guests))
        reading.join(60)
        assert received == list(range(latest + 1, latest + LIVE + 1)), "a reading socket is held up by no one"
        time.sleep(1)
    finally:
        highest = peak.stop()
        reader.close()
    growth = highest - baseline
    print(f"RSS: baseline {baseline:.1f} MB, peak {highest:.1f} MB, growth {growth:.1f} MB")
    assert growth < RSS_BOUND_MB, (baseline, highest)

    codes = [raw.close_code() for raw in non_readers + resumers]
    # Anything else (a 1011) was an error of ours: the server's log says which.
    log = server.log()
    if codes != [1013] * (NON_READERS + RESUMERS):
        print(log[log.find("Traceback") :][:8000] if "Traceback" in log else log[-3000:])  # shown with the failure
    assert codes == [1013] * (NON_READERS + RESUMERS), sorted(set(codes), key=str)
    assert server.log().count("closing a socket 1013") == NON_READERS + RESUMERS


def test_a_socket_that_answers_no_ping_is_closed_and_a_listening_one_stays(start_server):
    """The protocol-level keepalive (WEBSOCKET_PING_INTERVAL, WEBSOCKET_PING_TIMEOUT):
    a client that reads nothing answers no ping and is closed 1011 once the timeout
    passes; a client that reads (its library answers pings) stays open."""
    server = start_server("keepalive", WEBSOCKET_PING_INTERVAL="1", WEBSOCKET_PING_TIMEOUT="1")
    waiter = staff_of(BranchFactory())
    path = f"/ws/cafe/orders/?token={access_token(waiter)}"
    silent = RawSocket(server.port, path)
    assert json.loads(silent.frame()[1])["type"] == "connection_established"
    with open_socket(f"{server.ws}{path}") as listening:
        assert json.loads(listening.recv(timeout=10))["type"] == "connection_established"
        time.sleep(4)  # two intervals and a timeout: the silent socket has missed a ping
        silent.sock.settimeout(10)
        assert silent.close_code() == 1011
        listening.send('{"action": "ping"}')
        assert json.loads(listening.recv(timeout=10)) == {"type": "pong"}
