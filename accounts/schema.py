"""The accounts API's OpenAPI description: one decorator per view, applied on the
class, so the handlers carry no documentation (shared pieces: ``core.schema``)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from accounts.serializers import (
    BranchInput,
    BranchSerializer,
    BranchSettingsInput,
    CsrfAnswer,
    DeviceChangeInput,
    DeviceInput,
    DeviceMeSerializer,
    DeviceSerializer,
    DeviceSession,
    DeviceStaffSerializer,
    DisplayTokenInput,
    DisplayTokenSerializer,
    EmployeeInput,
    EmployeeSerializer,
    LoginInput,
    LogoutInput,
    NewDeviceSerializer,
    NewDisplayTokenSerializer,
    PasswordChangeInput,
    PinLoginInput,
    PinResetInput,
    PinSetInput,
    RefreshInput,
    RegisterInput,
    UserSerializer,
    WebAccess,
    WebSession,
)
from core.schema import document, operation


class TenantJWTScheme(SimpleJWTScheme):
    """`Authorization: Bearer <access token>` for the project's JWT authentication."""

    target_class = "accounts.authentication.TenantJWTAuthentication"


class DisplayTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Display <key>`: a pickup screen's display token."""

    target_class = "accounts.authentication.DisplayTokenAuthentication"
    name = "displayToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Display <key>`, a display token from `/api/users/display-tokens/`.",
        }


class DeviceScheme(OpenApiAuthenticationExtension):
    """`X-Device: <credential>`: a registered device with no one signed in."""

    target_class = "accounts.authentication.DeviceAuthentication"
    name = "deviceCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Device",
            "description": "A registered device's credential, from `POST /api/users/devices/` (docs/devices.md).",
        }


class Tokens(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`; also the sockets' `token`.")
    refresh = serializers.CharField(help_text="Trade for a new access token at `token/refresh/`.")
    user = UserSerializer()


class Registered(serializers.Serializer):
    detail = serializers.CharField(
        help_text="The same text whether the address was free (the account is now ready: log in) or already "
        "had an account."
    )


class Refreshed(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(required=False, help_text="A rotated refresh token, when rotation is on.")


COMPANY = "0b9f5a63-5c2e-4a55-8f55-3f3b0c1d2e4f"
BRANCH = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
USER_EXAMPLE = {
    "id": "7b6a5f4e-3d2c-4b1a-8f9e-0d1c2b3a4f5e",
    "email": "waiter@demo.cafe",
    "first_name": "Anna",
    "last_name": "Petrova",
    "role": "waiter",
    "company_id": COMPANY,
    "branch_id": BRANCH,
}
TOKENS_EXAMPLE = {"access": "eyJhbGciOiJIUzI1NiIs…", "refresh": "eyJhbGciOiJIUzI1NiIs…", "user": USER_EXAMPLE}
BRANCH_EXAMPLE = {
    "id": BRANCH,
    "name": "Riverside",
    "address": "1 Quay St",
    "company": COMPANY,
    "timezone": "Europe/Moscow",
    "service_charge_percent": "10.00",
    "staff_discount_limit_percent": "10.00",
    "booking_duration": 120,
    "booking_buffer": 15,
    "booking_step": 15,
    "booking_lead": 60,
    "booking_grace": 20,
}
LOGIN_BODY = {"email": "waiter@demo.cafe", "password": "cafe-demo-2026"}

REGISTER = document(
    post=operation(
        tag="accounts",
        summary="Register",
        request=RegisterInput,
        response=Registered,
        status=202,
        authenticated=False,
        errors_=(429, 503),
        description='With `company_name`: a new company, its first branch ("Main") and the user as its owner. '
        "Without: a user with no company (the cafe API answers 403, sockets close with 4004). The answer is "
        "the same whether the address was free or already had an account, so it tells no one who has one: "
        "log in next (`login/`). The address gets a message either way: a welcome, or a notice that someone "
        "tried to register with it (nothing is changed). 400 names a field (a weak password is refused alike "
        "for free and taken addresses); 429 after 10 registrations from one address in an hour; 503 with "
        "`Retry-After` when the server is checking too many passwords at once.",
        examples=[
            OpenApiExample(
                "New company",
                {"email": "owner@example.com", "password": "a-long-passphrase", "company_name": "Blue Cup"},
                request_only=True,
            ),
            OpenApiExample(
                "Received",
                {
                    "detail": "Registration received: if the address was free, the account is ready and you can "
                    "log in with it. A message has been sent to the address either way."
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
)

LOGIN = document(
    post=operation(
        tag="accounts",
        summary="Log in",
        request=LoginInput,
        response=Tokens,
        authenticated=False,
        errors_=(401, 429, 503),
        description="Step 1 of the quick start. 401 on wrong credentials; 429 (with `Retry-After`) after 5 "
        "failures for one email from one address within 15 minutes (only failures count); 503 with "
        "`Retry-After` when the server is checking too many passwords at once.",
        examples=[
            OpenApiExample("Demo waiter", LOGIN_BODY, request_only=True),
            OpenApiExample("Tokens", TOKENS_EXAMPLE, response_only=True),
        ],
    )
)

REFRESH = document(
    post=operation(
        tag="accounts",
        summary="Refresh the access token",
        request=RefreshInput,
        response=Refreshed,
        authenticated=False,
        errors_=(401,),
        description="401 if the refresh token is invalid or expired.",
    )
)

LOGOUT = document(
    post=operation(
        tag="accounts",
        summary="Log out",
        request=LogoutInput,
        status=204,
        authenticated=False,
        errors_=(401,),
        description="Spends the refresh token; with `all: true` every access and refresh token of the user "
        "stops working at once (their sockets close with 4003). 401 if the refresh token is invalid.",
        examples=[OpenApiExample("Every device", {"refresh": "eyJhbGciOiJIUzI1NiIs…", "all": True}, request_only=True)],
    )
)

PASSWORD_CHANGE = document(
    post=operation(
        tag="accounts",
        summary="Change my password",
        request=PasswordChangeInput,
        response=Refreshed,
        errors_=(429, 503),
        description="The old password is checked behind the login throttle (429 with `Retry-After`; 503 with "
        "`Retry-After` when the server is checking too many passwords at once). Every "
        "earlier token of the user is revoked; the answer carries new ones.",
    )
)

ME = document(
    get=operation(
        tag="accounts",
        summary="The caller",
        response=UserSerializer,
        examples=[OpenApiExample("A waiter", USER_EXAMPLE, response_only=True)],
    )
)

BRANCHES = document(
    list=operation(tag="accounts", summary="List the company's branches", response=BranchSerializer, paged=True),
    retrieve=operation(tag="accounts", summary="Get a branch", response=BranchSerializer, detail=True),
    create=operation(
        tag="accounts",
        summary="Create a branch",
        request=BranchInput,
        response=BranchSerializer,
        status=201,
        description="Owner and admin only.",
        examples=[
            OpenApiExample("New branch", {"name": "Riverside", "address": "1 Quay St"}, request_only=True),
            OpenApiExample(
                "A branch",
                BRANCH_EXAMPLE,
                response_only=True,
            ),
        ],
    ),
    # The bill's branch settings (docs/payments.md).
    partial_update=operation(
        tag="accounts",
        summary="Change a branch's settings",
        request=BranchSettingsInput,
        response=BranchSerializer,
        detail=True,
        description="Owner and admin only; fields left out keep their value. `timezone` is an IANA name (400 "
        "naming it otherwise); `service_charge_percent` (0 to 100) is added to dine-in orders taken from now on, "
        "open orders keep theirs; a discount above `staff_discount_limit_percent` (0 to 100) of what it applies "
        "to needs a manager or above. The book's settings, in minutes (docs/floor.md): `booking_duration` (15 to 720) "
        "a booking's default length, `booking_buffer` (0 to 240) kept free on its tables after it, `booking_step` "
        "(5 to 120, dividing 1440) between the start times offered, `booking_lead` (0 to 1440) how long before a "
        "booking its tables show reserved, `booking_grace` (0 to 240) how late a party may be before it is a no-show.",
        idempotent=True,
        examples=[
            OpenApiExample(
                "Bill settings",
                {
                    "timezone": "Europe/Moscow",
                    "service_charge_percent": "10.00",
                    "staff_discount_limit_percent": "15.00",
                },
                request_only=True,
            ),
            OpenApiExample("A branch", BRANCH_EXAMPLE, response_only=True),
        ],
    ),
)

_STAFF = "Owner and admin only; `waiter`, `cook`, `cashier` and `manager` need a `branch` of the company."
_EMAILS = (
    "Each new staff account, and each new `email`, takes one of the company's tries (50 an hour by default; 429 with "
    "`Retry-After` beyond): the answer tells whether an address is taken."
)
_LAST_OWNER = "409 if it would leave the company without an active owner (the last one deactivated or demoted)."
EMPLOYEES = document(
    list=operation(tag="accounts", summary="List staff", response=EmployeeSerializer, description=_STAFF, paged=True),
    retrieve=operation(tag="accounts", summary="Get a staff member", response=EmployeeSerializer, detail=True),
    create=operation(
        tag="accounts",
        summary="Add a staff member",
        request=EmployeeInput,
        response=EmployeeSerializer,
        status=201,
        errors_=(429, 503),
        description=f"{_STAFF} {_EMAILS}",
        examples=[
            OpenApiExample(
                "New waiter",
                {"email": "new.waiter@demo.cafe", "password": "a-long-passphrase", "role": "waiter", "branch": BRANCH},
                request_only=True,
            ),
            OpenApiExample("A waiter", {**USER_EXAMPLE, "is_active": True}, response_only=True),
        ],
    ),
    partial_update=operation(
        tag="accounts",
        summary="Change a staff member",
        request=EmployeeInput,
        response=EmployeeSerializer,
        detail=True,
        errors_=(409, 429, 503),
        description=f"{_STAFF} {_EMAILS} {_LAST_OWNER}",
    ),
    destroy=operation(
        tag="accounts",
        summary="Deactivate a staff member",
        response=None,
        status=204,
        detail=True,
        errors_=(409,),
        description="The user is deactivated (`is_active: false`), not deleted; their sockets close with 4003. "
        + _LAST_OWNER,
    ),
)

_WEB = (
    "For the web app (`/app/`): the refresh token is set as the `cafe_refresh` cookie (HttpOnly, "
    "SameSite=Strict, Secure in production, path `/api/users/web/`) and never appears in a body. "
    "Needs Django's CSRF token: the `csrftoken` cookie's value (from `web/csrf/` or the app's page) "
    "in the `X-CSRFToken` header, else 403."
)

WEB_CSRF = document(
    get=operation(
        tag="accounts",
        summary="Get a CSRF token (web app)",
        response=CsrfAnswer,
        authenticated=False,
        description="Sets the `csrftoken` cookie and answers its value, for the web session's POSTs.",
    )
)

WEB_LOGIN = document(
    post=operation(
        tag="accounts",
        summary="Log in (web app, refresh token in a cookie)",
        request=LoginInput,
        response=WebSession,
        authenticated=False,
        errors_=(401, 403, 429, 503),
        description=_WEB + " Wrong credentials 401; throttled as `login/` (429).",
    )
)

WEB_REFRESH = document(
    post=operation(
        tag="accounts",
        summary="Refresh the access token (web app)",
        response=WebAccess,
        authenticated=False,
        errors_=(401, 403),
        description=_WEB + " The cookie's refresh token is spent and a rotated one set. 401 without a cookie or "
        "with a spent, expired or revoked one.",
    )
)

WEB_LOGOUT = document(
    post=operation(
        tag="accounts",
        summary="Log out (web app)",
        status=204,
        authenticated=False,
        errors_=(403,),
        description=_WEB + " Blacklists the cookie's refresh token on the server and clears the cookie "
        "(204 also without one).",
    )
)

_DISPLAY = (
    "Owners, admins and managers (branch-bound managers: their own branch). A display token opens only "
    "`GET /api/cafe/pickup-board/` (pickup numbers and their state, nothing else) for its branch; "
    "it does not expire and stops working when revoked."
)

DISPLAY_TOKENS = document(
    list=operation(
        tag="accounts", summary="List display tokens", response=DisplayTokenSerializer, paged=True, description=_DISPLAY
    ),
    create=operation(
        tag="accounts",
        summary="Make a display token (pickup screen)",
        request=DisplayTokenInput,
        response=NewDisplayTokenSerializer,
        status=201,
        description=_DISPLAY + " The answer's `key` is shown once; `url` opens the pickup screen with it. "
        "At most 50 live tokens per company (400).",
        examples=[OpenApiExample("For the hall TV", {"branch": BRANCH, "label": "Hall TV"}, request_only=True)],
    ),
    destroy=operation(
        tag="accounts",
        summary="Revoke a display token",
        status=204,
        detail=True,
        description="The screen using it stops at its next poll (within seconds).",
    ),
)

_DEVICES = (
    "Owners, admins and managers (branch-bound managers: their own branch). A registered device (a shared tablet) "
    "holds a credential that alone only lists who may sign in on it; with an employee's PIN it opens a session "
    "bound to the device (`devices/pin-login/`). At most `COMPANY_MAX_DEVICES` (100) live devices per company. "
    "docs/devices.md."
)
DEVICE_EXAMPLE = {
    "id": "3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f",
    "branch": BRANCH,
    "name": "Hall tablet 1",
    "views": ["floor", "till"],
    "idle_lock_seconds": None,
    "created_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "created_at": "2026-03-01T09:00:00Z",
    "revoked_at": None,
}

DEVICES = document(
    list=operation(
        tag="devices", summary="List registered devices", response=DeviceSerializer, paged=True, description=_DEVICES
    ),
    retrieve=operation(
        tag="devices", summary="Get a registered device", response=DeviceSerializer, detail=True, description=_DEVICES
    ),
    create=operation(
        tag="devices",
        summary="Register a device",
        request=DeviceInput,
        response=NewDeviceSerializer,
        status=201,
        idempotent=True,
        description=_DEVICES + " The answer's `key` is the device's credential, shown once: store it on the "
        "device (the app keeps it in its storage) and send it as `X-Device`. `views`: which screens the app opens "
        "on it (`floor`, `kitchen`, `till`, `pickup`).",
        examples=[
            OpenApiExample(
                "A hall tablet",
                {"name": "Hall tablet 1", "branch": BRANCH, "views": ["floor", "till"]},
                request_only=True,
            ),
            OpenApiExample("Registered", {**DEVICE_EXAMPLE, "key": "dev_Jr3…"}, response_only=True),
        ],
    ),
    partial_update=operation(
        tag="devices",
        summary="Change a device",
        request=DeviceChangeInput,
        response=DeviceSerializer,
        detail=True,
        idempotent=True,
        description=_DEVICES + " Any of `name`, `views` and `idle_lock_seconds` (10 to 86400 seconds without a "
        "touch before the app locks itself; null: the server's `DEVICE_IDLE_LOCK_SECONDS`). The credential and "
        "the sessions opened on it are untouched; the app reads the new values from `devices/me/` within seconds.",
        examples=[OpenApiExample("A kitchen display that locks after 15 minutes", {"idle_lock_seconds": 900})],
    ),
    destroy=operation(
        tag="devices",
        summary="Revoke a device",
        status=204,
        detail=True,
        description="At once: its credential and every session opened on it are refused (401), and its "
        "sockets close with 4003 within seconds. Revoking twice changes nothing; the device stays listed "
        "with `revoked_at`.",
    ),
)

DEVICE_ME = document(
    get=operation(
        tag="devices",
        summary="The device itself (device credential)",
        response=DeviceMeSerializer,
        authenticated=False,
        errors_=(401,),
        description="With `X-Device` only: the device's name, branch, screens, and the app's settings "
        "(`idle_lock_seconds`: lock after this long without a touch; `session_seconds`). 401 without a live "
        "credential.",
    )
)

DEVICE_STAFF = document(
    get=operation(
        tag="devices",
        summary="Who may sign in on the device (device credential)",
        response=DeviceStaffSerializer,
        authenticated=False,
        errors_=(401,),
        paged=True,
        description="With `X-Device` only: the device branch's active staff with a PIN set — ids, names, "
        "roles and whether their PIN is locked; no emails or phones. 401 without a live credential.",
    )
)

PIN_LOGIN = document(
    post=operation(
        tag="devices",
        summary="Sign in on a device with a PIN",
        request=PinLoginInput,
        response=DeviceSession,
        authenticated=False,
        errors_=(401, 403, 429, 503),
        description="Send the device's `X-Device` header. The answer's `access` token is bound to the device: "
        "every request with it must carry the same `X-Device` (sockets: `&device=`), else 401 (4003); it "
        "lives `expires_in` seconds and has no refresh token (the app asks for the PIN again). 401 for a "
        "missing or revoked device, or a wrong employee or PIN (the same answer); 429 with `Retry-After` "
        "after 5 wrong PINs for one employee on one device, 20 on one device, or 10 for one employee "
        "within 15 minutes; 403 once the employee's PIN is locked (10 wrong in a row) until it is set again.",
        examples=[OpenApiExample("Anna's PIN", {"employee": USER_EXAMPLE["id"], "pin": "4821"}, request_only=True)],
    )
)

PIN_SET = document(
    post=operation(
        tag="devices",
        summary="Set my PIN",
        request=PinSetInput,
        status=204,
        errors_=(429, 503),
        description="4 to 6 digits, proven with the caller's password (checked behind the login throttle: "
        "429). Staff of one branch only (owners and admins sign in with their password). Unlocks a locked PIN.",
        examples=[OpenApiExample("New PIN", {"password": "cafe-demo-2026", "pin": "4821"}, request_only=True)],
    )
)

PINS = document(
    update=operation(
        tag="devices",
        summary="Set a staff member's PIN",
        request=PinResetInput,
        status=204,
        detail=True,
        description="Owners, admins and managers (branch-bound managers: staff of their branch; others 404). "
        "`pin: null` clears it. Unlocks a locked PIN. 403 for an owner or admin (they have no PIN).",
    ),
    destroy=operation(
        tag="devices",
        summary="Clear a staff member's PIN",
        status=204,
        detail=True,
        description="As setting it; the staff member can no longer sign in on devices until a PIN is set.",
    ),
)
