import uuid

from accounts.tenancy import Tenant
from cafe.models import Shift


def shift_open(*, tenant: Tenant, branch_id: uuid.UUID, lock: bool = False) -> Shift | None:
    """The branch's open cash shift, if any (there is at most one: a database constraint)."""
    shifts = tenant.scope(Shift).filter(branch=branch_id, closed_at__isnull=True)
    return (shifts.select_for_update(of=("self",), no_key=True) if lock else shifts).first()
