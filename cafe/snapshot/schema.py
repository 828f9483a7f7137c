"""The snapshot's OpenAPI description."""

from cafe.snapshot.serializers import SnapshotFilter, SnapshotSerializer
from core.schema import document, operation

SNAPSHOT = document(
    retrieve=operation(
        tag="snapshot",
        summary="A branch as of one seq",
        response=SnapshotSerializer,
        parameters=[SnapshotFilter],
        errors_=(400, 429),
        description=(
            "The branch's tables, menu with its stop-list, open orders and live kitchen portions, read at one "
            "moment, with the company's `seq` at that moment: load it, then open the sockets with `since=seq` "
            "to receive every later change once (docs/snapshot.md). Every staff role of the branch may read "
            "it; owners and admins name the `branch`. At most SNAPSHOT_CONCURRENCY_PER_COMPANY are worked out "
            "at once per company (429 with `Retry-After` beyond)."
        ),
    ),
)
