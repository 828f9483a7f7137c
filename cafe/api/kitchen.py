"""The kitchen screens: tasks (one per portion), their actions one at a time or in bulk."""

from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES, KITCHEN_ROLES, ORDER_TAKING_ROLES
from cafe import selectors, services
from cafe.api import schema
from cafe.serializers import KitchenTaskFilter, KitchenTaskSerializer, TaskIdsInput, represent
from core.api import TenantViewSet, valid


@schema.KITCHEN_TASKS
class KitchenTaskViewSet(TenantViewSet):
    serializer_class = KitchenTaskSerializer
    # Everyone reads the kitchen; cooks (and managers and above) claim, ready and
    # un-ready portions; whoever takes orders serves them.
    read_roles = ALL_ROLES
    write_roles = KITCHEN_ROLES
    action_roles = {"served": ORDER_TAKING_ROLES, "served_many": ORDER_TAKING_ROLES}

    def list(self, request) -> Response:
        return self.page(selectors.task_list(tenant=self.tenant, **self.filters(KitchenTaskFilter)))

    def retrieve(self, request, pk) -> Response:
        return Response(represent(KitchenTaskSerializer, selectors.task_get(tenant=self.tenant, task_id=pk)))

    def _act(self, action_name: str, task_ids) -> Response:
        tasks = services.task_act(tenant=self.tenant, task_ids=task_ids, action=action_name)
        return Response([represent(KitchenTaskSerializer, task) for task in tasks])

    def _one(self, action_name: str, pk) -> Response:
        tasks = services.task_act(tenant=self.tenant, task_ids=[pk], action=action_name)
        return Response(represent(KitchenTaskSerializer, tasks[0]))

    # One task: POST tasks/{id}/<action>/ answers the task.

    @action(detail=True, methods=["post"])
    def claim(self, request, pk) -> Response:
        return self._one("claim", pk)

    @action(detail=True, methods=["post"])
    def ready(self, request, pk) -> Response:
        return self._one("ready", pk)

    @action(detail=True, methods=["post"])
    def unready(self, request, pk) -> Response:
        return self._one("unready", pk)

    @action(detail=True, methods=["post"])
    def served(self, request, pk) -> Response:
        return self._one("served", pk)

    # Many tasks, all or nothing: POST tasks/<action>/ {"ids": [...]} answers the list.

    @action(detail=False, methods=["post"], url_path="claim")
    def claim_many(self, request) -> Response:
        return self._act("claim", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="ready")
    def ready_many(self, request) -> Response:
        return self._act("ready", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="unready")
    def unready_many(self, request) -> Response:
        return self._act("unready", valid(TaskIdsInput, request.data)["ids"])

    @action(detail=False, methods=["post"], url_path="served")
    def served_many(self, request) -> Response:
        return self._act("served", valid(TaskIdsInput, request.data)["ids"])
