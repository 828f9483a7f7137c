"""Throttles that hold under concurrency and across server processes.

A slot is taken *before* the work it guards (a password check, a registration)
with one atomic ``INSERT … ON CONFLICT DO UPDATE … WHERE count < limit RETURNING``
on the database (PostgreSQL and SQLite alike): of any number of requests arriving
at once, exactly ``limit`` get a slot and the others are refused, whichever
process serves them. No Redis: login keeps working, and keeps being throttled,
when Redis is down. The policy is in docs/security.md.
"""

import ipaddress
import math
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.utils.deprecation import MiddlewareMixin
from rest_framework.exceptions import Throttled

from accounts.models import AttemptCounter

_TABLE = AttemptCounter._meta.db_table

_TAKE_SQL = f"""
INSERT INTO {_TABLE} ("key", "count", "expires_at") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET
    "count" = CASE WHEN {_TABLE}."expires_at" <= %s THEN 1 ELSE {_TABLE}."count" + 1 END,
    "expires_at" = CASE WHEN {_TABLE}."expires_at" <= %s THEN excluded."expires_at" ELSE {_TABLE}."expires_at" END
WHERE {_TABLE}."expires_at" <= %s OR {_TABLE}."count" < %s
RETURNING "expires_at"
"""


class LoginThrottled(Throttled):
    """429 with ``Retry-After``; DRF answers it, and ``ThrottledMiddleware`` does for
    the admin's login page (Django views)."""

    default_detail = "Too many attempts. Try again later."
    wait: float | None  # set by Throttled (the stubs leave it out)


@dataclass(frozen=True)
class Slot:
    key: str
    expires_at: float


def client_address(address: str) -> str:
    """The address a limit is counted for: an IPv4 address, or an IPv6 address's
    /64 network (one subscriber gets a whole /64, so counting single IPv6
    addresses would not bound anyone)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def take(key: str, *, limit: int, window: float) -> Slot:
    """Takes one slot of ``key`` or raises LoginThrottled. Must not run inside a
    transaction that may roll back (a rolled-back slot would not count)."""
    now = time.time()
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SQL, [key, now + window, now, now, now, limit])
        row = cursor.fetchone()
    if row is not None:
        if random.random() < PRUNE_CHANCE:
            prune()
        return Slot(key, row[0])
    expires_at = AttemptCounter.objects.filter(key=key).values_list("expires_at", flat=True).first() or now
    # A window opened by a request that started after this one can end a moment past now + window.
    raise LoginThrottled(wait=min(math.ceil(window), max(1, math.ceil(expires_at - now))))


def give_back(slot: Slot) -> None:
    """Returns a slot to its window (if that window is still the current one)."""
    AttemptCounter.objects.filter(key=slot.key, expires_at=slot.expires_at, count__gt=0).update(count=F("count") - 1)


def reset(slot: Slot) -> None:
    AttemptCounter.objects.filter(key=slot.key, expires_at=slot.expires_at).delete()


class LoginAttempt:
    """The slots one password check holds; see ``login_attempt``."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.succeeded = False


@contextmanager
def login_attempt(*, email: str, address: str) -> Iterator[LoginAttempt]:
    """Holds a password check's slots in three counters, per window of
    ``LOGIN_FAILURE_WINDOW_SECONDS``:

    - this account from this address: ``LOGIN_FAILURES_ALLOWED`` (5);
    - this account from anywhere: ``LOGIN_ACCOUNT_FAILURES_ALLOWED`` (50);
    - this address, any account: ``LOGIN_ADDRESS_FAILURES_ALLOWED`` (50).

    Raises LoginThrottled (429) if any is full. Set ``attempt.succeeded`` when the
    password was right: the first counter is cleared and the others get their slot
    back, so only failures count. A stranger failing from their own addresses
    fills the first counter for their address only; locking the real owner out
    takes ``LOGIN_ACCOUNT_FAILURES_ALLOWED / LOGIN_FAILURES_ALLOWED`` addresses and
    lasts only while they keep failing, one window at a time."""
    window = settings.LOGIN_FAILURE_WINDOW
    email = email.strip().lower()[:254]
    address = client_address(address)
    counters = [
        (f"login:account-address:{email}|{address}", settings.LOGIN_FAILURES_ALLOWED),
        (f"login:address:{address}", settings.LOGIN_ADDRESS_FAILURES_ALLOWED),
        (f"login:account:{email}", settings.LOGIN_ACCOUNT_FAILURES_ALLOWED),
    ]
    slots: list[Slot] = []
    try:
        for key, limit in counters:
            slots.append(take(key, limit=limit, window=window))
    except LoginThrottled:
        for slot in slots:
            give_back(slot)
        raise
    attempt = LoginAttempt(slots)
    yield attempt
    if attempt.succeeded:
        reset(slots[0])
        for slot in slots[1:]:
            give_back(slot)


def registration(*, address: str) -> None:
    """Takes a registration slot for a client address: ``REGISTRATIONS_ALLOWED`` (10)
    per ``REGISTRATION_WINDOW_SECONDS`` (3600); every attempt counts."""
    take(
        f"register:address:{client_address(address)}",
        limit=settings.REGISTRATIONS_ALLOWED,
        window=settings.REGISTRATION_WINDOW,
    )


# Finished windows are deleted now and then by the requests themselves, so the
# table stays about as large as the windows currently open.
PRUNE_CHANCE = 0.01


def prune() -> int:
    """Deletes finished windows."""
    deleted, _ = AttemptCounter.objects.filter(expires_at__lte=time.time()).delete()
    return deleted


class ThrottledMiddleware(MiddlewareMixin):
    """Answers LoginThrottled raised in plain Django views (the admin's login page,
    which checks passwords through the same authentication backend) with 429."""

    def process_exception(self, request, exception):
        if not isinstance(exception, LoginThrottled):
            return None
        response = HttpResponse("Too many attempts. Try again later.", status=429, content_type="text/plain")
        response["Retry-After"] = str(exception.wait)
        return response
