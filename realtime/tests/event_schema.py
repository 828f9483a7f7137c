"""A pytest plugin: every event emitted anywhere in the test suite must match its
JSON Schema in the AsyncAPI document (``realtime.asyncapi``), so a payload that
changes without the catalogue (and so without the document) fails CI.

In-process: ``realtime.emit.emit`` is wrapped for every test (in each module that
imported it) and every row it writes is checked. Real server processes: the event
log is checked when ``start_server`` stops them (``logged_event_errors``)."""

import json
import sys
from functools import cache
from pathlib import Path

import jsonschema
import pytest

from realtime import asyncapi
from realtime import emit as emit_module

ROOT = Path(__file__).resolve().parents[2]


@cache
def _validator(event_type: str) -> jsonschema.protocols.Validator:
    schema = asyncapi.event_validator_schema(event_type)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def message_errors(message: str) -> list[str]:
    """What is wrong with one logged event message (the text every socket receives)."""
    frame = json.loads(message)
    event_type = frame.get("type")
    try:
        validator = _validator(event_type)
    except KeyError:
        return [f"{event_type!r} is not in the event catalogue: {message[:300]}"]
    return [
        f"{event_type}: {error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(frame), key=lambda error: error.json_path)
    ]


def logged_event_errors() -> list[str]:
    """Every problem in the event log of the test database."""
    from realtime.models import Event

    return [
        problem for message in Event.objects.values_list("message", flat=True) for problem in message_errors(message)
    ]


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.problems: list[str] = []


def _importers(function) -> list:
    """The project's modules that imported ``function`` by name."""
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(str(ROOT)) and ".venv" not in path and getattr(module, "emit", None) is function:
            found.append(module)
    return found


@pytest.fixture(autouse=True)
def emitted_events(monkeypatch) -> Recorder:
    """Checks every event this test emits in-process; the test fails at teardown otherwise."""
    original = emit_module.emit
    recorder = Recorder()

    def checked_emit(**kwargs):
        rows = original(**kwargs)
        for row in rows:
            recorder.messages.append(json.loads(row.message))
            recorder.problems.extend(message_errors(row.message))
        return rows

    for module in [emit_module, *_importers(original)]:
        monkeypatch.setattr(module, "emit", checked_emit)
    yield recorder
    assert not recorder.problems, "Emitted events do not match the AsyncAPI document:\n" + "\n".join(
        recorder.problems[:20]
    )
