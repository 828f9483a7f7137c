"""The web app's pages: one HTML shell for every view (``/app/``, ``/app/kitchen/``,
``/app/till/``, ``/app/pickup/``); the script routes by path and talks to the public
REST and WebSocket API like any device. The shell sets the CSRF cookie the web
session's endpoints check and a Content-Security-Policy with no inline script."""

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

VIEWS = ("floor", "kitchen", "till", "pickup")


@cache
def asset_version(name: str) -> str:
    """A short hash of a static file's content, appended as ``?v=`` so a new release
    is fetched at once however long the old one was cached."""
    path = finders.find(f"webapp/{name}")
    if not path:
        return "0"
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def csp(request: HttpRequest) -> str:
    host = request.get_host()
    sockets = f"wss://{host}" if request.is_secure() else f"ws://{host} wss://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {sockets}; media-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def root(request: HttpRequest) -> HttpResponse:
    return redirect("webapp:floor")


@ensure_csrf_cookie
def page(request: HttpRequest, view: str = "floor") -> HttpResponse:
    response = render(
        request,
        "webapp/index.html",
        {
            "view": view,
            "js": asset_version("app.js"),
            "css": asset_version("app.css"),
            "language": settings.LANGUAGE_CODE,
        },
    )
    response["Content-Security-Policy"] = csp(request)
    response["Cache-Control"] = "no-store"
    return response
