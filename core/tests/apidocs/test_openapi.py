"""The OpenAPI document: served as JSON and YAML, valid OpenAPI 3.1, complete (every
REST route, its errors, the JWT scheme, Idempotency-Key), and its viewers load
without any CDN."""

import json
import re

import pytest
import yaml
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api_client) -> dict:
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_schema_is_served_as_yaml_and_as_json(api_client):
    as_yaml = api_client.get("/api/schema/")
    assert as_yaml.status_code == 200
    assert "openapi" in as_yaml["Content-Type"]
    as_json = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert yaml.safe_load(as_yaml.content) == json.loads(as_json.content)


def test_a_stale_token_does_not_hide_the_documents(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get("/api/schema/").status_code == 200


def _rest_routes() -> set[str]:
    """Every REST path the URLconf serves, in OpenAPI's `{id}` notation."""
    found = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = (prefix + str(pattern.pattern)).replace("^", "")
                route = re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route)
                route = re.sub(r"\(\?P<(?!format>)(\w+)>[^)]*\)", r"{\1}", route).lstrip("^").rstrip("$")
                if route.startswith(("api/users/", "api/cafe/")) and "(?P<format>" not in route:
                    found.add("/" + route)

    walk(get_resolver().url_patterns, "")
    return found


def test_every_rest_route_is_documented(document):
    routes = _rest_routes()
    assert routes, routes - set(document["paths"])
    assert routes <= set(document["paths"]), routes - set(document["paths"])


def test_every_operation_has_a_summary_a_tag_and_its_error_answers(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert operation.get("tags"), where
            codes = set(operation["responses"])
            if operation.get("security") == [{"displayToken": []}]:
                assert "401" in codes, where  # a display token has no role to refuse: 401 or the board
            elif operation.get("security") != [{}] and "security" in operation:
                assert {"401", "403"} <= codes, where
            if "{id}" in path:
                assert "404" in codes, where
            if "requestBody" in operation:
                assert "400" in codes, where
                assert set(operation["requestBody"]["content"]) == {"application/json"}, where


def test_errors_share_one_component(document):
    schemas = document["components"]["schemas"]
    assert {"ErrorDetail", "FieldErrors"} <= set(schemas)
    order_close = document["paths"]["/api/cafe/orders/{id}/close/"]["post"]["responses"]
    assert order_close["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorDetail"}


def test_jwt_bearer_scheme_and_public_login(document):
    assert document["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    login = document["paths"]["/api/users/login/"]["post"]
    assert login.get("security") in (None, [], [{}])
    assert {"200", "400", "401", "429"} <= set(login["responses"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/cafe/orders/",
        "/api/cafe/orders/{id}/items/",
        "/api/cafe/orders/{id}/close/",
        "/api/cafe/orders/{id}/cancel/",
    ],
)
def test_idempotent_writes_take_the_idempotency_key(document, path):
    operation = document["paths"][path]["post"]
    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
    assert "422" in operation["responses"]


def test_lists_are_paged_with_limit_and_offset(document):
    operation = document["paths"]["/api/cafe/orders/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"limit", "offset", "status", "table", "branch"} <= names
    page = document["components"]["schemas"]["PaginatedOrderList"]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert page["properties"]["next"]["type"] == ["string", "null"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/cafe/shifts/{id}/cash/")]
    + [("post", f"/api/cafe/kitchen/tasks/{name}/") for name in ("claim", "ready", "unready", "served")],
)
def test_lists_answered_whole_are_documented_as_arrays(document, method, path):
    """A shift's cash movements and the kitchen's many-task actions answer the whole
    list, not a page: an array, without ``limit`` and ``offset``."""
    operation = document["paths"][path][method]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {p["name"] for p in operation.get("parameters", [])} <= {"id", "Idempotency-Key"}


def test_the_seed_request_is_an_example(document):
    create = document["paths"]["/api/cafe/orders/"]["post"]
    [example] = create["requestBody"]["content"]["application/json"]["examples"].values()
    assert set(example["value"]) == {"table", "guests", "items"}
    assert set(example["value"]["items"][0]) == {"menu_item", "quantity"}


def test_creates_link_to_the_created_object(document):
    links = document["paths"]["/api/cafe/tables/"]["post"]["responses"]["201"]["links"]
    assert links["cafe_tables_retrieve"] == {
        "operationId": "cafe_tables_retrieve",
        "parameters": {"id": "$response.body#/id"},
        "description": "GET /api/cafe/tables/{id}/ on the created object.",
    }


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_viewers_load_their_files_from_this_server(client, page, settings):
    settings.DEBUG = False
    html = client.get(page).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets, assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        b"".join(response.streaming_content) if response.streaming else response.content


def test_an_unknown_api_path_answers_json_404_even_in_debug(client, settings):
    settings.DEBUG = True
    response = client.delete("/api/cafe/tables/null,null/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_options_describes_without_failing(client_for):
    from cafe.tests.factories import BranchFactory, TableFactory, staff_of

    branch = BranchFactory()
    table = TableFactory(branch=branch)
    response = client_for(staff_of(branch, role="manager")).options(f"/api/cafe/tables/{table.pk}/")
    assert response.status_code == 200
    assert response.json()["name"]


def test_the_public_document_is_made_once_per_process(api_client, settings, monkeypatch):
    """An anonymous caller hammering /api/schema/ costs the rendering, not the seconds of
    working the document out; changing the URL conf makes it again."""
    from drf_spectacular.generators import SchemaGenerator

    made = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    settings.ROOT_URLCONF = "config.urls"  # a change of a shaping setting forgets it
    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    first = api_client.get("/api/schema/?format=json").json()
    second = api_client.get("/api/schema/?format=json").json()
    assert (len(made), first) == (1, second)
    settings.ROOT_URLCONF = "config.urls"
    api_client.get("/api/schema/?format=json")
    assert len(made) == 2
