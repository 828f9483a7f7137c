from rest_framework.response import Response

from cafe import selectors, services
from cafe.api import schema
from cafe.api.base import ResourceViewSet
from cafe.serializers import TableInput, TableSerializer
from core.api import valid


@schema.TABLES
class TableViewSet(ResourceViewSet):
    serializer_class = TableSerializer
    input_class = TableInput
    id_name = "table_id"
    fetch_list = staticmethod(selectors.table_list)
    fetch = staticmethod(selectors.table_get)
    create_one = staticmethod(services.table_create)
    update_one = staticmethod(services.table_update)
    delete_one = staticmethod(services.table_delete)

    def update(self, request, pk, partial: bool = False) -> Response:
        if partial and isinstance(request.data, dict) and set(request.data) == {"status"}:
            # Any staff member may reserve a table or free it again.
            changes = valid(TableInput, request.data, partial=True)
            return Response(
                self.serializer_class(services.table_update(tenant=self.tenant, table_id=pk, **changes)).data
            )
        return super().update(request, pk, partial)
