import datetime
from typing import Any

from django.db.models import QuerySet
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES, MANAGING_ROLES, Tenant, branch_for_write
from cafe.floor import hours
from cafe.floor.models import OpeningException
from cafe.floor.schema import OPENING_EXCEPTIONS, OPENING_HOURS, OPENING_HOURS_WEEK, TABLES, ZONES
from cafe.floor.selectors import (
    opening_exception_get,
    opening_exception_list,
    opening_hours_get,
    opening_hours_list,
    table_get,
    table_list,
    zone_get,
    zone_list,
)
from cafe.floor.serializers import (
    OpeningExceptionFilter,
    OpeningExceptionInput,
    OpeningExceptionSerializer,
    OpeningHoursFilter,
    OpeningHoursInput,
    OpeningHoursSerializer,
    TableFilter,
    TableInput,
    TableSerializer,
    WeekFilter,
    WeekSerializer,
    ZoneInput,
    ZoneSerializer,
)
from cafe.floor.services import (
    opening_exception_create,
    opening_exception_delete,
    opening_exception_update,
    opening_hours_create,
    opening_hours_delete,
    opening_hours_update,
    table_create,
    table_delete,
    table_update,
    zone_create,
    zone_delete,
    zone_update,
)
from cafe.shared.api import ResourceViewSet
from cafe.shared.business_day import local_day


@TABLES
class TableViewSet(ResourceViewSet):
    serializer_class = TableSerializer
    input_class = TableInput
    filter_class = TableFilter
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


@ZONES
class ZoneViewSet(ResourceViewSet):
    serializer_class = ZoneSerializer
    input_class = ZoneInput
    id_name = "zone_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(zone_list)
    fetch = staticmethod(zone_get)
    create_one = staticmethod(zone_create)
    update_one = staticmethod(zone_update)
    delete_one = staticmethod(zone_delete)


@OPENING_HOURS
@OPENING_HOURS_WEEK
class OpeningHoursViewSet(ResourceViewSet):
    serializer_class = OpeningHoursSerializer
    input_class = OpeningHoursInput
    filter_class = OpeningHoursFilter
    id_name = "hours_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(opening_hours_list)
    fetch = staticmethod(opening_hours_get)
    create_one = staticmethod(opening_hours_create)
    update_one = staticmethod(opening_hours_update)
    delete_one = staticmethod(opening_hours_delete)

    @action(detail=False, methods=["get"])
    def week(self, request) -> Response:
        query = self.filters(WeekFilter)
        branch = branch_for_write(self.tenant, query.get("branch"))
        start = query.get("start") or local_day(branch)
        days = hours.local_days(branch, [start + datetime.timedelta(days=n) for n in range(7)])
        answer = {
            "branch": branch.pk,
            "timezone": branch.timezone,
            "days": [
                {
                    "date": day.date,
                    "weekday": day.date.weekday(),
                    "exception": day.exception,
                    "closed": day.closed,
                    "hours": [{"opens": opens, "closes": closes} for opens, closes in day.hours],
                    "note": day.note,
                }
                for day in days
            ],
        }
        return Response(WeekSerializer(answer).data)


@OPENING_EXCEPTIONS
class OpeningExceptionViewSet(ResourceViewSet):
    serializer_class = OpeningExceptionSerializer
    input_class = OpeningExceptionInput
    filter_class = OpeningExceptionFilter
    id_name = "exception_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    create_one = staticmethod(opening_exception_create)
    update_one = staticmethod(opening_exception_update)
    delete_one = staticmethod(opening_exception_delete)
    fetch = staticmethod(opening_exception_get)

    @staticmethod
    def fetch_list(*, tenant: Tenant, **query: Any) -> QuerySet[OpeningException]:
        # ``from`` is a Python keyword: the filter's dates are passed on by name.
        return opening_exception_list(
            tenant=tenant, branch=query.get("branch"), since=query.get("from"), until=query.get("to")
        )
