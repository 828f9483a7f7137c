"""The floor's OpenAPI description: tables (``TABLES``)."""

from cafe.floor.serializers import TableInput, TableSerializer
from cafe.shared.schema import BRANCH, TABLE
from cafe.shared.serializers import BranchFilter
from core.schema import resource

TABLE_EXAMPLE = {
    "id": TABLE,
    "branch": BRANCH,
    "number": 5,
    "seats": 4,
    "status": "free",
    "status_display": "Свободен",
}


TABLES = resource(
    tag="tables",
    noun="table",
    output=TableSerializer,
    input=TableInput,
    filters=BranchFilter,
    example=TABLE_EXAMPLE,
    request_example={"number": 5, "seats": 4},
    write_errors=(409,),
    writers="owner, admin and manager; any staff member may PATCH only `status` to `reserved` or `free` "
    "(409 while the table has open orders)",
)
