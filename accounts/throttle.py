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
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from prometheus_client import Counter
from rest_framework.exceptions import Throttled

from accounts.models import AttemptCounter
from accounts.passwords import PasswordChecksBusy, release_connection

_TABLE = AttemptCounter._meta.db_table

# "pending" counts the slots held by password checks still running: the counter is
# full, but some of it may yet be given back (those checks may succeed).
_TAKE_SQL = f"""
INSERT INTO {_TABLE} ("key", "count", "pending", "expires_at") VALUES (%s, 1, %s, %s)
ON CONFLICT ("key") DO UPDATE SET
    "count" = CASE WHEN {_TABLE}."expires_at" <= %s THEN 1 ELSE {_TABLE}."count" + 1 END,
    "pending" = CASE WHEN {_TABLE}."expires_at" <= %s
        THEN excluded."pending" ELSE {_TABLE}."pending" + excluded."pending" END,
    "expires_at" = CASE WHEN {_TABLE}."expires_at" <= %s THEN excluded."expires_at" ELSE {_TABLE}."expires_at" END
WHERE {_TABLE}."expires_at" <= %s OR {_TABLE}."count" < %s
RETURNING "expires_at"
"""

# How often a login whose counter is full of checks still running looks again.
PENDING_POLL_SECONDS = 0.05


THROTTLED = Counter(
    "cafe_throttled_total", "Requests refused 429 by a throttle: login, pin, register or employee-email.", ["what"]
)


class LoginThrottled(Throttled):
    """429 with ``Retry-After``; DRF answers it, and ``ThrottledMiddleware`` does for
    the admin's login page (Django views)."""

    default_detail = gettext_lazy("Too many attempts. Try again later.")
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


@dataclass(frozen=True)
class Refusal:
    """A full counter: ``wait`` seconds until its window ends. ``failed`` when its
    slots are all failures; otherwise some are held by checks still running (or
    were given back since), so it may free up."""

    wait: int
    failed: bool


def _try_take(key: str, *, limit: int, window: float, pending: bool) -> Slot | Refusal:
    now = time.time()
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SQL, [key, int(pending), now + window, now, now, now, now, limit])
        row = cursor.fetchone()
    if row is not None:
        if random.random() < PRUNE_CHANCE:
            prune()
        return Slot(key, row[0])
    # Read apart from the refusal: slots may have been given back, or the window ended, since.
    expires_at, count, held = AttemptCounter.objects.filter(key=key).values_list(
        "expires_at", "count", "pending"
    ).first() or (now, 0, 0)
    # A window opened by a request that started after this one can end a moment past now + window.
    wait = min(math.ceil(window), max(1, math.ceil(expires_at - now)))
    return Refusal(wait=wait, failed=expires_at > now and count - held >= limit)


def take(key: str, *, limit: int, window: float) -> Slot:
    """Takes one slot of ``key`` for good (every attempt counts) or raises
    LoginThrottled. Must not run inside a transaction that may roll back (a
    rolled-back slot would not count)."""
    taken = _try_take(key, limit=limit, window=window, pending=False)
    if isinstance(taken, Refusal):
        THROTTLED.labels(what=key.partition(":")[0]).inc()
        raise LoginThrottled(wait=taken.wait)
    return taken


# Each statement below changes one counter row: statements that lock several rows
# at once, in whatever order the database scans them, deadlock each other.


def _slot(slot: Slot) -> "QuerySet[AttemptCounter]":
    return AttemptCounter.objects.filter(key=slot.key, expires_at=slot.expires_at, pending__gt=0)


def _give_back(slots: list[Slot]) -> None:
    """Returns pending slots to their windows (if those are still the current ones)."""
    for slot in slots:
        _slot(slot).update(count=F("count") - 1, pending=F("pending") - 1)


def _settle(slots: list[Slot], *, succeeded: bool) -> None:
    """Ends a password check: a failure keeps its slots (they now count); a success
    gives them back and clears the failures of the first counter (this account from
    this address), keeping the slots of other checks still running."""
    if not succeeded:
        for slot in slots:
            _slot(slot).update(pending=F("pending") - 1)
        return
    first, *others = slots
    _slot(first).update(count=F("pending") - 1, pending=F("pending") - 1)
    _give_back(others)


class LoginAttempt:
    """The slots one password check holds; see ``login_attempt``."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.succeeded = False


@contextmanager
def login_attempt(*, email: str, address: str, deadline: float) -> Iterator[LoginAttempt]:
    """Holds a password check's slots in three counters, per window of
    ``LOGIN_FAILURE_WINDOW_SECONDS``:

    - this account from this address: ``LOGIN_FAILURES_ALLOWED`` (5);
    - this account from anywhere: ``LOGIN_ACCOUNT_FAILURES_ALLOWED`` (50);
    - this address, any account: ``LOGIN_ADDRESS_FAILURES_ALLOWED`` (50).

    Only failures count. A slot is held while the password is checked (so any
    number of concurrent guesses get at most ``limit`` checks); set
    ``attempt.succeeded`` when the password was right and the slots are given back
    (and the first counter's failures cleared) when the block ends; otherwise they
    stay, as failures. A counter full of failures raises LoginThrottled (429). A
    counter full while some of its slots are held by checks still running may yet
    free up: the attempt waits for them (without a database connection) until
    ``deadline`` (``time.monotonic()``), then raises PasswordChecksBusy (503). So
    concurrent right-password logins are never refused for each other's slots.

    A stranger failing from their own addresses fills the first counter for their
    address only; locking the real owner out takes ``LOGIN_ACCOUNT_FAILURES_ALLOWED
    / LOGIN_FAILURES_ALLOWED`` addresses and lasts only while they keep failing,
    one window at a time."""
    window = settings.LOGIN_FAILURE_WINDOW
    email = email.strip().lower()[:254]
    address = client_address(address)
    counters = [
        (f"login:account-address:{email}|{address}", settings.LOGIN_FAILURES_ALLOWED),
        (f"login:address:{address}", settings.LOGIN_ADDRESS_FAILURES_ALLOWED),
        (f"login:account:{email}", settings.LOGIN_ACCOUNT_FAILURES_ALLOWED),
    ]
    with _attempt(counters, window=window, what="login", deadline=deadline) as attempt:
        yield attempt


@contextmanager
def pin_attempt(*, device_id: object, employee_id: object, deadline: float) -> Iterator[LoginAttempt]:
    """A PIN check's slots, as ``login_attempt`` holds a password check's, per window
    of ``PIN_FAILURE_WINDOW_SECONDS``:

    - this employee on this device: ``PIN_FAILURES_ALLOWED`` (5);
    - this device, any employee: ``PIN_DEVICE_FAILURES_ALLOWED`` (20);
    - this employee on any device: ``PIN_EMPLOYEE_FAILURES_ALLOWED`` (10).

    Only failures count; a right PIN clears the first counter. Beyond these windows
    an employee's PIN locks for good after ``PIN_LOCKOUT_FAILURES`` wrong ones in a
    row (accounts.devices.pin_login)."""
    counters = [
        (f"pin:device-employee:{device_id}|{employee_id}", settings.PIN_FAILURES_ALLOWED),
        (f"pin:device:{device_id}", settings.PIN_DEVICE_FAILURES_ALLOWED),
        (f"pin:employee:{employee_id}", settings.PIN_EMPLOYEE_FAILURES_ALLOWED),
    ]
    with _attempt(counters, window=settings.PIN_FAILURE_WINDOW, what="pin", deadline=deadline) as attempt:
        yield attempt


@contextmanager
def _attempt(counters: list[tuple[str, int]], *, window: float, what: str, deadline: float) -> Iterator[LoginAttempt]:
    while True:
        slots: list[Slot] = []
        refusal: Refusal | None = None
        for key, limit in counters:
            taken = _try_take(key, limit=limit, window=window, pending=True)
            if isinstance(taken, Refusal):
                refusal = taken
                _give_back(slots)
                break
            slots.append(taken)
        if refusal is None:
            break
        if refusal.failed:
            THROTTLED.labels(what=what).inc()
            raise LoginThrottled(wait=refusal.wait)
        if time.monotonic() >= deadline:
            raise PasswordChecksBusy()
        release_connection()
        time.sleep(PENDING_POLL_SECONDS)
    attempt = LoginAttempt(slots)
    try:
        yield attempt
    finally:
        _settle(slots, succeeded=attempt.succeeded)


def registration(*, address: str) -> None:
    """Takes a registration slot for a client address: ``REGISTRATIONS_ALLOWED`` (10)
    per ``REGISTRATION_WINDOW_SECONDS`` (3600); every attempt counts."""
    take(
        f"register:address:{client_address(address)}",
        limit=settings.REGISTRATIONS_ALLOWED,
        window=settings.REGISTRATION_WINDOW,
    )


def employee_email(*, company_id: object) -> None:
    """Takes a slot of a company's staff-email counter: ``EMPLOYEE_EMAILS_ALLOWED``
    (50) staff accounts created or emails set per ``EMPLOYEE_EMAIL_WINDOW_SECONDS``
    (3600); every attempt counts. Each tells whether an email is taken, and anyone
    can register a company, so this bounds how fast an owner can probe addresses."""
    take(
        f"employee-email:company:{company_id}",
        limit=settings.EMPLOYEE_EMAILS_ALLOWED,
        window=settings.EMPLOYEE_EMAIL_WINDOW,
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
        response = HttpResponse(_("Too many attempts. Try again later."), status=429, content_type="text/plain")
        response["Retry-After"] = str(exception.wait)
        return response
