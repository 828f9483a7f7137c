from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
from cafe.floor.schema import TABLES
from cafe.floor.selectors import table_get, table_list
from cafe.floor.serializers import TableInput, TableSerializer
from cafe.floor.services import table_create, table_delete, table_update
from cafe.shared.api import ResourceViewSet


@TABLES
class TableViewSet(ResourceViewSet):
    serializer_class = TableSerializer
    input_class = TableInput
    id_name = "table_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    # Any staff member may reserve a table or free it again: table_update lets
    # those who do not manage change its status and nothing else.
    action_roles = {"partial_update": ALL_ROLES}
    fetch_list = staticmethod(table_list)
    fetch = staticmethod(table_get)
    create_one = staticmethod(table_create)
    update_one = staticmethod(table_update)
    delete_one = staticmethod(table_delete)
