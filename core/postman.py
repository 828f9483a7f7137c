"""A Postman collection (v2.1) and environment generated from the OpenAPI document.

The first folder is the quick start of the seed document (log in, connect the
socket, create an order, watch the events, close it); then one folder per tag of
the document (accounts, tables, menu, orders), a request per operation with its
example body. Every request's test script checks that the answer is one the
document declares; list requests remember the first object's id (`table_id`, …)
for the requests after them. Written by ``manage.py postman_collection``; a test
keeps the checked-in files equal to what it writes now.
"""

import json
import uuid
from typing import Any

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAME = "Cafe real-time API"
COLLECTION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "cafe-realtime/postman/collection"))
ENVIRONMENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "cafe-realtime/postman/environment"))
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 9}

# The demo login of `make run` (as in the README's walk-through).
ENVIRONMENT = {
    "base_url": "http://localhost:8000",
    "ws_url": "ws://localhost:8000",
    "email": "waiter@demo.cafe",
    "password": "cafe-demo-2026",
    "token": "",
    "refresh": "",
    "user_id": "",
}


def variable_for(segment: str) -> str:
    """`tables` → `table_id`, `menu-items` → `menu_item_id`, `categories` → `category_id`."""
    name = segment.replace("-", "_")
    if name.endswith("ies"):
        name = name[:-3] + "y"
    elif name.endswith("ches"):
        name = name[:-2]
    elif name.endswith("s"):
        name = name[:-1]
    return f"{name}_id"


def _collection_of(path: str) -> str:
    """The list segment a path's `{id}` belongs to: `/api/cafe/orders/{id}/close/` → `orders`."""
    parts = [part for part in path.split("/") if part]
    return parts[parts.index("{id}") - 1] if "{id}" in parts else parts[-1]


def _url(path: str, query: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    concrete = path.replace("{id}", "{{" + variable_for(_collection_of(path)) + "}}")
    url: dict[str, Any] = {
        "raw": "{{base_url}}" + concrete,
        "host": ["{{base_url}}"],
        "path": [part for part in concrete.split("/") if part] + ([""] if concrete.endswith("/") else []),
    }
    if query:
        url["query"] = query
        enabled = [f"{q['key']}={q['value']}" for q in query if not q.get("disabled")]
        if enabled:
            url["raw"] += "?" + "&".join(enabled)
    return url


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _with_variables(value: Any, schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """Example ids replaced by the variables the list requests fill (`{{table_id}}`)."""
    schema = _resolve(document, schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        result = {}
        for key, item in value.items():
            spec = _resolve(document, properties.get(key, {}))
            if spec.get("format") == "uuid" and isinstance(item, str) and key != "id":
                result[key] = "{{" + variable_for(key + "s") + "}}"
            else:
                result[key] = _with_variables(item, spec, document)
        return result
    if isinstance(value, list):
        return [_with_variables(item, schema.get("items", {}), document) for item in value]
    return value


def _sample(schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """A minimal body from a schema with no example: its required fields."""
    schema = _resolve(document, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), "string") if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: _sample(properties[key], document) for key in schema.get("required", []) if key in properties}
    if kind == "array":
        return [_sample(schema.get("items", {}), document)]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return True
    if schema.get("format") == "email":
        return "someone@example.com"
    return "text"


def _body(operation: dict[str, Any], document: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    examples = content.get("examples") or {}
    example = next(iter(examples.values()))["value"] if examples else _sample(content["schema"], document)
    body = _with_variables(example, content["schema"], document)
    return {
        "mode": "raw",
        "raw": json.dumps(body, indent=2, ensure_ascii=False),
        "options": {"raw": {"language": "json"}},
    }


def _documented_statuses_test(statuses: list[str]) -> list[str]:
    return [
        f"pm.test('answers as documented ({', '.join(statuses)})', function () {{",
        f"    pm.expect({json.dumps([int(s) for s in statuses])}).to.include(pm.response.code);",
        "});",
        "pm.test('answers JSON (or nothing)', function () {",
        "    if (pm.response.code !== 204) { pm.response.to.be.json; }",
        "});",
    ]


def _remember_first_id(variable: str) -> list[str]:
    return [
        "if (pm.response.code === 200) {",
        "    const results = pm.response.json().results || [];",
        "    const mine = pm.environment.get('user_id');",
        "    const first = results.find(function (object) { return object.id !== mine; });",
        f"    if (first) {{ pm.environment.set('{variable}', first.id); }}",
        "}",
    ]


def _remember_created_id(variable: str) -> list[str]:
    return [f"if (pm.response.code === 201) {{ pm.environment.set('{variable}', pm.response.json().id); }}"]


def _event(lines: list[str]) -> list[dict[str, Any]]:
    return [{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}]


def _request_item(path: str, method: str, operation: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    headers: list[dict[str, Any]] = []
    body = _body(operation, document)
    if body is not None:
        headers.append({"key": "Content-Type", "value": "application/json"})
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header":
            headers.append(
                {
                    "key": parameter["name"],
                    "value": "{{$guid}}",
                    "description": parameter.get("description", ""),
                    "disabled": not parameter.get("required", False),
                }
            )
    query = [
        {"key": parameter["name"], "value": "", "description": parameter.get("description", ""), "disabled": True}
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": headers,
        "url": _url(path, query),
        "description": operation.get("description", ""),
    }
    if body is not None:
        request["body"] = body
    if operation.get("security") in ([], [{}]):
        request["auth"] = {"type": "noauth"}
    tests = _documented_statuses_test(sorted(operation["responses"]))
    variable = variable_for(_collection_of(path))
    if method == "get" and "{id}" not in path:
        tests += _remember_first_id(variable)
    if method == "post" and "{id}" not in path and "201" in operation["responses"]:
        tests += _remember_created_id(variable)
    return {"name": operation.get("summary") or f"{method.upper()} {path}", "event": _event(tests), "request": request}


def _walk_through(streams: list[str]) -> dict[str, Any]:
    """The seed's quick start. WebSocket requests cannot be stored in a v2.1 collection
    (nor run by newman): the folder's description says how to open them in Postman."""
    sockets = "\n".join(f"- `{{{{ws_url}}}}/ws/cafe/{stream}/?token={{{{token}}}}`" for stream in streams)
    description = (
        "The quick start, step by step (run the folder in order).\n\n"
        "1. **Log in** — stores `token` (the `access` token) in the environment.\n"
        "2. **Connect to the WebSocket**: in Postman choose *New → WebSocket*, paste\n"
        "   `{{ws_url}}/ws/cafe/orders/?token={{token}}` and press *Connect*. The first message is\n"
        '   `{"type": "connection_established", "company_id": ..., "branch_id": ..., "group": "cafe_orders_...", '
        '"seq": ...}`.\n'
        '3. Send `{"action": "ping"}`: the answer is `{"type": "pong"}`.\n'
        "4. **Find a free table** and **Find a menu item** — store `table_id` and `menu_item_id`.\n"
        "5. **Create an order** (the seed's body).\n"
        "6. Watch the socket: `order_created` (the same order as the answer) and `table_status_changed` "
        '(`"status": "busy"`).\n'
        "7. **Close the order**: `order_closed`, then `table_status_changed` back to `free`.\n\n"
        "Owners and admins may add `&branch_id=BRANCH_UUID`; add `&since=SEQ` to resume after the last "
        "`seq` handled. The sockets:\n\n"
        f"{sockets}\n\n"
        "Every message and close code: /api/asyncapi/ on the server."
    )
    login_tests = [
        "pm.test('logged in', function () { pm.response.to.have.status(200); });",
        "const body = pm.response.json();",
        'pm.environment.set("token", body.access);',
        'pm.environment.set("refresh", body.refresh);',
        'pm.environment.set("user_id", body.user.id);',
    ]
    free_table_tests = [
        "pm.test('tables listed', function () { pm.response.to.have.status(200); });",
        "const free = pm.response.json().results.find(function (table) { return table.status === 'free'; });",
        "pm.test('a free table', function () { pm.expect(free).to.be.an('object'); });",
        "pm.environment.set('table_id', free.id);",
    ]
    menu_item_tests = [
        "pm.test('menu listed', function () { pm.response.to.have.status(200); });",
        "const item = pm.response.json().results.find(function (item) { return item.is_available; });",
        "pm.test('an available menu item', function () { pm.expect(item).to.be.an('object'); });",
        "pm.environment.set('menu_item_id', item.id);",
    ]
    create_tests = [
        "pm.test('order created', function () { pm.response.to.have.status(201); });",
        "const order = pm.response.json();",
        "pm.test('open, on the table, with the line', function () {",
        "    pm.expect(order.status).to.eql('open');",
        "    pm.expect(order.table).to.eql(pm.environment.get('table_id'));",
        "    pm.expect(order.items[0].quantity).to.eql(2);",
        "});",
        "pm.environment.set('order_id', order.id);",
    ]
    close_tests = [
        "pm.test('order closed', function () { pm.response.to.have.status(200); });",
        "pm.test('status closed', function () { pm.expect(pm.response.json().status).to.eql('closed'); });",
    ]
    json_body = {"options": {"raw": {"language": "json"}}, "mode": "raw"}
    auth_json = [{"key": "Content-Type", "value": "application/json"}]
    return {
        "name": "Quick start (seed walk-through)",
        "description": description,
        "item": [
            {
                "name": "1. Log in",
                "event": _event(login_tests),
                "request": {
                    "auth": {"type": "noauth"},
                    "method": "POST",
                    "header": auth_json,
                    "url": _url("/api/users/login/"),
                    "body": {
                        **json_body,
                        "raw": json.dumps({"email": "{{email}}", "password": "{{password}}"}, indent=2),
                    },
                    "description": "Seed step 1: the `access` token goes to the `token` variable.",
                },
            },
            {
                "name": "2. Connect to the orders WebSocket (in Postman: New → WebSocket)",
                "event": _event(
                    [
                        "pm.test('the socket protocol is documented', function () {",
                        "    pm.response.to.have.status(200);",
                        "    pm.expect(pm.response.json().channels.orders.address).to.eql('/ws/cafe/orders/');",
                        "});",
                    ]
                ),
                "request": {
                    "auth": {"type": "noauth"},
                    "method": "GET",
                    "header": [],
                    "url": _url("/api/asyncapi.json"),
                    "description": (
                        "A collection cannot hold a WebSocket request: open *New → WebSocket* with\n"
                        "`{{ws_url}}/ws/cafe/orders/?token={{token}}` and press *Connect*, then send "
                        '`{"action": "ping"}`. This request fetches the sockets\' AsyncAPI document.'
                    ),
                },
            },
            {
                "name": "3. Find a free table",
                "event": _event(free_table_tests),
                "request": {"method": "GET", "header": [], "url": _url("/api/cafe/tables/")},
            },
            {
                "name": "4. Find a menu item",
                "event": _event(menu_item_tests),
                "request": {"method": "GET", "header": [], "url": _url("/api/cafe/menu-items/")},
            },
            {
                "name": "5. Create an order (watch order_created and table_status_changed)",
                "event": _event(create_tests),
                "request": {
                    "method": "POST",
                    "header": [*auth_json, {"key": "Idempotency-Key", "value": "{{$guid}}"}],
                    "url": _url("/api/cafe/orders/"),
                    "body": {
                        **json_body,
                        "raw": json.dumps(
                            {
                                "table": "{{table_id}}",
                                "guests": 2,
                                "items": [{"menu_item": "{{menu_item_id}}", "quantity": 2}],
                            },
                            indent=2,
                        ),
                    },
                    "description": "Seed step 5. The socket receives `order_created` and `table_status_changed`.",
                },
            },
            {
                "name": "6. Close the order (watch order_closed and table_status_changed)",
                "event": _event(close_tests),
                "request": {"method": "POST", "header": [], "url": _url("/api/cafe/orders/{id}/close/")},
            },
        ],
    }


def collection(document: dict[str, Any], *, streams: list[str]) -> dict[str, Any]:
    """The collection for an OpenAPI document (as /api/schema/ serves it)."""
    folders: dict[str, list[tuple[tuple, dict[str, Any]]]] = {tag["name"]: [] for tag in document.get("tags", [])}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHOD_ORDER:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            # Lists first (they fill the ids), then creates, reads, changes, actions; cancel and delete last.
            key = ("{id}" in path, METHOD_ORDER[method], path.endswith("/cancel/"), path)
            folders.setdefault(tag, []).append((key, _request_item(path, method, operation, document)))
    descriptions = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    return {
        "info": {
            "_postman_id": COLLECTION_ID,
            "name": NAME,
            "description": (
                f"{document['info'].get('description', '')}\n\n"
                "Generated from the OpenAPI document by `manage.py postman_collection` (`make docs`); "
                "do not edit by hand. Import it with `cafe.postman_environment.json` and select that "
                "environment; start with the quick start folder."
            ),
            "schema": SCHEMA,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "item": [
            _walk_through(streams),
            *(
                {
                    "name": tag,
                    "description": descriptions.get(tag, ""),
                    "item": [request for _, request in sorted(requests, key=lambda pair: pair[0])],
                }
                for tag, requests in folders.items()
                if requests
            ),
        ],
    }


def environment() -> dict[str, Any]:
    return {
        "id": ENVIRONMENT_ID,
        "name": "Cafe (local)",
        "values": [
            {
                "key": key,
                "value": value,
                "type": "secret" if key in {"password", "token", "refresh"} else "default",
                "enabled": True,
            }
            for key, value in ENVIRONMENT.items()
        ],
        "_postman_variable_scope": "environment",
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
