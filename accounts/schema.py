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
    DisplayTokenInput,
    DisplayTokenSerializer,
    EmployeeInput,
    EmployeeSerializer,
    LoginInput,
    LogoutInput,
    NewDisplayTokenSerializer,
    PasswordChangeInput,
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
