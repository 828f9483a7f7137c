"""What every REST edge shares: input checking and the caller's tenant."""

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.tenancy import BranchNotAllowed, NoCompany, tenant_for


def valid(serializer_class: type[Serializer], data, **options) -> dict:
    serializer = serializer_class(data=data, **options)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TenantViewSet(viewsets.GenericViewSet):
    """Resolves the caller's tenant once; users without a company get 403."""

    lookup_value_converter = "uuid"
    # SimpleRouter builds regex paths and ignores the converter: without this a
    # malformed id reached the query and answered 400 instead of 404.
    lookup_value_regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        try:
            self.tenant = tenant_for(request.user)
        except NoCompany:
            raise PermissionDenied("You do not belong to a company.") from None

    def require(self, allowed: bool, message: str = "Your role does not allow this.") -> None:
        if not allowed:
            raise PermissionDenied(message)

    def filters(self, filter_class: type[Serializer]) -> dict:
        """Query parameters, checked; a `branch` must be one the caller may see."""
        filters = valid(filter_class, self.request.query_params)
        if "branch" in filters:
            try:
                self.tenant.branch_by_id(filters["branch"])
            except BranchNotAllowed:
                raise ValidationError({"branch": ["Branch not found."]}) from None
        return filters

    def page(self, queryset: QuerySet) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer_class()(page, many=True).data)
