"""Who may read and who may write each endpoint, declared once per view.

Like pretix's ``permission`` / ``write_permission``: a view states

    read_roles = ALL_ROLES          # GET, HEAD, OPTIONS
    write_roles = MANAGING_ROLES    # POST, PUT, PATCH, DELETE
    action_roles = {"partial_update": ALL_ROLES}   # optional, per action

and ``DeclaredRoles`` (installed by ``TenantViewSet``) checks them before the
handler runs. Which fields a role may change, and which objects (a branch-bound
role never changes a company-wide one), are the services' rules: they receive
the tenant and raise ``PermissionDenied``.
"""

from collections.abc import Collection

from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role

PLURAL = {
    Role.OWNER: "owners",
    Role.ADMIN: "admins",
    Role.MANAGER: "managers",
    Role.WAITER: "waiters",
    Role.CASHIER: "cashiers",
    Role.COOK: "cooks",
}


def roles_phrase(roles: Collection[str]) -> str:
    """``{owner, admin, manager}`` → "owners, admins and managers"."""
    names = [PLURAL[role] for role in Role if role in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
            verb = "see" if request.method in SAFE_METHODS else "change"
            raise PermissionDenied(f"Only {roles_phrase(roles)} may {verb} this.")
        return True
