from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView

from accounts import schema, services
from accounts.serializers import (
    BranchInput,
    BranchSerializer,
    EmployeeInput,
    EmployeeSerializer,
    LoginInput,
    RegisterInput,
    UserSerializer,
)
from core.api import TenantViewSet, valid


@schema.REGISTER
class RegisterView(APIView):
    permission_classes = [AllowAny]

    def post(self, request) -> Response:
        user = services.user_register(**valid(RegisterInput, request.data))
        body = {"user": UserSerializer(user).data, **services.tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@schema.LOGIN
class LoginView(APIView):
    permission_classes = [AllowAny]

    def post(self, request) -> Response:
        user = services.user_login(**valid(LoginInput, request.data), ip=request.META.get("REMOTE_ADDR", ""))
        return Response({**services.tokens_for(user), "user": UserSerializer(user).data})


@schema.REFRESH
class RefreshView(TokenRefreshView):
    pass


@schema.ME
class MeView(APIView):
    def get(self, request) -> Response:
        return Response(UserSerializer(request.user).data)


@schema.BRANCHES
class BranchViewSet(TenantViewSet):
    serializer_class = BranchSerializer

    def list(self, request) -> Response:
        return self.page(self.tenant.branches())

    def retrieve(self, request, pk) -> Response:
        return Response(BranchSerializer(self.tenant.branches().get(pk=pk)).data)

    def create(self, request) -> Response:
        branch = services.branch_create(tenant=self.tenant, **valid(BranchInput, request.data))
        return Response(BranchSerializer(branch).data, status=status.HTTP_201_CREATED)


@schema.EMPLOYEES
class EmployeeViewSet(TenantViewSet):
    serializer_class = EmployeeSerializer

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.require(self.tenant.company_wide, "Only owners and admins manage staff.")

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
