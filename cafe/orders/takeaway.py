"""Takeaway pickup numbers: 1, 2, 3… per branch, restarting each branch-local day."""

import datetime

from accounts.models import Branch
from accounts.tenancy import Tenant
from cafe.orders.models import PickupCounter
from cafe.shared.business_day import local_day


def pickup_number_next(
    *, tenant: Tenant, branch: Branch, now: datetime.datetime | None = None
) -> tuple[int, datetime.date]:
    """The next pickup number of ``branch`` today and the day it belongs to. Runs
    inside the order's transaction: the day's counter row is created once (a unique
    (branch, day) constraint settles two first orders at once: the loser reads the
    winner's row) and then locked, so concurrent orders queue and get distinct
    numbers; a rolled-back order gives its number back."""
    day = local_day(branch, now)
    counter, _ = (
        tenant.scope(PickupCounter)
        .select_for_update(no_key=True)
        .get_or_create(branch=branch, day=day, defaults={"company_id": branch.company_id})
    )
    counter.last += 1
    counter.save(update_fields=["last", "updated_at"])
    return counter.last, day
