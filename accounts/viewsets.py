"""The tenant-aware REST base every view of a tenant's data derives from: it
resolves the caller's tenant (``accounts.tenancy``) and checks the roles the view
declares (``accounts.permissions``)."""

from functools import cached_property
from typing import cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from accounts.models import User
from accounts.permissions import DeclaredRoles
from accounts.tenancy import BranchNotAllowed, NoCompany, Tenant, tenant_for
from core.api import UUID_PATTERN, valid


class TenantViewSet(viewsets.GenericViewSet):
    """Resolves the caller's tenant once (users without a company get 403) and
    checks the roles the subclass declares in ``read_roles`` / ``write_roles``
    (and, per action, ``action_roles``) before any handler runs."""

    permission_classes = [IsAuthenticated, DeclaredRoles]

    lookup_value_converter = "uuid"
    # SimpleRouter builds regex paths and ignores the converter: without this a
    # malformed id reached the query and answered 400 instead of 404.
    lookup_value_regex = UUID_PATTERN

    @cached_property
    def tenant(self) -> Tenant:
        try:
            # IsAuthenticated runs first: the user is a real one.
            return tenant_for(cast(User, self.request.user))
        except NoCompany:
            raise PermissionDenied(_("You do not belong to a company.")) from None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.tenant  # noqa: B018 - resolved (or refused) even if a subclass changes its permissions

    def filters(self, filter_class: type[Serializer]) -> dict:
        """Query parameters, checked; a `branch` must be one the caller may see."""
        filters = valid(filter_class, self.request.query_params)
        if "branch" in filters:
            try:
                self.tenant.branch_by_id(filters["branch"])
            except BranchNotAllowed:
                raise ValidationError({"branch": [_("Branch not found.")]}) from None
        return filters

    def page(self, queryset: QuerySet) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer_class()(page, many=True).data)
