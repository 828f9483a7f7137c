"""Attacks on the password checks, against real server processes (PostgreSQL,
the production password hasher): a flood of logins must not empty the database
pool for everyone else, and parallel right-password logins must all get in."""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from email.message import Message

import pytest

from accounts.services import tokens_for
from accounts.tests.conftest import in_parallel
from cafe.tests.factories import PASSWORD, UserFactory

LOGIN = "/api/users/login/"


def call(server, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, Message, dict]:
    request = urllib.request.Request(
        f"{server.http}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Accept-Language": "en"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, answer.headers, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


@pytest.fixture
def real_hasher(settings) -> dict[str, str]:
    """Servers check passwords with the production hasher (PBKDF2, about 0.4 s each);
    the test's users are made with it too. Returns the servers' environment for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return {"PASSWORD_ITERATIONS": str(settings.PASSWORD_ITERATIONS)}


def test_a_login_flood_leaves_other_users_their_connections(start_server, real_hasher):
    """60 logins at once for unknown emails, on a server with 4 database connections:
    every other user's request keeps answering 200; the logins are answered 401 (checked),
    429 (the address's failure counter is full) or 503 with Retry-After (no turn to hash
    free within LOGIN_QUEUE_SECONDS) — never a 500."""
    waiter = UserFactory(email="waiter@example.com")
    token = tokens_for(waiter)["access"]
    server = start_server(
        "flood", DATABASE_POOL_SIZE="4", LOGIN_CONCURRENCY="2", LOGIN_QUEUE_SECONDS="2", **real_hasher
    )
    flooding = threading.Event()
    flooding.set()
    others: list[int] = []

    def other_user() -> None:
        while flooding.is_set():
            others.append(call(server, "/api/users/me/", token=token)[0])

    reader = threading.Thread(target=other_user)
    reader.start()
    try:
        answers = in_parallel(60, lambda i: call(server, LOGIN, {"email": f"nobody{i}@example.com", "password": "x"}))
    finally:
        flooding.clear()
        reader.join()
    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {401, 429, 503}, statuses
    assert statuses[401] >= 1
    busy = [(headers, body) for status, headers, body in answers if status == 503]
    for headers, body in busy:
        assert headers["Retry-After"] == "1"
        assert body == {"detail": "Too many password checks at once; try again in a moment."}
    assert len(others) >= 3
    assert set(others) == {200}, Counter(others)
    assert "Traceback" not in server.log()


def test_parallel_right_password_logins_all_get_in(start_server, real_hasher):
    """12 devices behind one address log in to one account at once, through two server
    processes: the account-and-address counter (5 failures) is full of checks in flight
    for a moment, and the others wait for their outcome instead of being refused."""
    UserFactory(email="tablet@example.com")
    env = {"LOGIN_FAILURES_ALLOWED": "5", "LOGIN_CONCURRENCY": "6", "LOGIN_QUEUE_SECONDS": "60", **real_hasher}
    servers = [start_server("a", **env), start_server("b", **env)]
    answers = in_parallel(
        12, lambda i: call(servers[i % 2], LOGIN, {"email": "tablet@example.com", "password": PASSWORD})
    )
    assert [status for status, _, _ in answers] == [200] * 12
    # Failures still count: 5 wrong guesses fill the counter, the sixth (and the right password) waits it out.
    for _ in range(5):
        assert call(servers[0], LOGIN, {"email": "tablet@example.com", "password": "wrong"})[0] == 401
    status, headers, _ = call(servers[1], LOGIN, {"email": "tablet@example.com", "password": PASSWORD})
    assert status == 429
    assert 1 <= int(headers["Retry-After"]) <= 900
