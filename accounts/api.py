from django.utils.cache import add_never_cache_headers
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import schema, services
from accounts.models import COMPANY_WIDE_ROLES
from accounts.serializers import (
    BranchInput,
    BranchSerializer,
    BranchSettingsInput,
    EmployeeInput,
    EmployeeSerializer,
    LoginInput,
    LogoutInput,
    PasswordChangeInput,
    RefreshInput,
    RegisterInput,
    UserSerializer,
)
from accounts.tenancy import ALL_ROLES
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
