"""The AsyncAPI 3 document of the sockets, generated from the event catalogue.

Channels come from the registered streams (``catalogue.STREAMS``: a new stream
appears here by itself), each channel's events from ``catalogue.TYPES_BY_STREAM``
and every event's payload from ``catalogue.describe()``. The control frames (greeting, ping,
resume, errors) and the close codes are the consumers' protocol, declared
once below; a test checks them against ``realtime/consumers.py`` and
``realtime/access.py``. Served at ``/api/asyncapi.yaml`` / ``.json`` and
rendered to HTML at ``/api/asyncapi/`` (``realtime.docs``).
"""

from typing import Any

from django.conf import settings

from realtime import catalogue

ASYNCAPI_VERSION = "3.0.0"

# Close codes a socket may be closed with, and why (realtime/access.py, realtime/consumers.py).
CLOSE_CODES: dict[int, str] = {
    1008: "`since` in the query string is not an integer from 0 to 2^63-1 (after an `error` frame `invalid_since`).",
    1009: "A client frame is larger than `WEBSOCKET_MAX_FRAME` (64 KiB by default).",
    1011: "The server failed handling the socket (after an `error` frame `server_error`): reconnect with `since`.",
    1013: (
        "Try again later: the client is so far behind that more than `WEBSOCKET_OUTBOX_BYTES` (1 MiB of text) "
        "or 10,000 frames wait for it, or the database cannot be reached to authorise the socket or replay "
        "a `resume`. Reconnect (after 1013, back off a little) with `since`: nothing is lost."
    ),
    4003: (
        "No token, a malformed, forged or expired token, or an inactive user; also sent to an open "
        "socket when its token expires or its user is deactivated or moved (within about two seconds)."
    ),
    4004: "The user has no company.",
    4029: (
        "Too many (after an `error` frame saying which): the user or the company already holds the most sockets "
        "allowed (`too_many_sockets`: `WEBSOCKET_MAX_PER_USER`, `WEBSOCKET_MAX_PER_COMPANY`, or its share of "
        "the server process's connections), or `since` would replay the log more often than "
        "`WEBSOCKET_REPLAYS_PER_USER` times a minute (`too_many_resumes`, with `retry_after`). Reconnect later "
        "(after `retry_after` seconds) with `since`: nothing is lost."
    ),
    4005: (
        "`branch_id` is not a UUID, not a branch of the user's company, or a branch-bound user asked "
        "for another branch than their own; or a narrowing parameter (`station` on the kitchen socket) "
        "is not a UUID or names no object of the socket's scope (another branch's or company's station)."
    ),
}

# The `code` of the `error` frames (realtime/consumers.py); the socket stays open after one,
# except `invalid_since` in the query string (closed with 1008) and `server_error` (1011).
ERROR_CODES: dict[str, str] = {
    "invalid_frame": "A binary frame: send JSON text frames.",
    "invalid_json": "The frame is not valid JSON.",
    "invalid_message": "The frame is JSON but not an object.",
    "invalid_since": "`since` is not an integer from 0 to 2^63-1.",
    "server_error": "The server failed handling the socket; it is closed with 1011: reconnect with `since`.",
    "too_many_resumes": (
        "More replays of the event log (`resume`, or `since` behind the latest event) than "
        "`WEBSOCKET_REPLAYS_PER_SOCKET` a minute on this socket or `WEBSOCKET_REPLAYS_PER_USER` for the user: "
        "nothing was replayed, the socket stays open (closed 4029 when `since` came in the URL); resume after "
        "`retry_after` seconds."
    ),
    "too_many_sockets": "The user or company holds the most sockets allowed; the socket is closed with 4029.",
    "unknown_action": "`action` is neither `ping` nor `resume`.",
}

UUID = {"type": "string", "format": "uuid"}
NULLABLE_UUID = {"anyOf": [UUID, {"type": "null"}]}
SEQ = {"type": "integer", "minimum": 0}


def _closed(properties: dict[str, Any], description: str, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": False,
    }


def _const(value: str) -> dict[str, Any]:
    return {"type": "string", "const": value}


def event_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one whole event frame: the envelope with the event's payload."""
    event = catalogue.CATALOGUE[name]
    return _closed(
        {
            "type": _const(name),
            "data": {"$ref": f"#/components/schemas/{name}_data"},
            "event_id": {**UUID, "description": "The event's id (the same on every socket and on resume)."},
            "seq": {
                "type": "integer",
                "minimum": 1,
                "description": "Contiguous and increasing within the company: keep the last one to resume.",
            },
            "ts": {"type": "string", "format": "date-time", "description": "When the change was committed."},
        },
        event.summary,
    )


def _control_schemas() -> dict[str, dict[str, Any]]:
    return {
        "connection_established": _closed(
            {
                "type": _const("connection_established"),
                "company_id": UUID,
                "branch_id": {**NULLABLE_UUID, "description": "Null for a company-wide socket (owner/admin)."},
                "group": {
                    "type": "string",
                    "description": "`cafe_<stream>_<company_id>_<branch_id>`, or `cafe_<stream>_<company_id>` "
                    "company-wide.",
                },
                "seq": {**SEQ, "description": "The company's latest event number: where this client starts."},
            },
            "The first frame after the socket is accepted.",
        ),
        "pong": _closed({"type": _const("pong")}, "The answer to `ping`."),
        "error": _closed(
            {
                "type": _const("error"),
                "code": {
                    "enum": list(ERROR_CODES),
                    "description": "; ".join(f"`{k}`: {v}" for k, v in ERROR_CODES.items()),
                },
                "message": {
                    "type": "string",
                    "description": "For people, in the socket's language (`lang`); match on `code`.",
                },
                "retry_after": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "With `too_many_resumes`: seconds until a replay is allowed again.",
                },
            },
            "A frame the server could not use; the socket stays open (except as `code` says).",
            required=["type", "code", "message"],
        ),
        "resync_required": _closed(
            {"type": _const("resync_required"), "seq": {**SEQ, "description": "The company's latest event number."}},
            "`since` is older than the event log keeps (24 h) or ahead of the latest event: reload through "
            "REST and carry on from `seq`.",
        ),
        "ping": _closed({"action": _const("ping")}, "Checks the connection; answered with `pong`."),
        "resume": _closed(
            {"action": _const("resume"), "since": SEQ},
            "Replays every event of the socket's scope with `seq` greater than `since`, in order, then goes on live.",
        ),
    }


SERVER_CONTROL = ("connection_established", "pong", "error", "resync_required")
CLIENT_MESSAGES = ("ping", "resume")

_CONTROL_TITLES = {
    "connection_established": "Connection established",
    "pong": "Pong",
    "error": "Error",
    "resync_required": "Resync required",
    "ping": "Ping",
    "resume": "Resume",
}

_EXAMPLES: dict[str, dict[str, Any]] = {
    "connection_established": {
        "type": "connection_established",
        "company_id": "0b9f5a63-5c2e-4a55-8f55-3f3b0c1d2e4f",
        "branch_id": "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        "group": "cafe_orders_0b9f5a63-5c2e-4a55-8f55-3f3b0c1d2e4f_6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
        "seq": 41,
    },
    "pong": {"type": "pong"},
    "error": {"type": "error", "code": "unknown_action", "message": "Unknown action: 'hello'. Use 'ping' or 'resume'."},
    "resync_required": {"type": "resync_required", "seq": 41},
    "ping": {"action": "ping"},
    "resume": {"action": "resume", "since": 41},
}


def _query_schema(stream: str) -> dict[str, Any]:
    narrowing = catalogue.NARROWINGS.get(stream)
    narrowed = {narrowing.param: {**UUID, "description": narrowing.description}} if narrowing else {}
    return {
        "type": "object",
        "properties": {
            "token": {"type": "string", "description": "The `access` token from `POST /api/users/login/`."},
            "branch_id": {
                **UUID,
                "description": "Owner/admin only: the branch to watch. Without it an owner/admin watches their "
                "own branch if they have one, else the whole company; branch-bound staff always get their own.",
            },
            "since": {
                "type": "string",
                "pattern": "^[0-9]+$",
                "description": "Resume: the `seq` of the last event handled; every later event of the socket's "
                "scope is sent first, in order.",
            },
            "lang": {
                "enum": [code for code, _name in settings.LANGUAGES],
                "description": "The language of the socket's own frames (the `message` of `error` frames); "
                "by default the server's (`LANGUAGE_CODE`, Russian). Events are in the server's language "
                "on every socket: one text is shared by all of them.",
            },
            **narrowed,
        },
        "required": ["token"],
    }


def _close_codes_markdown() -> str:
    rows = "\n".join(f"| {code} | {meaning} |" for code, meaning in sorted(CLOSE_CODES.items()))
    return f"| close code | when |\n| --- | --- |\n{rows}"


def document(*, host: str = "localhost:8000", protocol: str = "ws") -> dict[str, Any]:
    """The whole AsyncAPI 3 document, for the server at ``host``."""
    described = catalogue.describe()
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for name, schema in _control_schemas().items():
        schemas[name] = schema
        messages[name] = {
            "name": name,
            "title": _CONTROL_TITLES[name],
            "summary": schema["description"],
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "examples": [{"name": name, "payload": _EXAMPLES[name]}],
        }
    for name, event in described.items():
        schemas[f"{name}_data"] = {**event["payload"], "description": f"`data` of `{name}`."}
        schemas[name] = event_schema(name)
        messages[name] = {
            "name": name,
            "title": name.replace("_", " ").capitalize(),
            "summary": event["summary"],
            "description": f"Sent on the {', '.join(f'`{s}`' for s in event['streams'])} socket(s).",
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for stream in catalogue.STREAMS:
        channel = stream
        events = ", ".join(f"`{name}`" for name in catalogue.TYPES_BY_STREAM[stream])
        sent = [*SERVER_CONTROL, *catalogue.TYPES_BY_STREAM[stream]]
        narrowing = catalogue.NARROWINGS.get(stream)
        narrowed = (
            f", `&{narrowing.param}=UUID`: {narrowing.description[0].lower()}{narrowing.description[1:]}"
            if narrowing
            else ""
        )
        channels[channel] = {
            "address": f"/ws/cafe/{stream}/",
            "title": f"{stream.capitalize()} socket",
            "description": (
                f"Connect to `{protocol}://{host}/ws/cafe/{stream}/?token=ACCESS_TOKEN` "
                f"(optionally `&branch_id=UUID`, `&since=SEQ`, `&lang=en`{narrowed}). The first frame is "
                f"`connection_established`; then every event of the socket's scope: {events}. "
                "Events are sent only after their change is committed, each once, in `seq` order.\n\n"
                f"The socket is closed with:\n\n{_close_codes_markdown()}"
            ),
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in [*sent, *CLIENT_MESSAGES]},
            "bindings": {"ws": {"method": "GET", "query": _query_schema(stream), "bindingVersion": "0.1.0"}},
            "x-close-codes": {str(code): meaning for code, meaning in sorted(CLOSE_CODES.items())},
        }
        operations[f"{channel}_send"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "title": f"What the {stream} socket sends",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in sent],
        }
        operations[f"{channel}_ping"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "title": "Ping",
            "messages": [{"$ref": f"#/channels/{channel}/messages/ping"}],
            "reply": {
                "channel": {"$ref": f"#/channels/{channel}"},
                "messages": [{"$ref": f"#/channels/{channel}/messages/pong"}],
            },
        }
        operations[f"{channel}_resume"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "title": "Resume from a seq",
            "messages": [{"$ref": f"#/channels/{channel}/messages/resume"}],
        }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Cafe real-time sockets",
            "version": "1.0.0",
            "description": (
                "Live orders, tables and the kitchen. Log in through the REST API (`POST /api/users/login/`, see "
                "/api/docs/), then open a socket with the `access` token. Client frames are JSON text "
                "objects with an `action`; every server frame is a JSON object with a `type`. Events carry "
                "`type` and `data` (as in the quick start) plus `event_id`, `seq` and `ts` for delivery: "
                "keep the last `seq` and reconnect with `&since=SEQ` to get everything missed."
            ),
        },
        "servers": {
            "local": {"host": host, "protocol": protocol, "description": "This server."},
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def event_validator_schema(name: str) -> dict[str, Any]:
    """A self-contained JSON Schema of one event frame (refs resolved), for validating emitted events."""
    schema = event_schema(name)
    schema["properties"]["data"] = catalogue.describe()[name]["payload"]
    return schema
