import contextlib

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.authentication import CSRFCheck
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts import devices, display, schema, services
from accounts.authentication import DeviceAuthentication
from accounts.models import COMPANY_WIDE_ROLES, Device
from accounts.serializers import (
    BranchInput,
    BranchSerializer,
    BranchSettingsInput,
    DeviceChangeInput,
    DeviceInput,
    DeviceMeSerializer,
    DeviceSerializer,
    DeviceStaffSerializer,
    DisplayTokenInput,
    DisplayTokenSerializer,
    EmployeeInput,
    EmployeeSerializer,
    LoginInput,
    LogoutInput,
    PasswordChangeInput,
    PinLoginInput,
    PinResetInput,
    PinSetInput,
    RefreshInput,
    RegisterInput,
    UserSerializer,
)
from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
from accounts.viewsets import TenantViewSet
from core.api import valid
from core.idempotency import idempotent


def client_address(request) -> str:
    # Behind a proxy, the server rewrites REMOTE_ADDR from X-Forwarded-For for
    # trusted proxies only (PROXY_HEADERS, FORWARDED_ALLOW_IPS): see docs/security.md.
    return request.META.get("REMOTE_ADDR", "")


class NoStore(APIView):
    """Answers that carry tokens must never be kept by a browser or a proxy cache."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response


@schema.REGISTER
class RegisterView(APIView):
    permission_classes = [AllowAny]

    def post(self, request) -> Response:
        detail = services.user_register(**valid(RegisterInput, request.data), address=client_address(request))
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


@schema.LOGIN
class LoginView(NoStore):
    permission_classes = [AllowAny]

    def post(self, request) -> Response:
        user = services.user_login(**valid(LoginInput, request.data), address=client_address(request))
        return Response({**services.tokens_for(user), "user": UserSerializer(user).data})


class RefreshTokenView(NoStore):
    """The refresh token in the body is the credential: a stale access token sent
    along must not 401. A bad refresh token answers 401 (not DRF's 403 for views
    without authenticators)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


@schema.REFRESH
class RefreshView(RefreshTokenView):
    def post(self, request) -> Response:
        return Response(services.token_refresh(**valid(RefreshInput, request.data)))


@schema.LOGOUT
class LogoutView(RefreshTokenView):
    def post(self, request) -> Response:
        body = valid(LogoutInput, request.data)
        services.user_logout(refresh=body["refresh"], everywhere=body["all"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.PASSWORD_CHANGE
class PasswordChangeView(NoStore):
    def post(self, request) -> Response:
        body = valid(PasswordChangeInput, request.data)
        return Response(services.user_password_change(user=request.user, **body, address=client_address(request)))


@schema.ME
class MeView(APIView):
    def get(self, request) -> Response:
        return Response(UserSerializer(request.user).data)


@schema.BRANCHES
class BranchViewSet(TenantViewSet):
    serializer_class = BranchSerializer
    read_roles = ALL_ROLES
    write_roles = COMPANY_WIDE_ROLES

    def list(self, request) -> Response:
        return self.page(self.tenant.branches())

    def retrieve(self, request, pk) -> Response:
        return Response(BranchSerializer(self.tenant.branches().get(pk=pk)).data)

    def create(self, request) -> Response:
        branch = services.branch_create(tenant=self.tenant, **valid(BranchInput, request.data))
        return Response(BranchSerializer(branch).data, status=status.HTTP_201_CREATED)

    @idempotent
    def partial_update(self, request, pk) -> Response:
        changes = valid(BranchSettingsInput, request.data)
        return Response(BranchSerializer(services.branch_update(tenant=self.tenant, branch_id=pk, **changes)).data)


@schema.EMPLOYEES
class EmployeeViewSet(TenantViewSet):
    serializer_class = EmployeeSerializer
    # Only owners and admins see or manage staff.
    read_roles = COMPANY_WIDE_ROLES
    write_roles = COMPANY_WIDE_ROLES

    def list(self, request) -> Response:
        return self.page(services.employee_list(tenant=self.tenant))

    def retrieve(self, request, pk) -> Response:
        return Response(EmployeeSerializer(services.employee_get(tenant=self.tenant, employee_id=pk)).data)

    def create(self, request) -> Response:
        user = services.employee_create(tenant=self.tenant, **valid(EmployeeInput, request.data))
        return Response(EmployeeSerializer(user).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk) -> Response:
        changes = valid(EmployeeInput, request.data, partial=True)
        user = services.employee_update(tenant=self.tenant, employee_id=pk, **changes)
        return Response(EmployeeSerializer(user).data)

    def destroy(self, request, pk) -> Response:
        services.employee_update(tenant=self.tenant, employee_id=pk, is_active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The web app's session (README "The web app", docs/security.md "The web app's session"):
# the refresh token lives in an HttpOnly, SameSite=Strict cookie that only these
# endpoints receive; every POST among them needs Django's CSRF token in X-CSRFToken.
REFRESH_COOKIE = "cafe_refresh"
REFRESH_COOKIE_PATH = "/api/users/web/"


def csrf_check(request) -> None:
    """Django's CSRF check (the csrftoken cookie echoed in X-CSRFToken, and the
    Origin/Referer checks on HTTPS), which DRF's views otherwise skip; 403 if it fails."""
    check = CSRFCheck(lambda _request: None)  # type: ignore[arg-type]
    check.process_request(request)
    if check.process_view(request, None, (), {}):  # type: ignore[arg-type]
        raise PermissionDenied(_("CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."))


def set_refresh_cookie(response: Response, refresh: str) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=int(settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()),
        path=REFRESH_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def clear_refresh_cookie(response: Response) -> None:
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, samesite="Strict")


@schema.WEB_CSRF
class WebCsrfView(NoStore):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request) -> Response:
        return Response({"csrf_token": get_token(request)})


@schema.WEB_LOGIN
class WebLoginView(RefreshTokenView):
    def post(self, request) -> Response:
        csrf_check(request)
        user = services.user_login(**valid(LoginInput, request.data), address=client_address(request))
        pair = services.tokens_for(user)
        response = Response({"access": pair["access"], "user": UserSerializer(user).data})
        set_refresh_cookie(response, pair["refresh"])
        return response


@schema.WEB_REFRESH
class WebRefreshView(RefreshTokenView):
    def post(self, request) -> Response:
        csrf_check(request)
        raw = request.COOKIES.get(REFRESH_COOKIE)
        if not raw:
            raise NotAuthenticated(_("Not logged in."))
        pair = services.token_refresh(refresh=raw)
        response = Response({"access": pair["access"]})
        if "refresh" in pair:
            set_refresh_cookie(response, pair["refresh"])
        return response


@schema.WEB_LOGOUT
class WebLogoutView(RefreshTokenView):
    def post(self, request) -> Response:
        csrf_check(request)
        raw = request.COOKIES.get(REFRESH_COOKIE)
        if raw:
            # Already spent or expired: the session is over all the same.
            with contextlib.suppress(InvalidToken):
                services.user_logout(refresh=raw)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        clear_refresh_cookie(response)
        return response


@schema.DISPLAY_TOKENS
class DisplayTokenViewSet(TenantViewSet):
    serializer_class = DisplayTokenSerializer
    read_roles = MANAGING_ROLES
    write_roles = MANAGING_ROLES

    def list(self, request) -> Response:
        return self.page(display.display_token_list(tenant=self.tenant))

    def create(self, request) -> Response:
        token, key = display.display_token_create(tenant=self.tenant, **valid(DisplayTokenInput, request.data))
        answer = {**DisplayTokenSerializer(token).data, "key": key, "url": f"/app/pickup/#display={key}"}
        response = Response(answer, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response

    def destroy(self, request, pk) -> Response:
        display.display_token_revoke(tenant=self.tenant, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Registered devices, PINs and device sessions (accounts.devices, docs/devices.md).


@schema.DEVICES
class DeviceViewSet(TenantViewSet):
    serializer_class = DeviceSerializer
    read_roles = MANAGING_ROLES
    write_roles = MANAGING_ROLES

    def list(self, request) -> Response:
        return self.page(devices.device_list(tenant=self.tenant))

    def retrieve(self, request, pk) -> Response:
        return Response(DeviceSerializer(devices.device_get(tenant=self.tenant, device_id=pk)).data)

    @idempotent
    def create(self, request) -> Response:
        device, key = devices.device_create(tenant=self.tenant, **valid(DeviceInput, request.data))
        response = Response({**DeviceSerializer(device).data, "key": key}, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response

    @idempotent
    def partial_update(self, request, pk) -> Response:
        changes = valid(DeviceChangeInput, request.data, partial=True)
        device = devices.device_update(tenant=self.tenant, device_id=pk, **changes)
        return Response(DeviceSerializer(device).data)

    def destroy(self, request, pk) -> Response:
        devices.device_revoke(tenant=self.tenant, device_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceView(APIView):
    """Views a device's credential alone opens (``X-Device``), and nothing else does."""

    authentication_classes = [DeviceAuthentication]
    permission_classes = [AllowAny]

    @property
    def device(self):
        if not isinstance(self.request.auth, Device):
            raise NotAuthenticated(devices.DEVICE_REFUSED)
        return self.request.auth


@schema.DEVICE_ME
class DeviceMeView(DeviceView):
    def get(self, request) -> Response:
        return Response(DeviceMeSerializer(self.device).data)


@schema.DEVICE_STAFF
class DeviceStaffView(DeviceView, GenericAPIView):
    serializer_class = DeviceStaffSerializer

    def get(self, request) -> Response:
        page = self.paginate_queryset(devices.device_staff(device=self.device))
        return self.get_paginated_response(DeviceStaffSerializer(page, many=True).data)


@schema.PIN_LOGIN
class PinLoginView(NoStore):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        return devices.HEADER

    def post(self, request) -> Response:
        body = valid(PinLoginInput, request.data)
        user, session = devices.pin_login(
            key=request.headers.get(devices.HEADER), employee_id=body["employee"], pin=body["pin"]
        )
        return Response({**session, "user": UserSerializer(user).data})


@schema.PIN_SET
class PinSetView(APIView):
    def post(self, request) -> Response:
        body = valid(PinSetInput, request.data)
        devices.pin_set(user=request.user, **body, address=client_address(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@schema.PINS
class PinViewSet(TenantViewSet):
    """A manager sets or clears a staff member's PIN (``pins/{employee id}/``)."""

    serializer_class = DeviceStaffSerializer
    read_roles = MANAGING_ROLES
    write_roles = MANAGING_ROLES

    def update(self, request, pk) -> Response:
        body = valid(PinResetInput, request.data)
        devices.pin_reset(tenant=self.tenant, employee_id=pk, pin=body["pin"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def destroy(self, request, pk) -> Response:
        devices.pin_reset(tenant=self.tenant, employee_id=pk, pin=None)
        return Response(status=status.HTTP_204_NO_CONTENT)
