"""The app's static files: hashed names with far-future caching once collected;
plain names with ``?v=<content hash>`` before that, or when the collected copy is
stale, so a page never loads an old script."""

import json
import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

from webapp import views


@pytest.fixture
def collected(settings, tmp_path):
    """``collectstatic`` into a fresh STATIC_ROOT, as ``make run`` and the image do."""
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", verbosity=0)
    views.asset_url.cache_clear()
    yield settings.STATIC_ROOT
    views.asset_url.cache_clear()


def script_and_style(page: str) -> tuple[str, str]:
    script = re.search(r'<script type="module" src="([^"]+)"', page)
    style = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert script
    assert style
    return script.group(1), style.group(1)


def test_collected_files_have_hashed_names_cached_for_ever(collected):
    client = Client()  # a new handler: WhiteNoise reads the new STATIC_ROOT
    script, style = script_and_style(client.get("/app/").content.decode())
    assert re.fullmatch(r"/static/webapp/app\.[0-9a-f]{12}\.js", script), script
    assert re.fullmatch(r"/static/webapp/app\.[0-9a-f]{12}\.css", style), style
    answer = client.get(script, HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "max-age=315360000, public, immutable"
    assert answer["Content-Encoding"] == "gzip"
    assert answer["Content-Type"].startswith("text/javascript")
    # The plain name still answers (an old page), briefly cached.
    plain = client.get("/static/webapp/app.js")
    assert plain.status_code == 200
    assert "immutable" not in plain["Cache-Control"]


def test_a_stale_collected_copy_is_never_served(collected):
    manifest = collected / "staticfiles.json"
    data = json.loads(manifest.read_text())
    data["paths"]["webapp/app.js"] = "webapp/app.000000000000.js"  # collected before the last edit
    manifest.write_text(json.dumps(data))
    (collected / "webapp" / "app.js").write_text("// the script as it was at the last collectstatic\n")
    # Read the manifest again, as a new process would (the settings fixture resets the storage after).
    staticfiles_storage.hashed_files, staticfiles_storage.manifest_hash = staticfiles_storage.load_manifest()
    script, _style = script_and_style(Client().get("/app/").content.decode())
    assert re.fullmatch(r"/static/webapp/app\.js\?v=[0-9a-f]{12}", script), script


def test_collected_app_imports_its_modules_by_their_hashed_names(collected):
    client = Client()
    script, _style = script_and_style(client.get("/app/").content.decode())
    text = b"".join(client.get(script).streaming_content).decode()
    imported = re.search(r'from "\./(device\.[0-9a-f]{12}\.js)"', text)
    assert imported, text[:400]
    answer = client.get(f"/static/webapp/{imported.group(1)}")
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "max-age=315360000, public, immutable"


def test_a_module_edited_after_collectstatic_serves_the_plain_names(collected):
    (collected / "webapp" / "device.js").write_text("// an older copy than the source\n")
    views.asset_url.cache_clear()
    script, _style = script_and_style(Client().get("/app/").content.decode())
    assert re.fullmatch(r"/static/webapp/app\.js\?v=[0-9a-f]{12}", script), script


def test_before_collectstatic_the_plain_names_carry_the_content_hash(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "nothing-collected"
    views.asset_url.cache_clear()
    try:
        client = Client()
        script, style = script_and_style(client.get("/app/").content.decode())
        assert re.fullmatch(r"/static/webapp/app\.js\?v=[0-9a-f]{12}", script), script
        assert re.fullmatch(r"/static/webapp/app\.css\?v=[0-9a-f]{12}", style), style
        assert client.get(script).status_code == 200
    finally:
        views.asset_url.cache_clear()
