"""What the README promises, the server serves: every method and path of its REST
tables and of its walk-through's curl commands is an operation of the OpenAPI document
(which ``test_openapi.py`` holds to the URLconf). The README once listed a GET the
server answered 405."""

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
METHOD = "|".join(METHODS)
# In a table's first cell: a method, or a path in backticks (`orders/{id}/`).
TOKEN = re.compile(rf"\b({METHOD})\b|`([^`]+)`")
ROUTE = re.compile(r"[a-z0-9{}_/-]+/")
BASE = re.compile(r"`(/api/[a-z]+/)`")
CURL = re.compile(rf"curl -s (?:-X ({METHOD}) )?\"?http://localhost:8000(/api/[^\s\"?]*)")


def table_routes(text: str) -> list[tuple[str, str]]:
    """(method, path) of every row of the tables headed ``| method, path |``: a cell reads
    ``GET, POST `tables/`; GET, PATCH `tables/{id}/`…``, each method list applying to the
    paths after it; paths are relative to the last `/api/…/` named before the table."""
    found, base, in_table = [], None, False
    for line in text.splitlines():
        if line.startswith("| method, path |"):
            assert base is not None, "a routes table without an /api/…/ before it"
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            base = ([base, *BASE.findall(line)])[-1]
            continue
        if not in_table or line.startswith("| ---"):
            continue
        cell = line.split(" | ")[0].removeprefix("| ")
        methods: list[str] = []
        after_path = False
        for method, code in TOKEN.findall(cell):
            if method:
                methods = [method] if after_path else [*methods, method]
                after_path = False
                continue
            path = code.split("?")[0]
            if ROUTE.fullmatch(path):
                assert methods, f"a path without a method: {line}"
                found += [(method, base + path) for method in methods]
                after_path = True
    return found


def curl_routes(text: str) -> list[tuple[str, str]]:
    """(method, path) of the walk-through's curl commands; ``$ORDER`` is a parameter."""
    return [(method or "GET", re.sub(r"\$\w+", "{}", path)) for method, path in CURL.findall(text)]


def operations(document: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path))
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in METHODS
    }


@pytest.fixture
def document(api_client) -> dict:
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_parser_reads_the_tables_and_the_walk_through():
    text = README.read_text()
    routes = set(table_routes(text))
    assert ("POST", "/api/users/login/") in routes
    assert {("GET", "/api/users/branches/{id}/"), ("PATCH", "/api/users/branches/{id}/")} <= routes
    assert ("DELETE", "/api/cafe/orders/{id}/lines/{line_id}/discount/") in routes
    assert ("GET", "/api/cafe/reports/range/") in routes
    assert ("POST", "/api/cafe/kitchen/tasks/served/") in routes
    assert len(routes) > 60
    assert ("POST", "/api/cafe/orders/{}/close/") in curl_routes(text)
    example = "Cafe, `/api/cafe/`:\n\n| method, path | notes |\n| --- | --- |\n"
    example += "| GET, POST `a/`, PATCH `a/{id}/`, `b/` | |\n"
    assert table_routes(example) == [
        ("GET", "/api/cafe/a/"),
        ("POST", "/api/cafe/a/"),
        ("PATCH", "/api/cafe/a/{id}/"),
        ("PATCH", "/api/cafe/b/"),
    ]


def test_every_route_and_method_the_readme_lists_is_served(document):
    served = operations(document)
    text = README.read_text()
    listed = {(method, re.sub(r"\{\w+\}", "{}", path)) for method, path in table_routes(text) + curl_routes(text)}
    assert sorted(listed - served) == []
