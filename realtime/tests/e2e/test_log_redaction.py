"""End to end: a real server's request log never holds a token, under whatever name a
client puts it (issue 18). The socket accepts only ``token``; a client that sends its
valid token as ``token[]``, ``tøken`` or ``auth`` is refused, and its token used to be
written to the log in clear."""

import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from accounts.services import tokens_for
from cafe.tests.factories import BranchFactory, staff_of
from realtime.tests.e2e.test_two_servers import ORDERS, receive

pytestmark = pytest.mark.django_db(transaction=True)

# Names the socket refuses, each with "token" in it however spelt.
REFUSED_NAMES = [
    "token[]",
    "token%5B%5D",
    "token.x",
    "%00token",
    "t%C3%B8ken",  # tøken
    "to%CC%81ken",  # tóken, with a combining accent
    "%D1%82oken",  # a Cyrillic т
    "%D1%82%D0%BE%D0%BA%D0%B5%D0%BD",  # токен
    "%E1%B4%9B%E1%B4%8F%E1%B4%8B%E1%B4%87%C9%B4",  # ᴛᴏᴋᴇɴ, small capitals
    "%EF%BD%94oken",  # a full-width ｔ
    "%2574oken",  # %74oken, encoded twice
    "t0ken",
    "T_O_K_E_N",
    "refresh_token",
]


def refused(url: str) -> None:
    with connect(url, open_timeout=10) as socket, pytest.raises(ConnectionClosed):
        socket.recv(timeout=5)
    assert socket.close_code == 4003


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_no_token_reaches_a_real_servers_request_log(start_server):
    server = start_server("logs")
    pair = tokens_for(staff_of(BranchFactory()))
    access, refresh = pair["access"], pair["refresh"]
    with connect(f"{server.ws}{ORDERS}?token={access}&lang=en", open_timeout=10) as socket:
        assert receive(socket)["type"] == "connection_established"
    for name in REFUSED_NAMES:
        refused(f"{server.ws}{ORDERS}?{name}={access}&since=0")
    # No name at all gives it away: the value is a JWT.
    refused(f"{server.ws}{ORDERS}?auth={access}&since=0")
    refused(f"{server.ws}{ORDERS}?auth=%65{access[1:]}&since=0")  # "e" percent-encoded
    assert get(f"{server.http}/api/users/me/?r={refresh}") == 401
    assert get(f"{server.http}/api/users/me/?token[]={access}") == 401
    assert get(f"{server.http}/api/cafe/{access}/") == 404
    time.sleep(0.3)  # the server flushes its access log lines
    log = server.log()

    assert f"{ORDERS}?token=[redacted]&lang=en" in log
    for name in REFUSED_NAMES:
        assert f"{ORDERS}?{name}=[redacted]&since=0" in log, name
    assert f"{ORDERS}?auth=[redacted]&since=0" in log
    assert "/api/users/me/?r=[redacted]" in log
    assert "/api/users/me/?token[]=[redacted]" in log
    assert "/api/cafe/[redacted]/" in log
    for token in (access, refresh):
        _header, payload, signature = token.split(".")
        assert payload not in log
        assert signature not in log


def test_the_log_keeps_what_is_not_a_token(start_server):
    server = start_server("plain")
    token = tokens_for(staff_of(BranchFactory()))["access"]
    with connect(f"{server.ws}{ORDERS}?token={token}&since=0&lang=en", open_timeout=10) as socket:
        assert receive(socket)["type"] == "connection_established"
    assert get(f"{server.http}/api/cafe/tables/?limit=5&offset=10&branch=x") == 401
    time.sleep(0.3)
    log = server.log()
    assert f"{ORDERS}?token=[redacted]&since=0&lang=en" in log
    assert "/api/cafe/tables/?limit=5&offset=10&branch=x" in log
