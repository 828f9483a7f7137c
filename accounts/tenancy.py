"""Where a user's tenant is decided: their company and the branches they may touch.

Every selector and service starts from a ``Tenant``; nothing else in the project
looks at ``user.company`` or ``user.branch`` to decide access.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.models import COMPANY_WIDE_ROLES, Branch, Company, Role, User

M = TypeVar("M", bound=Model)

ALL_ROLES = frozenset(Role)
MANAGING_ROLES = COMPANY_WIDE_ROLES | {Role.MANAGER}


class NoCompany(Exception):
    """The user belongs to no company (REST 403, WebSocket close 4004)."""


class BranchNotAllowed(Exception):
    """The branch is malformed, not of the user's company, or not theirs (WebSocket 4005)."""


@dataclass(frozen=True)
class Tenant:
    user: User
    company: Company
    # The only branch a branch-bound user may touch; None for company-wide roles.
    branch: Branch | None

    @property
    def company_wide(self) -> bool:
        return self.branch is None

    @property
    def may_manage(self) -> bool:
        """Owners, admins and managers set up tables and the menu."""
        return self.user.role in MANAGING_ROLES

    @property
    def company_id(self) -> uuid.UUID:
        return self.company.pk

    def branches(self) -> QuerySet[Branch]:
        return self.scope(Branch)

    def scope(self, model: type[M]) -> QuerySet[M]:
        """The one way to read a tenant-owned model: the rows of ``model`` this tenant
        may see (their company's; for branch-bound staff, their branch's). See
        ``accounts.scoping`` for how each model declares its branch."""
        return model.objects.for_tenant(self)  # type: ignore[attr-defined]

    def allows(self, branch: Branch | None) -> bool:
        """Whether this tenant may act on ``branch``."""
        if branch is None or branch.company_id != self.company_id:
            return False
        return self.branch is None or branch.pk == self.branch.pk

    def branch_by_id(self, branch_id: object, known: Mapping[uuid.UUID, Branch] | None = None) -> Branch:
        """A branch this tenant may act on, from an id a client sent; ``known`` holds
        branches already loaded (a batch of checks), else the database is asked."""
        try:
            pk = uuid.UUID(str(branch_id))
        except ValueError:
            raise BranchNotAllowed(str(branch_id)) from None
        if self.branch is not None and pk == self.branch.pk:
            return self.branch
        if not self.company_wide:
            raise BranchNotAllowed(str(branch_id))
        branch = known.get(pk) if known is not None else self.branches().filter(pk=pk).first()
        if branch is None or not self.allows(branch):
            raise BranchNotAllowed(str(branch_id))
        return branch

    def socket_branch(self, requested: str | None, known: Mapping[uuid.UUID, Branch] | None = None) -> Branch | None:
        """The branch a WebSocket of this tenant is bound to; None means the whole company.

        Branch-bound staff always get their profile branch (asking for another is
        refused); owner/admin get the requested branch, else their own, else all.
        """
        if requested:
            return self.branch_by_id(requested, known)
        return self.branch or self.user.branch


def tenant_for(user: User) -> Tenant:
    company = user.company
    if company is None:
        raise NoCompany(user.pk)
    company_wide = user.role in COMPANY_WIDE_ROLES
    return Tenant(user=user, company=company, branch=None if company_wide else user.branch)


def branch_for_write(tenant: Tenant, branch_id: uuid.UUID | None, field: str = "branch") -> Branch:
    """The branch a new object goes to: the given one (if the tenant may act on it),
    else a branch-bound user's own branch; company-wide users must name one."""
    if branch_id is None:
        if tenant.branch is None:
            raise ValidationError({field: [_("This field is required.")]})
        return tenant.branch
    try:
        return tenant.branch_by_id(branch_id)
    except BranchNotAllowed:
        raise ValidationError({field: [_("Branch not found.")]}) from None
