"""One error format: DRF-style JSON, never an HTML page or a 500 for a client's mistake.

A database that cannot be reached answers 503 with ``Retry-After`` (see
``core.availability``): through the DRF handler for the API, through
``BackendUnavailableMiddleware`` and ``server_error`` for everything else."""

import logging
import sys

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core import metrics
from core.availability import RETRY_AFTER, backend_unavailable

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The object is not in a state that allows this.")
    default_code = "conflict"


def room_for_one_more(rows: QuerySet, limit: int, message: str) -> None:
    """409 with ``message`` (its ``%(limit)s`` filled in) when ``rows`` already hold
    ``limit``: a cap on how many of something a branch or company keeps. Counted under
    a lock the caller holds where concurrent creations must not both pass it; without
    one where passing it by a few is all it guards against (ingredients, suppliers)."""
    if rows.count() >= limit:
        raise Conflict(message % {"limit": limit})


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("The request cannot be processed.")
    default_code = "unprocessable"


class BackendUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("The service is temporarily unavailable; try again shortly.")
    default_code = "unavailable"
    wait = RETRY_AFTER  # DRF sends it as Retry-After


def exception_handler(exc, context):
    if backend_unavailable(exc):
        log.warning("database or Redis unavailable: %s", exc)
        metrics.backend_error(exc)
        exc = BackendUnavailable()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        # A missing object and another tenant's object answer alike.
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    return JsonResponse({"detail": _("Not found.")}, status=404)


def unavailable() -> JsonResponse:
    response = JsonResponse({"detail": str(BackendUnavailable.default_detail)}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class BackendUnavailableMiddleware:
    """503 instead of a 500 (or, with DEBUG, the debug page) for a view outside
    DRF that cannot reach the database or Redis."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if backend_unavailable(exception):
            log.warning("database or Redis unavailable: %s", exception)
            metrics.backend_error(exception)
            return unavailable()
        return None


def server_error(request):
    # Django calls this handler while handling the exception (a middleware's too).
    exc = sys.exc_info()[1]
    if exc is not None and backend_unavailable(exc):
        return unavailable()
    return JsonResponse({"detail": _("Server error.")}, status=500)


def bad_request(request, exception=None):
    return JsonResponse({"detail": _("Bad request.")}, status=400)
