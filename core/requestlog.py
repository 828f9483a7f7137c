"""Each HTTP request's id, log line and metrics, in the first middleware.

* **Request id**: the client's ``X-Request-ID`` when it is sane (1 to 64 letters,
  digits, ``-``, ``_``, ``.``, ``:``), else a new one (32 hex digits); it is echoed in
  the answer's ``X-Request-ID`` and stamped on every line logged while the request is
  answered (``core.logging.REQUEST_ID``).
* **Log line**: one ``cafe.requests`` record after the answer, with the method, the
  route (the URL pattern, never the path, which holds ids), the status, the duration
  in ms, and the user's and company's ids when the request was authenticated.
* **Metrics**: ``cafe_http_requests_total`` and ``cafe_http_request_duration_seconds``
  by method and route (``core.metrics``).
"""

import functools
import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject, empty

from core import metrics
from core.logging import REQUEST_ID

log = logging.getLogger("cafe.requests")

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# A path no URL pattern matched (a 404 of the router).
UNMATCHED = "unmatched"


def request_id_for(incoming: str | None) -> str:
    if incoming and SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


@functools.lru_cache(maxsize=1024)
def readable(route: str) -> str:
    """A URL pattern as a path: ``/api/cafe/orders/{pk}/pay/`` for DRF's router's
    ``api/cafe/orders/(?P<pk>[0-9a-f…]{8}…)/pay/$``."""
    parts, at = [], 0
    while found := NAMED_GROUP.search(route, at):
        parts.append(route[at : found.start()] + "{" + found.group(1) + "}")
        depth, at = 1, found.end()
        while at < len(route) and depth:
            depth += {"(": 1, ")": -1}.get(route[at], 0) if route[at - 1] != "\\" else 0
            at += 1
    parts.append(route[at:])
    return "/" + "".join(parts).replace("^", "").replace("$", "")


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return readable(match.route) if match.route else (match.view_name or UNMATCHED)


def authenticated_user(request):
    """The user DRF authenticated (it sets ``request.user``), without evaluating the
    session's lazy user: a request DRF did not authenticate reads no session."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        wrapped = user.__dict__.get("_wrapped", empty)
        user = None if wrapped is empty else wrapped
    return user if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request.headers.get(HEADER))
        request.request_id = request_id
        context = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - start
            route = route_of(request)
            response[HEADER] = request_id
            metrics.http_request(request.method, route, response.status_code, seconds)
            user = authenticated_user(request)
            log.info(
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                    "user_id": str(user.pk) if user else None,
                    "company_id": str(user.company_id) if user and getattr(user, "company_id", None) else None,
                },
            )
            return response
        finally:
            REQUEST_ID.reset(context)
