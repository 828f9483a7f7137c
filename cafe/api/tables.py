from accounts.tenancy import ALL_ROLES, MANAGING_ROLES
from cafe import selectors, services
from cafe.api import schema
from cafe.api.base import ResourceViewSet
from cafe.serializers import TableInput, TableSerializer


@schema.TABLES
class TableViewSet(ResourceViewSet):
    serializer_class = TableSerializer
    input_class = TableInput
    id_name = "table_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    # Any staff member may reserve a table or free it again: table_update lets
    # those who do not manage change its status and nothing else.
    action_roles = {"partial_update": ALL_ROLES}
    fetch_list = staticmethod(selectors.table_list)
    fetch = staticmethod(selectors.table_get)
    create_one = staticmethod(services.table_create)
    update_one = staticmethod(services.table_update)
    delete_one = staticmethod(services.table_delete)
