"""The service worker and the manifest (docs/offline.md): served from ``/app/`` so the
worker's scope is the app, asked for again on every visit, caching this release's files
under their hashed names, and a new version whenever one of them changes."""

import json
import re

import pytest
from django.test import Client

from webapp import views
from webapp.tests.test_static import collected

__all__ = ["collected"]


def worker(client: Client) -> tuple[str, list[str], str]:
    answer = client.get("/app/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    code = answer.content.decode()
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', code)
    shell = re.search(r"const SHELL = (\[.*\]);", code)
    assert version
    assert shell
    return version.group(1), json.loads(shell.group(1)), code


def test_the_worker_caches_every_view_and_the_files_the_page_names(client):
    _, shell, _ = worker(client)
    page = client.get("/app/").content.decode()
    views_shell = ["/app/", "/app/kitchen/", "/app/till/", "/app/pickup/", "/app/clock/", "/app/devices/"]
    assert shell[:7] == [*views_shell, "/app/manifest.webmanifest"]
    for name in ("app.js", "device.js", "offline.js", "app.css", "icon.svg"):
        assert views.asset_url(name) in shell
    # The page loads exactly what the worker caches, and names the worker and the manifest.
    assert f'src="{views.asset_url("app.js")}"' in page
    assert f'data-offline="{views.asset_url("offline.js")}"' in page
    assert 'data-worker="/app/sw.js"' in page
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in page


@pytest.mark.usefixtures("collected")
def test_after_collectstatic_the_worker_caches_the_hashed_names(client):
    _, shell, _ = worker(client)
    assert any(re.fullmatch(r"/static/webapp/offline\.[0-9a-f]{12}\.js", url) for url in shell), shell
    assert any(re.fullmatch(r"/static/webapp/app\.[0-9a-f]{12}\.js", url) for url in shell), shell


def test_a_changed_file_is_a_new_worker_that_replaces_the_old_cache(client, monkeypatch):
    version, _, code = worker(client)
    assert 'key.startsWith("cafe-shell-") && key !== CACHE' in code  # old releases' caches are deleted
    assert worker(client)[0] == version  # the same files: the same worker
    real = views.asset_url
    monkeypatch.setattr(views, "asset_url", lambda name: real(name) + ("x" if name == "app.css" else ""))
    assert worker(client)[0] != version


def test_the_manifest_makes_the_app_installable_within_its_scope(client):
    answer = client.get("/app/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"] == [
        {"src": views.asset_url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
    ]
