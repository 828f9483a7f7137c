"""``GET snapshot/?branch=``: what a device loads before it opens its sockets."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES, branch_for_write
from accounts.viewsets import TenantViewSet
from cafe.shared.serializers import represent
from cafe.snapshot.schema import SNAPSHOT
from cafe.snapshot.selectors import branch_snapshot
from cafe.snapshot.serializers import SnapshotFilter, SnapshotSerializer
from core.concurrency import Limit, slot


@SNAPSHOT
class SnapshotViewSet(TenantViewSet):
    serializer_class = SnapshotSerializer
    read_roles = ALL_ROLES
    # Only GET is routed (cafe/urls.py), as one answer, not a list: any other method is 405.
    write_roles = ALL_ROLES

    def retrieve(self, request) -> Response:
        # The branch as a write would take it: the one named, or a branch-bound user's own.
        branch = branch_for_write(self.tenant, self.filters(SnapshotFilter).get("branch"))
        per_company = settings.SNAPSHOT_CONCURRENCY_PER_COMPANY
        busy = _("Too many devices of your company are loading at once (at most %(count)s); try again shortly.")
        limit = Limit(f"snapshot:company:{self.tenant.company_id}", per_company, busy % {"count": per_company})
        with slot(limit, lease=settings.SNAPSHOT_LEASE_SECONDS, retry_after=1):
            return Response(represent(SnapshotSerializer, branch_snapshot(tenant=self.tenant, branch=branch)))
