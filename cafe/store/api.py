"""The storeroom's REST edges: ingredients (and their per-branch threshold),
recipes, a branch's stock, its ledger and its settings. Who sees what:
docs/inventory.md, "Who may see and change what"."""

from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import ALL_ROLES, MANAGING_ROLES, branch_for_write
from accounts.viewsets import TenantViewSet
from cafe.shared.api import ResourceViewSet
from cafe.store import services
from cafe.store.schema import INGREDIENT_THRESHOLD, INGREDIENTS, RECIPES, STOCK
from cafe.store.selectors import (
    ingredient_get,
    ingredient_list,
    recipe_get,
    recipe_list,
    stock_levels,
    stock_movements,
    stock_settings,
    with_effects,
)
from cafe.store.serializers import (
    BranchOnly,
    IngredientInput,
    IngredientSerializer,
    MovementFilter,
    MovementSerializer,
    RecipeFilter,
    RecipeInput,
    RecipeSerializer,
    StockFilter,
    StockLevelSerializer,
    StockSettingsInput,
    StockSettingsSerializer,
    ThresholdInput,
)
from core.api import valid
from core.idempotency import idempotent


@INGREDIENTS
@INGREDIENT_THRESHOLD
class IngredientViewSet(ResourceViewSet):
    serializer_class = IngredientSerializer
    input_class = IngredientInput
    id_name = "ingredient_id"
    # Every role reads names and units (cooks work from recipes); owners and admins
    # change the company's ingredients; managers set their branch's thresholds.
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(ingredient_list)
    fetch = staticmethod(ingredient_get)
    create_one = staticmethod(services.ingredient_create)
    update_one = staticmethod(services.ingredient_update)
    delete_one = staticmethod(services.ingredient_delete)

    @action(detail=True, methods=["post"])
    @idempotent
    def threshold(self, request, pk) -> Response:
        level = services.ingredient_threshold_set(
            tenant=self.tenant, ingredient_id=pk, **valid(ThresholdInput, request.data)
        )
        level = stock_levels(tenant=self.tenant, branch=level.branch_id).get(pk=level.pk)
        return Response(StockLevelSerializer(level, context={"costs": self.tenant.may_manage}).data)


@RECIPES
class RecipeViewSet(ResourceViewSet):
    serializer_class = RecipeSerializer
    input_class = RecipeInput
    filter_class = RecipeFilter
    id_name = "recipe_id"
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    fetch_list = staticmethod(recipe_list)
    fetch = staticmethod(recipe_get)
    create_one = staticmethod(services.recipe_create)
    update_one = staticmethod(services.recipe_update)
    delete_one = staticmethod(services.recipe_delete)

    def list(self, request) -> Response:
        rows = recipe_list(tenant=self.tenant, **self.filters(RecipeFilter))
        page = with_effects(self.tenant, self.paginate_queryset(rows) or [])
        return self.get_paginated_response(RecipeSerializer(page, many=True).data)


@STOCK
class StockViewSet(TenantViewSet):
    """``stock/``: a branch's levels; ``stock/movements/``: its ledger;
    ``stock/settings/``: whether it sells past zero."""

    serializer_class = StockLevelSerializer
    read_roles = ALL_ROLES
    write_roles = MANAGING_ROLES
    action_roles = {"movements": MANAGING_ROLES}

    def _branch(self, filters: dict) -> object:
        return branch_for_write(self.tenant, filters.pop("branch", None)).pk

    def list(self, request) -> Response:
        filters = self.filters(StockFilter)
        rows = stock_levels(tenant=self.tenant, branch=self._branch(filters))  # type: ignore[arg-type]
        if "low" in filters:
            low = filters["low"] == "true"
            rows = [row for row in rows if StockLevelSerializer().get_low(row) == low]  # type: ignore[assignment]
        page = self.paginate_queryset(rows)
        answer = StockLevelSerializer(page, many=True, context={"costs": self.tenant.may_manage})
        return self.get_paginated_response(answer.data)

    @action(detail=False, methods=["get"])
    def movements(self, request) -> Response:
        filters = self.filters(MovementFilter)
        rows = stock_movements(tenant=self.tenant, branch=self._branch(filters), **filters)  # type: ignore[arg-type]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MovementSerializer(page, many=True).data)

    @action(detail=False, methods=["get", "put"], url_path="settings")
    def branch_settings(self, request) -> Response:
        if request.method == "PUT":
            return self._settings_put(request)
        found = stock_settings(tenant=self.tenant, branch=self._branch(self.filters(BranchOnly)))  # type: ignore[arg-type]
        return Response(StockSettingsSerializer(found).data)

    @idempotent
    def _settings_put(self, request) -> Response:
        found = services.stock_settings_set(tenant=self.tenant, **valid(StockSettingsInput, request.data))
        return Response(StockSettingsSerializer(found).data, status=status.HTTP_200_OK)
