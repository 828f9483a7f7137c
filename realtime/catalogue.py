"""The event catalogue: what each socket (stream) can receive, as the domain registers it.

``realtime`` declares no event of its own. The domain declares its streams, its
event types (``event_type(ORDER_CREATED, …)``: a name, the streams it goes to, a
payload ``TypedDict`` and a summary) and their payloads next to the objects they
describe, and registers them here when its app is ready (``register_stream``,
``register_events``; the cafe does it in ``CafeConfig.ready``), before anything
reads the catalogue: a management command, the ASGI application and the test
suite all set Django up first. Adding an event type or a socket edits no file in
``realtime/``.

What is registered drives everything else: the hub and the log reads route by
``CATALOGUE`` and ``TYPES_BY_STREAM`` (exact matching, never a string pattern),
``realtime.routing`` accepts ``ws/cafe/<stream>/`` for every registered stream,
``emit`` refuses an event type nobody registered, and ``describe()`` /
``json_schema`` turn the catalogue into the JSON Schema the AsyncAPI document
(``realtime.asyncapi``) is generated from.
"""

import types
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

if TYPE_CHECKING:
    from accounts.tenancy import Tenant


# Which values a narrowing accepts, decided by the domain: (the socket's tenant, the
# value as a UUID, the socket's branch id or None for a company-wide socket) -> allowed.
NarrowingCheck = Callable[["Tenant", uuid.UUID, str | None], bool]


@dataclass(frozen=True)
class Narrowing:
    """A query parameter that narrows a stream's socket to one object of its scope
    (``&station=ID`` on the kitchen socket): the socket then gets no event whose data
    names another one under ``param`` (events naming none pass), in its catch-up and
    live alike.

    Which ids are allowed is the domain's knowledge, not the sockets': ``allows``
    reads them through the tenant's scope, so ``realtime`` names no model. An id it
    refuses (another branch's or company's, or none at all) closes the socket 4005."""

    param: str
    description: str
    allows: NarrowingCheck

    def marker(self, value: str) -> tuple[str, str]:
        """(the text every event naming some object has, the text one naming this one has)."""
        return f'"{self.param}": "', f'"{self.param}": "{value}"'


Payload = TypeVar("Payload")


@dataclass(frozen=True)
class EventType(Generic[Payload]):
    """One kind of event: its name (the frames' ``type``), the streams (sockets) it
    goes to, the shape of its ``data`` and a one-line summary for the documentation."""

    name: str
    streams: frozenset[str]
    payload: type[Payload]
    summary: str


def event_type(name: str, streams: Iterable[str], payload: type[Payload], summary: str) -> EventType[Payload]:
    """Declares an event type (a declaration only: ``register_events`` registers it)."""
    return EventType(name, frozenset(str(stream) for stream in streams), payload, summary)


# What is registered, in registration order (the order the documentation lists them in).
# These dicts are filled in place, so a module that imported them sees every registration.

# Every stream (``ws/cafe/<stream>/``) and its narrowing, if it has one.
STREAMS: dict[str, Narrowing | None] = {}
NARROWINGS: dict[str, Narrowing] = {}
# Every event type by name.
CATALOGUE: dict[str, EventType[Any]] = {}
# Each stream's event types, for exact matching in the log reads and the hub.
TYPES_BY_STREAM: dict[str, tuple[str, ...]] = {}


class CatalogueError(Exception):
    """A registration that contradicts the catalogue (a name declared twice, an unknown stream)."""


def register_stream(name: str, *, narrowing: Narrowing | None = None) -> None:
    """Opens ``ws/cafe/<name>/`` (optionally narrowed, see ``Narrowing``). Registering
    the same stream again with the same narrowing does nothing."""
    name = str(name)
    if name in STREAMS:
        if STREAMS[name] != narrowing:
            raise CatalogueError(f"the {name} stream is already registered with another narrowing")
        return
    STREAMS[name] = narrowing
    TYPES_BY_STREAM[name] = ()
    if narrowing is not None:
        NARROWINGS[name] = narrowing


def register_events(*events: EventType[Any]) -> None:
    """Adds event types to the catalogue; their streams must be registered first.
    Registering the same declaration again does nothing; another one of the same
    name is refused."""
    for event in events:
        known = CATALOGUE.get(event.name)
        if known is not None:
            if known != event:
                raise CatalogueError(f"another {event.name} event type is already registered")
            continue
        unknown = sorted(stream for stream in event.streams if stream not in STREAMS)
        if unknown:
            raise CatalogueError(f"{event.name} goes to unregistered streams: {', '.join(unknown)}")
        CATALOGUE[event.name] = event
        for stream in event.streams:
            TYPES_BY_STREAM[stream] = (*TYPES_BY_STREAM[stream], event.name)


def is_registered(event: EventType[Any]) -> bool:
    return CATALOGUE.get(event.name) is event


def narrowing_allowed(stream: str, tenant: "Tenant", value: uuid.UUID, branch_id: str | None) -> bool:
    narrowing = NARROWINGS.get(stream)
    return narrowing is not None and narrowing.allows(tenant, value, branch_id)


def group_name(stream: str, company_id: object, branch_id: object | None) -> str:
    """`cafe_orders_<company>_<branch>`, or `cafe_orders_<company>` company-wide."""
    name = f"cafe_{stream}_{company_id}"
    return f"{name}_{branch_id}" if branch_id else name


# A machine-readable description (JSON Schema of every payload).


def describe() -> dict[str, dict[str, Any]]:
    """Every event type: its streams, summary and payload as JSON Schema."""
    return {
        name: {"streams": sorted(event.streams), "summary": event.summary, "payload": json_schema(event.payload)}
        for name, event in CATALOGUE.items()
    }


def json_schema(annotation: Any) -> dict[str, Any]:
    """JSON Schema for the types payloads use: TypedDicts, lists, literals, str, int, None."""
    origin = get_origin(annotation)
    if origin is Literal:
        return {"enum": list(get_args(annotation))}
    if origin is list:
        return {"type": "array", "items": json_schema(get_args(annotation)[0])}
    if origin in (Union, types.UnionType):
        return {"anyOf": [json_schema(arg) for arg in get_args(annotation)]}
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        hints = get_type_hints(annotation)
        return {
            "type": "object",
            "properties": {key: json_schema(hint) for key, hint in hints.items()},
            "required": sorted(annotation.__required_keys__),
            "additionalProperties": False,
        }
    simple = {str: "string", int: "integer", bool: "boolean", float: "number", type(None): "null"}
    if annotation in simple:
        return {"type": simple[annotation]}
    raise TypeError(f"no JSON Schema for {annotation!r}")
