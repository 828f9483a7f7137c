"""End to end: clients that open connections and never finish a request (its head
or its body), or hold more connections than a process serves, against a real
server process."""

import json
import select
import socket
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from email.message import Message

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from cafe.tests.factories import BranchFactory, staff_of
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.conftest import ORDERS, receive, url

# Real server processes: the end-to-end tests run one after another on one worker (make test).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("e2e")]

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 3
CAP = 20
PARTIAL_HEAD = b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
BODY = b'{"email": "slow@x.cafe", "password": "dribbled-one-byte-at-a-time"}'
POST_HEAD = (
    b"POST /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n" % len(BODY)
)


def get(server, path: str = "/api/users/me/") -> tuple[int, Message, dict]:
    try:
        with urllib.request.urlopen(server.http + path, timeout=5) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def raw(server, data: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    if data:
        sock.sendall(data)
    return sock


def closed_after(sock: socket.socket, timeout: float) -> bytes:
    """Reads until the server closes the connection; everything it sent."""
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


@pytest.fixture
def server(start_server):
    # One company may take every place here: these tests are about the process's cap
    # itself (its share of it per company: test_socket_limits.py).
    timeouts = {"HTTP_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "HTTP_BODY_TIMEOUT": str(BODY_TIMEOUT)}
    return start_server("guarded", MAX_CONNECTIONS=str(CAP), WEBSOCKET_COMPANY_SHARE="1", **timeouts)


def test_silent_connections_are_closed_and_never_starve_a_real_request(server):
    with ExitStack() as stack:
        started = time.monotonic()
        silent = [stack.enter_context(raw(server)) for _ in range(CAP)]
        partial = [stack.enter_context(raw(server, PARTIAL_HEAD)) for _ in range(2 * CAP)]
        # Three times the cap waiting for their heads: a real request still gets its answer,
        # the place of the connection that waited longest.
        status, _, body = get(server)
        assert status == 401
        assert "detail" in body
        assert [closed_after(sock, timeout=HEADER_TIMEOUT + 3) for sock in silent] == [b""] * CAP
        for sock in partial:
            assert closed_after(sock, timeout=HEADER_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < HEADER_TIMEOUT + 3
    assert get(server)[0] == 401


def test_a_partial_head_is_answered_408_after_the_timeout(server):
    with raw(server, PARTIAL_HEAD) as sock:
        started = time.monotonic()
        assert closed_after(sock, timeout=HEADER_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")
        assert HEADER_TIMEOUT - 0.5 < time.monotonic() - started < HEADER_TIMEOUT + 2


def test_a_keep_alive_connection_gets_the_same_time_for_its_next_head(server):
    request = b"GET /api/users/me/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with raw(server, request) as sock:
        sock.settimeout(5)
        response = b""
        while not response.endswith(b"}"):  # the whole 401 answer, JSON body last
            response += sock.recv(4096)
        assert response.startswith(b"HTTP/1.1 401 ")
        sock.sendall(PARTIAL_HEAD)  # before the 5 s keep-alive timeout, then nothing more
        started = time.monotonic()
        assert closed_after(sock, timeout=HEADER_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < HEADER_TIMEOUT + 2


def dribble(sockets: list[socket.socket], byte: int) -> list[socket.socket]:
    """Sends the body's next byte on each socket the server has not answered yet
    (writing after its answer could reset the connection before the answer is
    read); those sockets."""
    readable, _, _ = select.select(sockets, [], [], 0)
    alive = [sock for sock in sockets if sock not in readable]
    for sock in alive:
        sock.sendall(BODY[byte : byte + 1])
    return alive


def answer(sock: socket.socket) -> bytes:
    """The whole answer to a request with a JSON body (or an empty one)."""
    sock.settimeout(5)
    response = b""
    while not (response.endswith(b"}") or (response.endswith(b"\r\n\r\n") and b"content-length: 0" in response)):
        chunk = sock.recv(4096)
        assert chunk, response
        response += chunk
    return response


def test_a_body_that_does_not_arrive_in_time_is_answered_408(server):
    with raw(server, POST_HEAD + BODY[:1]) as sock:
        started = time.monotonic()
        # A byte a second keeps the connection busy, but never past the body's deadline.
        for byte in range(1, len(BODY)):
            time.sleep(1)
            if not dribble([sock], byte):
                break
        assert byte < len(BODY) - 1
        assert closed_after(sock, timeout=BODY_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")
        assert BODY_TIMEOUT - 0.5 < time.monotonic() - started < BODY_TIMEOUT + 2
    assert get(server)[0] == 401


def test_a_body_in_pieces_within_the_deadline_is_served(server):
    with raw(server, POST_HEAD) as sock:
        for piece in (BODY[:10], BODY[10:30], BODY[30:]):
            time.sleep(0.5)
            sock.sendall(piece)
        assert answer(sock).startswith(b"HTTP/1.1 401 ")
        # The same connection, kept alive: its next body has its own deadline.
        sock.sendall(POST_HEAD + BODY[:5])
        assert closed_after(sock, timeout=BODY_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")


def test_dribbled_bodies_never_starve_a_real_request(server):
    with ExitStack() as stack:
        started = time.monotonic()
        slow = [stack.enter_context(raw(server, POST_HEAD + BODY[:1])) for _ in range(CAP)]
        time.sleep(0.5)
        alive = dribble(slow, 1)
        assert len(alive) == CAP  # every place is held by a request whose body is arriving
        # A real request takes the place of the body that has waited longest, which is answered 408.
        status, _, body = get(server)
        assert status == 401
        assert "detail" in body
        assert closed_after(slow[0], timeout=1).startswith(b"HTTP/1.1 408 ")
        with raw(server, POST_HEAD + BODY) as sock:
            assert answer(sock).startswith(b"HTTP/1.1 401 ")
        for byte in range(2, len(BODY)):
            time.sleep(0.5)
            if not (alive := dribble(alive, byte)):
                break
        assert byte < len(BODY) - 1
        for sock in slow[1:]:
            assert closed_after(sock, timeout=BODY_TIMEOUT + 3).startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < BODY_TIMEOUT + 3
    assert get(server)[0] == 401


def test_a_websocket_handshake_never_completed_is_closed(server):
    head = f"GET {ORDERS}?token=x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    with raw(server, head.encode()) as sock:
        started = time.monotonic()
        closed_after(sock, timeout=HEADER_TIMEOUT + 3)
        assert time.monotonic() - started < HEADER_TIMEOUT + 2


def test_over_the_cap_of_busy_connections_requests_and_websockets_get_503(server):
    branch = BranchFactory()
    token = access_token(staff_of(branch))
    with ExitStack() as stack:
        sockets = [stack.enter_context(connect(url(server, ORDERS, token), open_timeout=10)) for _ in range(CAP)]
        for ws in sockets:
            assert receive(ws)["type"] == "connection_established"
        # Every place is taken by an open WebSocket: nothing to make room with.
        status, headers, body = get(server)
        assert status == 503
        assert headers["Retry-After"] == "1"
        assert body == {"detail": "The server is at its connection limit; try again shortly."}
        with pytest.raises(InvalidStatus) as refused:
            connect(url(server, ORDERS, token), open_timeout=5)
        assert refused.value.response.status_code == 503
        assert refused.value.response.headers["Retry-After"] == "1"

        sockets.pop().close()
        time.sleep(0.2)
        assert get(server)[0] == 401
    assert get(server)[0] == 401
    time.sleep(0.3)
    assert "Connection limit (20) reached" in server.log()


def test_a_token_in_a_query_string_is_redacted_however_it_is_encoded(server):
    token = access_token(staff_of(BranchFactory()))
    # The consumer reads what parse_qs decodes: `%74oken` is its token; the others it
    # ignores (4003), but they are secrets all the same.
    with connect(f"{server.ws}{ORDERS}?%74oken={token}&since=0", open_timeout=10) as ws:
        assert receive(ws)["type"] == "connection_established"
    names = ["TOKEN", "Token", "%54%4F%4B%45%4E", "access%5Ftoken", "ACCESS_TOKEN", "+token", "token%20"]
    for name in names:
        refused = connect(f"{server.ws}{ORDERS}?{name}={token}&since=0", open_timeout=10)
        with refused, pytest.raises(ConnectionClosed):
            refused.recv(timeout=5)
    status, _, _ = get(server, f"/api/users/me/?Access_Token={token}")
    assert status == 401
    time.sleep(0.3)
    log = server.log()
    for name in ["%74oken", *names]:
        assert f"{ORDERS}?{name}=[redacted]&since=0" in log
    assert "/api/users/me/?Access_Token=[redacted]" in log
    assert token not in log
    assert token.split(".")[2] not in log
