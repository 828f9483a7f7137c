"""Who may read and who may write each endpoint, declared once per view.

Like pretix's ``permission`` / ``write_permission``: a view states

    read_roles = ALL_ROLES          # GET, HEAD, OPTIONS
    write_roles = MANAGING_ROLES    # POST, PUT, PATCH, DELETE
    action_roles = {"partial_update": ALL_ROLES}   # optional, per action

and ``DeclaredRoles`` (installed by ``accounts.viewsets.TenantViewSet``) checks
them before the handler runs. Which fields a role may change, and which objects (a branch-bound
role never changes a company-wide one), are the services' rules: they receive
the tenant and raise ``PermissionDenied``.
"""

from collections.abc import Collection

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role

PLURAL = {
    Role.OWNER: gettext_lazy("owners"),
    Role.ADMIN: gettext_lazy("admins"),
    Role.MANAGER: gettext_lazy("managers"),
    Role.WAITER: gettext_lazy("waiters"),
    Role.CASHIER: gettext_lazy("cashiers"),
    Role.COOK: gettext_lazy("cooks"),
}


def roles_phrase(roles: Collection[str]) -> str:
    """``{owner, admin, manager}`` → "owners, admins and managers" (in the active language)."""
    names = [str(PLURAL[role]) for role in Role if role in roles]
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def declared_roles(view, method: str) -> frozenset[str]:
    """The roles a view lets call ``method`` for its current action."""
    action_roles = getattr(view, "action_roles", {})
    if getattr(view, "action", None) in action_roles:
        return action_roles[view.action]
    name = "read_roles" if method in SAFE_METHODS else "write_roles"
    roles = getattr(view, name, None)
    if roles is None:
        raise ImproperlyConfigured(f"{type(view).__name__} declares no {name}.")
    return roles


class DeclaredRoles(BasePermission):
    """Checks the caller's role (from their tenant) against the view's declaration."""

    def has_permission(self, request, view) -> bool:
        roles = declared_roles(view, request.method)
        if view.tenant.user.role not in roles:
            if request.method in SAFE_METHODS:
                message = _("Only %(roles)s may see this.")
            else:
                message = _("Only %(roles)s may change this.")
            raise PermissionDenied(message % {"roles": roles_phrase(roles)})
        return True
