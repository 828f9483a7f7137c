"""The AsyncAPI document: generated from the catalogue, structurally sound (every
reference resolves, every payload a valid JSON Schema), in step with what the
consumers really send and close with, served as YAML, JSON and HTML; and every
event the suite emits is checked against it (realtime/tests/event_schema.py)."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from cafe.tests.factories import BranchFactory, MenuItemFactory, TableFactory, order_for, staff_of
from realtime import asyncapi, catalogue
from realtime.tests.event_schema import message_errors

REALTIME = Path(__file__).resolve().parents[1]


@pytest.fixture
def document() -> dict:
    return asyncapi.document()


def _resolve(document: dict, ref: str) -> object:
    assert ref.startswith("#/"), ref
    node: object = document
    for part in ref[2:].split("/"):
        assert isinstance(node, dict), f"unresolved {ref}"
        assert part in node, f"unresolved {ref}"
        node = node[part]
    return node


def _refs(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_top_level_fields(document):
    assert document["asyncapi"] == "3.0.0"
    assert {"title", "version", "description"} <= set(document["info"])
    assert document["servers"]["local"]["protocol"] == "ws"
    assert document["defaultContentType"] == "application/json"
    assert {"channels", "operations", "components"} <= set(document)


def test_every_reference_resolves(document):
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        _resolve(document, ref)


def test_a_channel_per_stream_with_its_events(document):
    assert list(document["channels"]) == list(catalogue.STREAMS) == ["orders", "tables", "kitchen"]
    for stream in catalogue.STREAMS:
        channel = document["channels"][stream]
        assert channel["address"] == f"/ws/cafe/{stream}/"
        expected = {*asyncapi.SERVER_CONTROL, *asyncapi.CLIENT_MESSAGES, *catalogue.TYPES_BY_STREAM[stream]}
        assert set(channel["messages"]) == expected
        narrowing = catalogue.NARROWINGS.get(stream)
        narrowed = {narrowing.param} if narrowing else set()
        assert set(channel["bindings"]["ws"]["query"]["properties"]) == {
            "token",
            "branch_id",
            "since",
            "lang",
            *narrowed,
        }
        sent = document["operations"][f"{stream}_send"]
        assert sent["action"] == "send"
        assert [ref["$ref"].rsplit("/", 1)[-1] for ref in sent["messages"]] == [
            *asyncapi.SERVER_CONTROL,
            *catalogue.TYPES_BY_STREAM[stream],
        ]
        assert document["operations"][f"{stream}_ping"]["action"] == "receive"


def test_the_kitchen_socket_documents_its_station_narrowing(document):
    kitchen = document["channels"]["kitchen"]
    station = kitchen["bindings"]["ws"]["query"]["properties"]["station"]
    assert station["format"] == "uuid"
    assert "station" in station["description"]
    assert "&station=UUID" in kitchen["description"]
    assert "station" in asyncapi.CLOSE_CODES[4005]
    assert "station" not in document["channels"]["orders"]["bindings"]["ws"]["query"]["properties"]


def test_every_schema_is_valid_json_schema(document):
    for name, schema in document["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema), name
    for name in catalogue.CATALOGUE:
        jsonschema.Draft202012Validator.check_schema(asyncapi.event_validator_schema(name))


def test_every_event_payload_comes_from_the_catalogue(document):
    schemas = document["components"]["schemas"]
    for name, described in catalogue.describe().items():
        data = dict(schemas[f"{name}_data"])
        data.pop("description")
        assert data == described["payload"]
        assert set(schemas[name]["properties"]) == {"type", "data", "event_id", "seq", "ts"}


def test_examples_match_their_schemas(document):
    for name, message in document["components"]["messages"].items():
        schema = document["components"]["schemas"][name]
        for example in message.get("examples", []):
            jsonschema.validate(example["payload"], schema)


def test_close_codes_are_the_ones_the_code_uses():
    source = (REALTIME / "consumers.py").read_text() + (REALTIME / "access.py").read_text()
    used = {int(code) for code in re.findall(r"(?:close\(code=|_close_soon\(|SocketRefused\()(\d{4})", source)}
    assert used == set(asyncapi.CLOSE_CODES)
    assert {4003, 4004, 4005, 1008, 1009, 1013} <= set(asyncapi.CLOSE_CODES)


def test_error_codes_are_the_ones_the_consumer_sends():
    source = (REALTIME / "consumers.py").read_text()
    used = set(re.findall(r'_error\(\s*"(\w+)"', source)) | set(re.findall(r'code="(\w+)"', source))
    assert used == set(asyncapi.ERROR_CODES)


@pytest.mark.django_db
def test_a_real_order_matches_the_document(emitted_events):
    branch = BranchFactory()
    item = MenuItemFactory(category__company=branch.company)
    order_for(staff_of(branch), TableFactory(branch=branch), items=[(item, 2)])
    assert [message["type"] for message in emitted_events.messages] == ["order_created", "table_status_changed"]
    for message in emitted_events.messages:
        assert message_errors(json.dumps(message)) == []


def test_a_drifted_payload_is_caught():
    frame = {
        "type": "table_status_changed",
        "data": {"table_id": "t", "table_number": 1, "status": "busy", "status_display": "Занят"},
        "event_id": "0b9f5a63-5c2e-4a55-8f55-3f3b0c1d2e4f",
        "seq": 1,
        "ts": "2026-03-14T12:30:00Z",
    }
    assert any("branch_id" in problem for problem in message_errors(json.dumps(frame)))
    frame["data"] |= {"branch_id": "b", "colour": "red"}
    assert any("colour" in problem for problem in message_errors(json.dumps(frame)))


@pytest.mark.django_db
def test_served_as_yaml_json_and_html(client):
    as_yaml = yaml.safe_load(client.get("/api/asyncapi.yaml", HTTP_HOST="localhost:8123").content)
    as_json = client.get("/api/asyncapi.json", HTTP_HOST="localhost:8123").json()
    assert as_yaml == as_json
    assert as_json["servers"]["local"]["host"] == "localhost:8123"
    page = client.get("/api/asyncapi/", HTTP_HOST="localhost:8123").content.decode()
    assert "ws://localhost:8123/ws/cafe/orders/?token=ACCESS_TOKEN" in page
    for needle in ["4003", "4004", "4005", "1008", "1009", "1013", "resync_required", "order_closed", "since"]:
        assert needle in page
    assert "http://" not in page.replace("http://localhost:8123", "")
    assert "https://" not in page
