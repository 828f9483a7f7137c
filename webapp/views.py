"""The web app's pages: one HTML shell for every view (``/app/``, ``/app/kitchen/``,
``/app/till/``, ``/app/pickup/``); the script routes by path and talks to the public
REST and WebSocket API like any device. The shell sets the CSRF cookie the web
session's endpoints check and a Content-Security-Policy with no inline script."""

import hashlib
import json
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie

VIEWS = ("floor", "kitchen", "till", "pickup", "clock", "devices")
# The app's own files, by their name in static/webapp/ (the service worker caches each).
ASSETS = ("app.js", "device.js", "offline.js", "app.css", "icon.svg")


@cache
def asset_url(name: str) -> str:
    """The URL of one of the app's static files. After ``collectstatic`` it is the
    hashed name (``webapp/app.3f2a9c1b7e4d.js``, the manifest storage's MD5 of the
    content), which WhiteNoise serves with a far-future, immutable Cache-Control.
    Before it, or when the collected copy is older than the source (an edit since
    ``collectstatic``), it is the plain name with ``?v=<hash of the content>``,
    served from the app's own directory: never a stale script."""
    path = finders.find(f"webapp/{name}")
    if not path:
        return static(f"webapp/{name}")
    with open(path, "rb") as file:
        content = file.read()
    hashed = staticfiles_storage.url(f"webapp/{name}")
    if f".{hashlib.md5(content, usedforsecurity=False).hexdigest()[:12]}." in hashed:
        return hashed
    plain = urljoin(str(settings.STATIC_URL), f"webapp/{name}")
    if name.endswith(".js") and hashed != plain and modules_collected():
        return hashed  # its imports were rewritten to hashed names: its own hash is of that text
    return f"{plain}?v={hashlib.sha256(content).hexdigest()[:12]}"


def modules_collected() -> bool:
    """Whether every module of the app (``app.js`` and the modules it imports) was
    collected as it is now: each collected plain copy equals its source. Only then
    may a module whose imports ``collectstatic`` rewrote be served by its hashed name."""
    folder = Path(str(finders.find("webapp/app.js"))).parent
    root = Path(str(settings.STATIC_ROOT or "")) / "webapp"
    for source in folder.glob("*.js"):
        copy = root / source.name
        if not settings.STATIC_ROOT or not copy.is_file() or copy.read_bytes() != source.read_bytes():
            return False
    return True


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
            "js": asset_url("app.js"),
            "offline": asset_url("offline.js"),
            "css": asset_url("app.css"),
            "icon": asset_url("icon.svg"),
            "language": settings.LANGUAGE_CODE,
        },
    )
    response["Content-Security-Policy"] = csp(request)
    response["Cache-Control"] = "no-store"
    return response


def shell() -> list[str]:
    """What the service worker caches: every view's page, the manifest and the app's
    files under this release's names (hashed, or ``?v=<content hash>``)."""
    pages = [reverse("webapp:floor"), *(reverse(f"webapp:{view}") for view in VIEWS if view != "floor")]
    return [*pages, reverse("webapp:manifest"), *(asset_url(name) for name in ASSETS)]


def service_worker(request: HttpRequest) -> HttpResponse:
    """``/app/sw.js``: served from ``/app/`` so its scope is the app's pages. Its version
    is a hash of the files it caches (their names carry their content's hash) and of
    its own code, so a deploy is a new worker that replaces the old cache."""
    files = shell()
    code = render_to_string("webapp/sw.js", {"version": "", "shell": json.dumps(files)})
    version = hashlib.sha256(code.encode()).hexdigest()[:12]
    response = HttpResponse(
        render_to_string("webapp/sw.js", {"version": version, "shell": json.dumps(files)}),
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"  # the browser asks for it again on every visit: a deploy is seen at once
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable, opens on the floor, within ``/app/``."""
    response = JsonResponse(
        {
            "name": "Cafe",
            "short_name": "Cafe",
            "start_url": reverse("webapp:floor"),
            "scope": reverse("webapp:floor"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f4e79",
            "icons": [{"src": asset_url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response
