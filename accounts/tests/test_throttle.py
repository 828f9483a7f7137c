"""Throttles hold under concurrency, across processes and without Redis; a stranger
cannot lock the owner out."""

import json
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import AttemptCounter, User
from accounts.services import tokens_for
from accounts.tests.conftest import CountingHasher, in_parallel, post
from accounts.throttle import client_address
from cafe.tests.factories import PASSWORD, UserFactory
from cafe.tests.servers import free_port

LOGIN = "/api/users/login/"
STRONG = "Tr0ub4dor&3-horse"


def login(email: str, password: str, address: str = "127.0.0.1"):
    return post(LOGIN, {"email": email, "password": password}, address=address)


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURES_ALLOWED=5, LOGIN_QUEUE_SECONDS=60)
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


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURES_ALLOWED=5, LOGIN_CONCURRENCY=12)
def test_twelve_concurrent_right_passwords_all_get_in(monkeypatch):
    """Only failures count: the slots right passwords hold while they are checked are
    waited for, not refused (they used to be: 7 of 12 got 429, Retry-After 900)."""
    UserFactory(email="tablet@example.com")
    hasher = CountingHasher(monkeypatch, delay=0.2)
    answers = in_parallel(12, lambda i: login("tablet@example.com", PASSWORD))
    assert [answer.status_code for answer in answers] == [200] * 12
    assert hasher.calls == 12
    assert AttemptCounter.objects.filter(count__gt=0).count() == 0


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURES_ALLOWED=5, LOGIN_CONCURRENCY=12)
def test_right_passwords_wait_for_the_last_free_slot_instead_of_being_refused(monkeypatch):
    """Four failures leave one slot of five: twelve right passwords at once are
    checked one after another through it, and the first success clears the failures."""
    UserFactory(email="owner@example.com")
    for i in range(4):
        assert login("owner@example.com", f"guess-{i}").status_code == 401
    hasher = CountingHasher(monkeypatch, delay=0.05)
    answers = in_parallel(12, lambda i: login("owner@example.com", PASSWORD))
    assert [answer.status_code for answer in answers] == [200] * 12
    assert hasher.calls == 12
    # Failures still count afterwards: five fill the counter again.
    for i in range(5):
        assert login("owner@example.com", f"again-{i}").status_code == 401
    assert login("owner@example.com", PASSWORD).status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_CONCURRENCY=1, LOGIN_QUEUE_SECONDS=0)
def test_no_free_turn_answers_503_without_checking(monkeypatch):
    from accounts import passwords

    UserFactory(email="owner@example.com")
    hasher = CountingHasher(monkeypatch)
    with passwords.turn(0):
        response = login("owner@example.com", PASSWORD, address="198.51.100.7")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert hasher.calls == 0
    assert AttemptCounter.objects.count() == 0
    assert login("owner@example.com", PASSWORD).status_code == 200


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
        assert response.status_code == 202
    response = post("/api/users/register/", {"email": "u3@example.com", "password": STRONG, "company_name": "X"})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    other = post("/api/users/register/", {"email": "u4@example.com", "password": STRONG}, address="198.51.100.7")
    assert other.status_code == 202


@pytest.mark.django_db(transaction=True)
@override_settings(REGISTRATIONS_ALLOWED=3)
def test_concurrent_registrations_from_one_address_are_bounded():
    answers = in_parallel(
        20,
        lambda i: post(
            "/api/users/register/", {"email": f"c{i}@example.com", "password": STRONG, "company_name": f"Cafe {i}"}
        ),
    )
    assert Counter(answer.status_code for answer in answers) == {202: 3, 429: 17}
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
    env = {"LOGIN_FAILURES_ALLOWED": "5", "LOGIN_QUEUE_SECONDS": "60"}  # the throttle, not the queue, is tested
    servers = [start_server("a", **env), start_server("b", **env)]
    answers = in_parallel(40, lambda i: http_login(servers[i % 2], "owner@example.com", f"guess-{i}"))
    assert Counter(answers) == {401: 5, 429: 35}
    assert http_login(servers[0], "owner@example.com", PASSWORD) == 429


# Staff emails: each answer tells whether an address is taken


@pytest.mark.django_db
@override_settings(EMPLOYEE_EMAILS_ALLOWED=3)
def test_a_self_registered_owner_probing_emails_through_staff_is_throttled(mailoutbox):
    """Anyone can register a company and be its owner; creating staff tells them
    whether an address is taken, so their company gets 3 tries per window."""
    UserFactory(email="victim@example.com")
    registered = post("/api/users/register/", {"email": "eve@example.com", "password": STRONG, "company_name": "Eve"})
    assert registered.status_code == 202
    token = login("eve@example.com", STRONG).json()["access"]

    def probe(email: str):
        body = {"email": email, "password": STRONG, "role": "admin"}
        return post("/api/users/employees/", body, token=token)

    assert probe("victim@example.com").status_code == 400
    assert probe("nobody@example.com").status_code == 201
    eve = User.objects.get(email="eve@example.com")
    me = UserFactory(email="admin@example.com", company=eve.company, role="admin", branch=None)
    changed = patch_employee(token, me.pk, {"email": "victim2@example.com"})
    assert changed.status_code == 200
    refused = probe("victim@example.com")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert patch_employee(token, me.pk, {"email": "victim3@example.com"}).status_code == 429
    # Other changes of staff are not throttled; another company is not either.
    assert patch_employee(token, me.pk, {"first_name": "Ann"}).status_code == 200
    other = UserFactory(role="owner", branch=None)
    assert (
        post(
            "/api/users/employees/",
            {"email": "x@example.com", "password": STRONG, "role": "admin"},
            token=tokens_for(other)["access"],
        ).status_code
        == 201
    )


def patch_employee(token: str, user_id, body: dict):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.patch(f"/api/users/employees/{user_id}/", body, format="json")
