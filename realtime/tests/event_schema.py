"""A pytest plugin: every event emitted anywhere in the test suite must match its
JSON Schema in the AsyncAPI document (``realtime.asyncapi``), so a payload that
changes without the catalogue (and so without the document) fails CI.

In-process: ``realtime.emit.emit`` is wrapped once for the session (before the
services import it) and every row it writes is checked, per test. Real server processes: the event
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


_original_emit = emit_module.emit
_current: Recorder | None = None


def checked_emit(**kwargs):
    """``emit``, then every row it wrote checked against the document."""
    rows = _original_emit(**kwargs)
    recorder = _current
    for row in rows:
        problems = message_errors(row.message)
        if recorder is None:
            assert not problems, "\n".join(problems)
            continue
        recorder.messages.append(json.loads(row.message))
        recorder.problems.extend(problems)
    return rows


def _install() -> None:
    """Replaces ``emit`` once, for the whole session: in ``realtime.emit`` before the
    services import it, and in any project module that already did."""
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(str(ROOT)) and ".venv" not in path and getattr(module, "emit", None) is _original_emit:
            module.emit = checked_emit
    emit_module.emit = checked_emit


_install()


@pytest.fixture(autouse=True)
def emitted_events() -> Recorder:
    """The events this test emits in-process; the test fails at teardown if one of
    them does not match the AsyncAPI document."""
    global _current
    recorder = _current = Recorder()
    try:
        yield recorder
    finally:
        _current = None
    assert not recorder.problems, "Emitted events do not match the AsyncAPI document:\n" + "\n".join(
        recorder.problems[:20]
    )
