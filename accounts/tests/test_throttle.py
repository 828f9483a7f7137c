"""Throttles hold under concurrency, across processes and without Redis; a stranger
cannot lock the owner out."""

import json
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.test import override_settings

from accounts.models import AttemptCounter, User
from accounts.tests.conftest import CountingHasher, in_parallel, post
from accounts.throttle import client_address
from cafe.tests.factories import PASSWORD, UserFactory
from cafe.tests.servers import free_port

LOGIN = "/api/users/login/"
STRONG = "Tr0ub4dor&3-horse"


def login(email: str, password: str, address: str = "127.0.0.1"):
    return post(LOGIN, {"email": email, "password": password}, address=address)


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURES_ALLOWED=5)
def test_forty_concurrent_wrong_passwords_get_exactly_five_checks(monkeypatch):
    UserFactory(email="owner@example.com")
    hasher = CountingHasher(monkeypatch)
    answers = in_parallel(40, lambda i: login("owner@example.com", f"guess-{i}"))
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {401: 5, 429: 35}
    assert hasher.calls == 5
    throttled = next(answer for answer in answers if answer.status_code == 429)
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900
    assert throttled.json()["detail"]
    # The right password waits out the window too, and is not checked.
    assert login("owner@example.com", PASSWORD).status_code == 429
    assert hasher.calls == 5


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=3, LOGIN_ACCOUNT_FAILURES_ALLOWED=50)
def test_a_stranger_failing_does_not_lock_the_owner_out():
    UserFactory(email="owner@example.com")
    for _ in range(3):
        assert login("owner@example.com", "nope", address="203.0.113.9").status_code == 401
    assert login("owner@example.com", "nope", address="203.0.113.9").status_code == 429
    assert login("owner@example.com", PASSWORD, address="198.51.100.7").status_code == 200


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=2, LOGIN_ACCOUNT_FAILURES_ALLOWED=4)
def test_failures_from_many_addresses_hit_the_account_limit():
    UserFactory(email="owner@example.com")
    for address in ("203.0.113.1", "203.0.113.2"):
        for _ in range(2):
            assert login("owner@example.com", "nope", address=address).status_code == 401
    response = login("owner@example.com", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


@pytest.mark.django_db
@override_settings(LOGIN_ADDRESS_FAILURES_ALLOWED=3)
def test_one_address_guessing_many_accounts_hits_the_address_limit():
    for i in range(3):
        assert login(f"user{i}@example.com", "nope").status_code == 401
    assert login("user9@example.com", "nope").status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_ADDRESS_FAILURES_ALLOWED=2, LOGIN_FAILURES_ALLOWED=2)
def test_successful_logins_use_no_slots():
    """A cafe's tablets share one address: their daily logins never throttle it."""
    users = [UserFactory() for _ in range(5)]
    for user in users * 2:
        assert login(user.email, PASSWORD).status_code == 200


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=2)
def test_the_window_expires_on_its_own():
    UserFactory(email="owner@example.com")
    for _ in range(2):
        login("owner@example.com", "nope")
    assert login("owner@example.com", PASSWORD).status_code == 429
    AttemptCounter.objects.update(expires_at=time.time() - 1)
    assert login("owner@example.com", PASSWORD).status_code == 200


def test_ipv6_addresses_count_per_64_network():
    assert client_address("2001:db8:1:2:aaaa::1") == client_address("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_address("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_address("192.0.2.1") == "192.0.2.1"
    assert client_address("") == "unknown"


# Registration


@pytest.mark.django_db
@override_settings(REGISTRATIONS_ALLOWED=2)
def test_registration_is_throttled_per_address():
    for i in range(2):
        response = post("/api/users/register/", {"email": f"u{i}@example.com", "password": STRONG})
        assert response.status_code == 201
    response = post("/api/users/register/", {"email": "u3@example.com", "password": STRONG, "company_name": "X"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    other = post("/api/users/register/", {"email": "u4@example.com", "password": STRONG}, address="198.51.100.7")
    assert other.status_code == 201


@pytest.mark.django_db(transaction=True)
@override_settings(REGISTRATIONS_ALLOWED=3)
def test_concurrent_registrations_from_one_address_are_bounded():
    answers = in_parallel(
        20,
        lambda i: post(
            "/api/users/register/", {"email": f"c{i}@example.com", "password": STRONG, "company_name": f"Cafe {i}"}
        ),
    )
    assert Counter(answer.status_code for answer in answers) == {201: 3, 429: 17}
    assert User.objects.count() == 3


# The admin's login page goes through the same throttle


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_ALLOWED=2)
def test_admin_login_is_throttled_with_the_api_login(client):
    UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    assert login("boss@example.com", "nope").status_code == 401
    page = client.post("/admin/login/", {"username": "boss@example.com", "password": "nope"})
    assert page.status_code == 200  # the form again, with its error
    page = client.post("/admin/login/", {"username": "boss@example.com", "password": PASSWORD})
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) >= 1
    assert login("boss@example.com", PASSWORD).status_code == 429


# Real server processes


def http_login(server, email: str, password: str) -> int:
    request = urllib.request.Request(
        f"{server.http}{LOGIN}",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def real_hasher(settings):
    """Servers check passwords with the production hasher; MD5 is the tests' own."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]


def test_login_works_with_redis_down(start_server, real_hasher):
    UserFactory(email="waiter@example.com")
    server = start_server("no-redis", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert http_login(server, "waiter@example.com", PASSWORD) == 200
    assert http_login(server, "waiter@example.com", "nope") == 401
    assert "Traceback" not in server.log()


def test_throttle_holds_across_server_processes(start_server, real_hasher):
    UserFactory(email="owner@example.com")
    servers = [start_server("a", LOGIN_FAILURES_ALLOWED="5"), start_server("b", LOGIN_FAILURES_ALLOWED="5")]
    answers = in_parallel(40, lambda i: http_login(servers[i % 2], "owner@example.com", f"guess-{i}"))
    assert Counter(answers) == {401: 5, 429: 35}
    assert http_login(servers[0], "owner@example.com", PASSWORD) == 429
