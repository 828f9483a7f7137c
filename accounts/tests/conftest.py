"""Helpers for the accounts tests: requests from an address, threads released at once,
a password hasher that counts its checks, logging in."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from rest_framework.test import APIClient

from cafe.tests.factories import PASSWORD


def in_parallel(count: int, work: Callable[[int], object]) -> list:
    """Runs ``work(i)`` in ``count`` threads released at the same moment, each with
    its own database connection (tests using it need ``transaction=True``)."""
    barrier = threading.Barrier(count)

    def run(i: int) -> object:
        try:
            barrier.wait()
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def post(path: str, body: dict, address: str = "127.0.0.1", token: str | None = None):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(path, body, format="json", REMOTE_ADDR=address)


class CountingHasher:
    """Counts password checks (``verify`` calls), slowed down so concurrent requests
    really overlap while the password is checked."""

    def __init__(self, monkeypatch, delay: float = 0.02) -> None:
        from django.contrib.auth.hashers import MD5PasswordHasher

        self.calls = 0
        self.lock = threading.Lock()
        original = MD5PasswordHasher.verify

        def verify(hasher, password, encoded):
            with self.lock:
                self.calls += 1
            threading.Event().wait(delay)
            return original(hasher, password, encoded)

        monkeypatch.setattr(MD5PasswordHasher, "verify", verify)


NEWER = "Gl4ss-of-w4ter&toast"


def login(email: str, password: str = PASSWORD) -> dict:
    response = post("/api/users/login/", {"email": email, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()
