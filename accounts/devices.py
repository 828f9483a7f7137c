"""Registered devices, PINs, and the sessions a PIN opens on a device.

A manager registers a tablet for a branch (``device_create``) and gets its
credential once (``dev_…``; only its SHA-256 is stored). The credential travels in
the ``X-Device`` header (``&device=`` on sockets). Alone it does nothing but say
what the device is (``devices/me/``) and list who may sign in on it
(``devices/me/staff/``: the branch's active staff with a PIN, names only). With an
employee's PIN it opens a session (``pin_login``): an access token carrying the
device's id in its ``device`` claim, accepted only together with that device's
credential (``accounts.authentication``, ``realtime.access``). Revoking the device
ends every such session at once: REST refuses them, and their sockets close
within seconds (the hub's periodic re-check reads ``device_states``).

PIN guesses are throttled per device, per employee and per (device, employee)
(``accounts.throttle.pin_attempt``), and an employee's PIN locks after
``PIN_LOCKOUT_FAILURES`` wrong ones in a row until it is set again. Bounds and
settings: docs/security.md, docs/devices.md.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied, ValidationError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts import passwords, throttle, tokens
from accounts.keys import key_hash, key_new
from accounts.models import BRANCH_ROLES, Company, Device, DeviceView, User
from accounts.tenancy import Tenant, branch_for_write

KEY_PREFIX = "dev_"
KEY_MAX_LENGTH = 100
HEADER = "X-Device"
# The access token's claim naming the device a session is bound to.
DEVICE_CLAIM = "device"

DEVICE_REFUSED = gettext_lazy("Device credential is missing, invalid or revoked.")
PIN_REFUSED = gettext_lazy("Wrong employee or PIN.")
PIN_LOCKED = gettext_lazy("This PIN is locked after too many wrong tries: set a new one, or ask a manager to.")


def device_list(*, tenant: Tenant) -> QuerySet[Device]:
    return tenant.scope(Device).order_by("-created_at", "id")


def device_get(*, tenant: Tenant, device_id: uuid.UUID) -> Device:
    device = device_list(tenant=tenant).filter(pk=device_id).first()
    if device is None:
        raise NotFound()
    return device


def device_create(
    *,
    tenant: Tenant,
    name: str,
    views: Iterable[str],
    branch: uuid.UUID | None = None,
    idle_lock_seconds: int | None = None,
) -> tuple[Device, str]:
    """A new device of ``branch`` (a branch-bound manager's own by default) and its
    credential, which is never stored and cannot be shown again. At most
    ``COMPANY_MAX_DEVICES`` live devices per company (400 beyond)."""
    target = branch_for_write(tenant, branch)
    kinds = _views(views)
    key = key_new(KEY_PREFIX)
    with transaction.atomic():
        # The company row serialises concurrent registrations, so the cap holds.
        list(Company.objects.select_for_update(no_key=True).filter(pk=tenant.company_id).values_list("pk"))
        live = tenant.scope(Device).filter(revoked_at__isnull=True).count()
        if live >= settings.COMPANY_MAX_DEVICES:
            raise ValidationError(
                {
                    "detail": _("A company holds at most %(max)d registered devices: revoke one first.")
                    % {"max": settings.COMPANY_MAX_DEVICES}
                }
            )
        device = Device.objects.create(
            company=tenant.company,
            branch=target,
            name=name,
            views=kinds,
            key_hash=key_hash(key),
            created_by=tenant.user,
            idle_lock_seconds=idle_lock_seconds,
        )
    return device, key


def _views(views: Iterable[str]) -> list[str]:
    return [kind for kind in DeviceView.values if kind in set(views)]


def device_update(*, tenant: Tenant, device_id: uuid.UUID, **changes) -> Device:
    """Renames a device, changes the screens it opens or its idle lock (``name``,
    ``views``, ``idle_lock_seconds``: any of them; None for the idle lock is the
    server's default). Its credential and sessions are untouched; a revoked device
    stays revoked."""
    device = device_get(tenant=tenant, device_id=device_id)
    if "views" in changes:
        changes["views"] = _views(changes["views"])
    fields = [field for field in ("name", "views", "idle_lock_seconds") if field in changes]
    for field in fields:
        setattr(device, field, changes[field])
    if fields:
        device.save(update_fields=[*fields, "updated_at"])
    return device


def device_revoke(*, tenant: Tenant, device_id: uuid.UUID) -> Device:
    """Revokes a device of the tenant's scope (revoking twice changes nothing): its
    credential and every session opened on it are refused from now on."""
    device = device_get(tenant=tenant, device_id=device_id)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at", "updated_at"])
    return device


def device_for_key(key: str | None) -> Device:
    """The live device a credential belongs to, with its branch; 401 otherwise.
    Cross-tenant by design: the credential alone says which company and branch."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > KEY_MAX_LENGTH:
        raise AuthenticationFailed(DEVICE_REFUSED)
    device = Device.unscoped.select_related("branch").filter(key_hash=key_hash(key)).first()
    if device is None or device.revoked_at is not None:
        raise AuthenticationFailed(DEVICE_REFUSED)
    return device


def device_matches(*, device_id: uuid.UUID, key: str | None, branch_id: uuid.UUID | None) -> bool:
    """Whether ``key`` is the credential of the live device ``device_id`` of branch
    ``branch_id`` (one query)."""
    if not key or branch_id is None or not key.startswith(KEY_PREFIX) or len(key) > KEY_MAX_LENGTH:
        return False
    live = Device.unscoped.filter(pk=device_id, key_hash=key_hash(key), revoked_at__isnull=True, branch_id=branch_id)
    return live.exists()


def device_states(*, device_ids: set[str]) -> set[str]:
    """Of ``device_ids``, those still live (one query): the hub closes the sockets of the others."""
    ids = {uuid.UUID(pk) for pk in device_ids}
    live = Device.unscoped.filter(pk__in=ids, revoked_at__isnull=True).values_list("pk", flat=True)
    return {str(pk) for pk in live}


def device_staff(*, device: Device) -> QuerySet[User]:
    """Who may sign in on ``device``: the active branch-bound staff of its branch
    with a PIN set (a locked PIN included: its owner sees why they cannot)."""
    return (
        User.objects.filter(branch_id=device.branch_id, company_id=device.company_id, is_active=True)
        .filter(role__in=sorted(BRANCH_ROLES))
        .exclude(pin="")
        .order_by("first_name", "last_name", "id")
    )


def session_claim(token) -> uuid.UUID | None:
    """The device a verified access token is bound to, or None for a session of its own;
    BadToken for a claim this server never issues."""
    value = token.get(DEVICE_CLAIM)
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise tokens.BadToken(_("Token is invalid")) from None


def session_for(*, user: User, device: Device) -> dict:
    """A device session: an access token (no refresh token) for ``user`` bound to
    ``device``, living ``DEVICE_SESSION_SECONDS``."""
    token = AccessToken()
    token[api_settings.USER_ID_CLAIM] = str(user.pk)
    token[tokens.VERSION_CLAIM] = user.token_version
    token[DEVICE_CLAIM] = str(device.pk)
    token.set_exp(lifetime=datetime.timedelta(seconds=settings.DEVICE_SESSION_SECONDS))
    return {"access": str(token), "expires_in": settings.DEVICE_SESSION_SECONDS}


def _pin_hashed(pin: str) -> str:
    with passwords.turn(passwords.deadline()):
        passwords.release_connection()
        return make_password(pin)


def _pin_holder_check(user: User) -> None:
    if user.role not in BRANCH_ROLES or user.branch_id is None:
        raise ValidationError({"pin": [_("Only staff of one branch sign in with a PIN.")]})


def pin_set(*, user: User, password: str, pin: str, address: str) -> None:
    """The caller sets their own PIN, proving it with their password (checked behind
    the login throttle). Unlocks a locked PIN."""
    _pin_holder_check(user)
    if authenticate(email=user.email, password=password, address=address) is None:
        raise ValidationError({"password": [_("The password is not correct.")]})
    encoded = _pin_hashed(pin)
    User.objects.filter(pk=user.pk).update(pin=encoded, pin_failures=0)


def pin_reset(*, tenant: Tenant, employee_id: uuid.UUID, pin: str | None) -> User:
    """A manager (or above) sets a staff member's PIN, or clears it (``pin`` None);
    a branch-bound manager only for staff of their branch (others: 404)."""
    employee = tenant.scope(User).filter(pk=employee_id).first()
    if employee is None:
        raise NotFound()
    if employee.role not in BRANCH_ROLES:
        raise PermissionDenied(_("Only staff of one branch sign in with a PIN."))
    encoded = _pin_hashed(pin) if pin is not None else ""
    User.objects.filter(pk=employee.pk).update(pin=encoded, pin_failures=0)
    employee.pin, employee.pin_failures = encoded, 0
    return employee


def pin_login(*, key: str | None, employee_id: uuid.UUID, pin: str) -> tuple[User, dict]:
    """Opens a session for an employee of the device's branch with their PIN.

    Every guess takes a slot of three throttle counters (accounts.throttle.pin_attempt:
    429 with ``Retry-After`` when one is full of failures) and one of the
    employee's ``PIN_LOCKOUT_FAILURES`` (taken before the PIN is checked, with one
    conditional UPDATE, so concurrent guesses cannot overrun it; a right PIN gives
    them all back). An employee who is not of the device's branch, inactive or
    without a PIN is refused like a wrong PIN (401), after the same hashing."""
    device = device_for_key(key)
    until = passwords.deadline()
    with (
        passwords.turn(until),
        throttle.pin_attempt(device_id=device.pk, employee_id=employee_id, deadline=until) as attempt,
    ):
        staff = device_staff(device=device).filter(pk=employee_id)
        taken = staff.filter(pin_failures__lt=settings.PIN_LOCKOUT_FAILURES).update(pin_failures=F("pin_failures") + 1)
        user = staff.first() if taken else None
        if not taken and staff.filter(pin_failures__gte=settings.PIN_LOCKOUT_FAILURES).exists():
            attempt.succeeded = True  # not a guess: nothing was checked
            raise PermissionDenied(PIN_LOCKED)
        passwords.release_connection()
        if user is None:
            make_password(pin)  # as long as a real check
        elif check_password(pin, user.pin):
            attempt.succeeded = True
    if user is None or not attempt.succeeded:
        raise AuthenticationFailed(PIN_REFUSED)
    User.objects.filter(pk=user.pk).update(pin_failures=0)
    user.pin_failures = 0
    return user, session_for(user=user, device=device)
