"""End to end, the attacks of issue 18 on real server processes: one company's sockets
filling a process so that every other company got 503, and sockets replaying the whole
event log again and again (docs/security.md, "Sockets per tenant")."""

import json
import time
from contextlib import ExitStack

import pytest
from websockets.sync.client import connect

from accounts.models import Role
from cafe.tests.factories import BranchFactory, TableFactory, owner_of, staff_of
from realtime.tests.consumers.conftest import access_token
from realtime.tests.e2e.test_two_servers import ORDERS, TABLES, close_code, http, receive, url

pytestmark = pytest.mark.django_db(transaction=True)

CAP = 20  # MAX_CONNECTIONS of the process: a company may hold half of it (WEBSOCKET_COMPANY_SHARE)
SHARE = CAP // 2


def refusal(ws) -> dict:
    """The error frame of a socket over a limit, and its close code, 4029."""
    error = receive(ws)
    assert close_code(ws) == 4029
    return error


def test_one_company_cannot_take_a_process_from_the_others(start_server):
    server = start_server("shared", MAX_CONNECTIONS=str(CAP))
    attacker_branch, branch = BranchFactory(), BranchFactory()
    attacker, waiter, owner = staff_of(attacker_branch), staff_of(branch), owner_of(branch.company)
    TableFactory(branch=branch)
    with ExitStack() as stack:
        # One waiter of company B opens socket after socket: half the process, then 4029.
        sockets, refusals = [], []
        for _ in range(CAP + 5):
            ws = stack.enter_context(connect(url(server, ORDERS, access_token(attacker), lang="en"), open_timeout=10))
            first = receive(ws)
            if first["type"] == "connection_established":
                sockets.append(ws)
                continue
            assert first == {
                "type": "error",
                "code": "too_many_sockets",
                "message": f"This company already holds {SHARE} sockets on this server process, its share of "
                "the connections; try again shortly.",
            }
            assert close_code(ws) == 4029
            refusals.append(first)
        assert len(sockets) == SHARE
        assert len(refusals) == CAP + 5 - SHARE
        for ws in sockets:
            ws.send('{"action": "ping"}')
            assert receive(ws) == {"type": "pong"}
        # Company A still gets in, on every socket and on REST, by any role; so does B on REST.
        for user, path in ((waiter, ORDERS), (waiter, TABLES), (owner, ORDERS)):
            ws = stack.enter_context(connect(url(server, path, access_token(user)), open_timeout=10))
            assert receive(ws)["type"] == "connection_established"
        status, tables = http(server, "GET", "/api/cafe/tables/", access_token(waiter))
        assert status == 200
        assert tables["count"] == 1
        assert http(server, "GET", "/api/users/me/", access_token(attacker))[0] == 200
        # A socket of B's that closes gives its place back.
        sockets.pop().close()
        time.sleep(0.2)
        ws = stack.enter_context(connect(url(server, ORDERS, access_token(attacker)), open_timeout=10))
        assert receive(ws)["type"] == "connection_established"


def test_a_users_sockets_count_over_every_process_and_a_killed_ones_come_back(start_server):
    env = {"WEBSOCKET_MAX_PER_USER": "4", "WEBSOCKET_SLOT_SECONDS": "3"}
    a, b = start_server("a", **env), start_server("b", **env)
    waiter = staff_of(BranchFactory())
    token = access_token(waiter)
    with ExitStack() as stack:
        for server in (a, a, b, b):
            ws = stack.enter_context(connect(url(server, ORDERS, token), open_timeout=10))
            assert receive(ws)["type"] == "connection_established"
        for server in (a, b):
            with connect(url(server, TABLES, token, lang="en"), open_timeout=10) as ws:
                assert refusal(ws)["message"] == (
                    "This user already has 4 sockets open, the most allowed; close one and try again."
                )
        # Server a dies without a goodbye: its two slots expire (3 s after its last renewal).
        a.kill()
        deadline = time.monotonic() + 10
        admitted = 0
        while admitted < 2:
            assert time.monotonic() < deadline, "a killed server's slots never came back"
            ws = stack.enter_context(connect(url(b, TABLES, token), open_timeout=10))
            if receive(ws)["type"] == "connection_established":
                admitted += 1
            else:
                assert close_code(ws) == 4029
                time.sleep(0.5)
        with connect(url(b, TABLES, token), open_timeout=10) as ws:
            assert refusal(ws)["code"] == "too_many_sockets"


def test_sockets_replaying_the_whole_log_again_and_again_are_held_to_the_users_limit(start_server):
    """The attack: 20 sockets of one user, each joining with since=0 and sending
    `resume` from 0 twice more. With the defaults (30 replays a user a minute), 30
    replays are sent and the other 30 are refused with an error frame."""
    server = start_server("replays")
    branch = BranchFactory()
    manager, waiter = staff_of(branch, Role.MANAGER), staff_of(branch)
    for number in range(1, 6):
        status, _ = http(server, "POST", "/api/cafe/tables/", access_token(manager), {"number": number, "seats": 2})
        assert status == 201
    token = access_token(waiter)
    replays = refused = 0
    with ExitStack() as stack:
        sockets = []
        for _ in range(20):
            ws = stack.enter_context(connect(url(server, TABLES, token, since=0), open_timeout=10))
            assert receive(ws)["type"] == "connection_established"
            assert [receive(ws)["seq"] for _ in range(5)] == [1, 2, 3, 4, 5]
            replays += 1
            sockets.append(ws)
        for ws in sockets:
            for _ in range(2):
                ws.send(json.dumps({"action": "resume", "since": 0}))
        for ws in sockets:
            for _ in range(2):
                frame = receive(ws)
                if frame["type"] == "error":
                    assert frame["code"] == "too_many_resumes"
                    assert 1 <= frame["retry_after"] <= 60
                    refused += 1
                else:
                    assert [frame["seq"]] + [receive(ws)["seq"] for _ in range(4)] == [1, 2, 3, 4, 5]
                    replays += 1
        assert (replays, refused) == (30, 30)
        # Still open, still answering.
        for ws in sockets:
            ws.send('{"action": "ping"}')
            assert receive(ws) == {"type": "pong"}
        # A new socket with since=0 is refused; without `since` it joins.
        with connect(url(server, TABLES, token, since=0), open_timeout=10) as ws:
            assert refusal(ws)["code"] == "too_many_resumes"
        with connect(url(server, TABLES, token), open_timeout=10) as ws:
            assert receive(ws)["type"] == "connection_established"
