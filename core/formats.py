"""How the API speaks: JSON only, whatever a client asks for or sends.

- Every answer is JSON. A browser's ``Accept: text/html`` or ``?format=api``
  gets JSON too, not a 406 and not DRF's HTML pages.
- JSON bodies nested deeper than ``JSON_MAX_DEPTH`` answer 400; they used to
  reach Python's recursion limit and answer 500.
- A JSON number with a fraction or an exponent is read as ``Decimal``, not
  ``float``: a sum's field (``core.fields``) sees the number as it was written.
- ``OPTIONS`` answers the view's name and formats only: DRF's default walked
  the serializers and looked the object up, and a detail URL answered 500.
"""

import contextlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.metadata import SimpleMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.utils import json


class JSONOnly(DefaultContentNegotiation):
    """The API's one renderer, JSON, whatever ``Accept`` or ``?format`` asks for. A
    view that offers several (the OpenAPI document: YAML or JSON) negotiates as
    usual and falls back to its first instead of answering 404 or 406. Parsers are
    chosen as usual."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) > 1:
            with contextlib.suppress(Http404, NotAcceptable):
                return super().select_renderer(request, renderers, format_suffix)
        renderer = renderers[0]
        return renderer, renderer.media_type


def nested_deeper_than(data: Any, limit: int) -> bool:
    """Whether any list or object in ``data`` sits more than ``limit`` levels deep
    (a top-level object is level 1). Walks without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.JSON_MAX_DEPTH
        message = _("JSON parse error - nested deeper than %(limit)s levels.") % {"limit": limit}
        try:
            # DRF's JSONParser.parse, with fractions kept exact.
            text = stream.read().decode((parser_context or {}).get("encoding", settings.DEFAULT_CHARSET))
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant, parse_float=Decimal)
        except RecursionError:
            raise ParseError(message) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nested_deeper_than(data, limit):
            raise ParseError(message)
        return data


class PlainMetadata(SimpleMetadata):
    def determine_metadata(self, request, view) -> dict:
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
