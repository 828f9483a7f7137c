"""OpenAPI building blocks every REST edge shares: the error answers (declared
once, as components), the `Idempotency-Key` header, and one helper that
documents a whole view set from a few names.

Views are documented with class decorators only (``@extend_schema_view``), so
a handler's body never carries documentation. A new view set needs one
``@document(...)`` line (see README, "Adding an endpoint"). The document is in
English whatever the request's or the server's language (``EnglishSchemaGenerator``).
"""

import copy
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from django.utils.functional import Promise
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from core.idempotency import HEADER


class EnglishSchemaGenerator(SchemaGenerator):
    """Generates the document in English (the language the code is written in), so it
    and the Postman collection made from it do not change with ``Accept-Language``,
    ``?lang=`` or ``LANGUAGE_CODE``.

    The public document is the same for every request of a running process, and
    working it out takes about a second of CPU: it is made once per process (per URL
    conf and version), so anonymous callers of ``/api/schema/`` cost only its
    rendering. A settings change in a test forgets it."""

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        if not public:
            return self._english(request, public)
        key = (self.urlconf or settings.ROOT_URLCONF, self.api_version)
        if key not in _documents:
            _documents[key] = self._english(request, public)
        return copy.deepcopy(_documents[key])

    def _english(self, request: Any, public: bool) -> dict[str, Any]:
        with translation.override("en"):
            return _plain(super().get_schema(request=request, public=public))


_documents: dict[tuple[Any, Any], dict[str, Any]] = {}
# The settings the document is made from (anything else a test overrides keeps it).
_SHAPING = frozenset({"ROOT_URLCONF", "INSTALLED_APPS", "REST_FRAMEWORK", "SPECTACULAR_SETTINGS", "SIMPLE_JWT"})


@receiver(setting_changed)
def _forget_documents(*, setting: str, **_kwargs: Any) -> None:
    if setting in _SHAPING:
        _documents.clear()


def _plain(node: Any) -> Any:
    """``node`` with its lazy texts (labels, help texts) made plain strings while English
    is active: rendered later, they would follow the language active then."""
    if isinstance(node, Promise):
        return str(node)
    if isinstance(node, dict):
        return {_plain(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_plain(value) for value in node)
    return node


# The error answers (core.errors): DRF-style JSON, never HTML.


class ErrorDetail(serializers.Serializer):
    """`{"detail": "..."}`: 401, 403, 404, 409, 422, 429."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="A machine-readable code, when there is one.")


class FieldErrors(serializers.Serializer):
    """400: each invalid field (or `non_field_errors`, or `detail` for an unreadable body)
    with its messages; nested lists name the line: `{"items": {"0": {"menu_item": [...]}}}`."""


def nullable_to_oas31(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Post-processing hook: OpenAPI 3.1 has no `nullable`; DRF's pagination schema
    still says `"nullable": true` (for `next`/`previous`), which 3.1 validators ignore,
    so a `null` would not conform. Turn it into a `"null"` type."""

    def fix(node: Any) -> None:
        if isinstance(node, dict):
            if node.pop("nullable", False) is True and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            for value in node.values():
                fix(value)
        elif isinstance(node, list):
            for value in node:
                fix(value)

    fix(result)
    return result


def add_links(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Post-processing hook: OpenAPI links from each create (`POST <list>/`, 201) to the
    operations on the created object (`<list>/{id}/...`), taking `id` from the answer,
    so clients and schemathesis' stateful tests can follow create → read → update.
    New view sets get them without any annotation."""
    paths = result.get("paths", {})
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None or "{" in path:
            continue
        links = {}
        for detail_path, detail_item in paths.items():
            if not detail_path.startswith(f"{path}{{id}}/"):
                continue
            for method, operation in detail_item.items():
                if method in {"get", "put", "patch", "post", "delete"} and "operationId" in operation:
                    links[operation["operationId"]] = {
                        "operationId": operation["operationId"],
                        "parameters": {"id": "$response.body#/id"},
                        "description": f"{method.upper()} {detail_path} on the created object.",
                    }
        if links:
            created["links"] = links
    return result


def whole(serializer_class: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """Documents ``serializer_class`` as a whole body even under PATCH, for views that
    validate a PATCH body with every field required (drf-spectacular would otherwise
    mark every field optional)."""

    class Whole(OpenApiSerializerExtension):
        target_class = serializer_class

        def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
            return auto_schema._map_basic_serializer(serializer_class(), direction)

    return serializer_class


class FieldErrorsSchema(OpenApiSerializerExtension):
    """The field names vary with the request, so the shape is written out here."""

    target_class = FieldErrors

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": inspect.cleandoc(FieldErrors.__doc__ or ""),
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {}},
                    {"type": "object"},
                    {"type": "string"},
                ]
            },
        }


_ERROR_EXAMPLES: dict[int, tuple[str, str]] = {
    401: ("Not logged in", "Authentication credentials were not provided."),
    403: ("Not allowed", "Your role does not allow this."),
    404: ("Missing (or another company's)", "Not found."),
    409: ("Wrong state", "The order is closed; only open orders can be closed or cancelled."),
    422: ("Key reused", f"This {HEADER} was already used for a different request."),
    429: ("Throttled", "Too many failed logins. Try again in 900 seconds."),
    503: ("Busy", "Too many password checks at once; try again in a moment."),
}
_ERROR_MEANING = {
    400: "Invalid input: the field errors.",
    401: "No token, or an invalid or expired one.",
    403: "The caller's role does not allow this, or the caller belongs to no company.",
    404: "No such object in the caller's company (another company's object answers the same).",
    409: "The object is not in a state that allows this.",
    422: f"The {HEADER} was already used for a different request.",
    429: "Too many attempts; try again later (`Retry-After` says when).",
    503: "The server is busy or cannot reach its database; try again after `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Responses for the given error status codes, each with its shared component."""
    answers = {}
    for code in codes:
        if code == 400:
            answers[code] = OpenApiResponse(
                FieldErrors,
                description=_ERROR_MEANING[400],
                examples=[
                    OpenApiExample(
                        "Field errors",
                        {"guests": ["Ensure this value is greater than or equal to 1."]},
                        response_only=True,
                        status_codes=["400"],
                    )
                ],
            )
        else:
            summary, detail = _ERROR_EXAMPLES[code]
            answers[code] = OpenApiResponse(
                ErrorDetail,
                description=_ERROR_MEANING[code],
                examples=[OpenApiExample(summary, {"detail": detail}, response_only=True, status_codes=[str(code)])],
            )
    return answers


IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the write safe to retry: a retry with the same key and body answers exactly as the first "
        "time (with `Idempotent-Replayed: true`) and changes nothing; the same key with another body "
        "answers 422. 1–255 characters, per user, kept at least 24 hours. The answers kept for one user are "
        "bounded (`IDEMPOTENCY_USER_BYTES`, 1 MiB): a retry whose answer was dropped to stay within it "
        "answers 409 (with `Idempotent-Replayed: true`) and changes nothing."
    ),
)

ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's id.")

# `request=NO_BODY` (the default): the operation takes no body.
NO_BODY = object()

PAGING = (
    "Paged with `limit` (1 to `PAGE_SIZE_MAX`, 200 by default; more gives 200) and `offset`; "
    "a `limit` or `offset` that is not a whole number answers 400 naming it."
)

# What every authenticated request may answer besides its own errors.
AUTHENTICATED = (401, 403)


def operation(
    *,
    tag: str,
    summary: str,
    request: Any = NO_BODY,
    response: Any = None,
    status: int = 200,
    errors_: Iterable[int] = (),
    parameters: Iterable[Any] = (),
    examples: Iterable[OpenApiExample] = (),
    description: str = "",
    authenticated: bool = True,
    detail: bool = False,
    idempotent: bool = False,
    paged: bool = False,
    methods: Iterable[str] | None = None,
) -> Any:
    """One operation's ``extend_schema``: its answer, its errors, its parameters.
    ``paged``: a list with ``limit`` and ``offset``, which answers 400 for a malformed one.
    ``methods``: for one action serving several methods, which of them this documents
    (pass the action a list of operations, one per method)."""
    codes = {*errors_, *(AUTHENTICATED if authenticated else ()), *((404,) if detail else ())}
    if paged:
        codes.add(400)
        description = " ".join(filter(None, [description, PAGING]))
    if request not in (None, NO_BODY):
        codes.add(400)
    if idempotent:
        codes.update({400, 409, 422})
    responses: dict[int, Any] = {status: response}
    responses.update(errors(*sorted(codes)))
    extra = [*parameters, *((ID,) if detail else ()), *((IDEMPOTENCY_KEY,) if idempotent else ())]
    options: dict[str, Any] = {
        "tags": [tag],
        "summary": summary,
        "responses": responses,
        "parameters": extra or None,
        "examples": list(examples) or None,
        "description": description or None,
    }
    options = {key: value for key, value in options.items() if value is not None}
    options["request"] = None if request is NO_BODY else request
    if not authenticated:
        options["auth"] = []
    if methods is not None:
        options["methods"] = list(methods)
    return extend_schema(**options)


def document(**operations: Any) -> Any:
    """``extend_schema_view`` over the given actions (``list=operation(...)``, …)."""
    return extend_schema_view(**operations)


def resource(
    *,
    tag: str,
    noun: str,
    output: type[serializers.Serializer],
    input: type[serializers.Serializer],
    filters: type[serializers.Serializer] | None = None,
    example: Mapping[str, Any] | None = None,
    request_example: Mapping[str, Any] | None = None,
    write_errors: Iterable[int] = (),
    writers: str = "owner, admin and manager",
    plural: str = "",
) -> Any:
    """The five CRUD operations of a ``ResourceViewSet`` (list, retrieve, create,
    update, partial_update, destroy), with the shared errors and examples."""
    answer = [OpenApiExample(f"A {noun}", dict(example), response_only=True)] if example else []
    body = [OpenApiExample(f"New {noun}", dict(request_example), request_only=True)] if request_example else []
    write_errors = tuple(write_errors)
    return document(
        list=operation(
            tag=tag,
            summary=f"List {plural or noun + 's'}",
            response=output,
            parameters=[filters] if filters else (),
            paged=True,
        ),
        retrieve=operation(tag=tag, summary=f"Get a {noun}", response=output, detail=True, examples=answer),
        create=operation(
            tag=tag,
            summary=f"Create a {noun}",
            request=input,
            response=output,
            status=201,
            errors_=write_errors,
            examples=[*body, *answer],
            description=f"Allowed to {writers}.",
            idempotent=True,
        ),
        update=operation(
            tag=tag,
            summary=f"Replace a {noun}",
            request=input,
            response=output,
            detail=True,
            errors_=write_errors,
            description=f"Allowed to {writers}.",
            idempotent=True,
        ),
        partial_update=operation(
            tag=tag,
            summary=f"Change a {noun}",
            request=input,
            response=output,
            detail=True,
            errors_=write_errors,
            description=f"Allowed to {writers}; send only the fields to change.",
            idempotent=True,
        ),
        destroy=operation(
            tag=tag,
            summary=f"Delete a {noun}",
            response=None,
            status=204,
            detail=True,
            errors_=write_errors,
            description=f"Allowed to {writers}.",
            idempotent=True,
        ),
    )
