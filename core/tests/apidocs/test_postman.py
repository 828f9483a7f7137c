"""The Postman collection: generated from the code (the checked-in files are what
`make docs` writes now), shaped as Postman v2.1 with the seed's walk-through
first, and its HTTP requests run with newman against a live server."""

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import global_settings
from django.core.management import call_command

from realtime.management.commands.postman_collection import COLLECTION_FILE, ENVIRONMENT_FILE, build

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "postman"
NEWMAN = ROOT / ".tools" / "node_modules" / ".bin" / "newman"


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads((DOCS / COLLECTION_FILE).read_text())


@pytest.mark.django_db
def test_the_checked_in_collection_is_what_the_command_generates_now():
    collection, environment = build()
    assert (DOCS / COLLECTION_FILE).read_text() == collection, "run `make docs` and commit docs/postman/"
    assert (DOCS / ENVIRONMENT_FILE).read_text() == environment, "run `make docs` and commit docs/postman/"


def test_a_v2_1_collection_with_the_walk_through_first_and_a_folder_per_area(collection):
    assert collection["info"]["schema"] == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    assert collection["auth"]["bearer"][0]["value"] == "{{token}}"
    folders = [folder["name"] for folder in collection["item"]]
    assert folders[0] == "Quick start (seed walk-through)"
    assert {"accounts", "tables", "menu", "orders"} <= set(folders[1:])
    walk = collection["item"][0]
    login = walk["item"][0]
    assert login["request"]["url"]["raw"] == "{{base_url}}/api/users/login/"
    assert 'pm.environment.set("token", body.access);' in login["event"][0]["script"]["exec"]
    assert "{{ws_url}}/ws/cafe/orders/?token={{token}}" in walk["description"]
    create = walk["item"][4]["request"]
    assert json.loads(create["body"]["raw"]) == {
        "table": "{{table_id}}",
        "guests": 2,
        "items": [{"menu_item": "{{menu_item_id}}", "quantity": 2}],
    }


def test_the_environment_has_the_urls_and_the_demo_login():
    values = {v["key"]: v["value"] for v in json.loads((DOCS / ENVIRONMENT_FILE).read_text())["values"]}
    assert values["base_url"] == "http://localhost:8000"
    assert values["ws_url"] == "ws://localhost:8000"
    assert values["email"] == "waiter@demo.cafe"
    assert values["password"] == "cafe-demo-2026"


def newman() -> str | None:
    if NEWMAN.exists():
        return str(NEWMAN)
    return shutil.which("newman")


@pytest.fixture
def newman_binary() -> str:
    found = newman()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but newman is not installed (make test installs it into .tools/)")
        pytest.skip("newman is not installed (make test installs it into .tools/ when npm is there)")
    return found


@pytest.mark.django_db(transaction=True)
def test_newman_runs_the_collection_against_a_live_server(newman_binary, start_server, tmp_path, settings):
    # The server checks passwords with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    call_command("seed_demo", stdout=io.StringIO())
    server = start_server("postman")
    # As shipped (the demo waiter), then as the owner, who may call every request.
    for email in ("waiter@demo.cafe", "owner@demo.cafe"):
        run = subprocess.run(
            [
                newman_binary, "run", str(DOCS / COLLECTION_FILE),
                "--environment", str(DOCS / ENVIRONMENT_FILE),
                "--env-var", f"base_url={server.http}",
                "--env-var", f"ws_url={server.ws}",
                "--env-var", f"email={email}",
                "--reporters", "cli", "--color", "off", "--disable-unicode",
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, f"newman as {email}:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
        assert re.search(r"assertions\s*\|\s*\d+\s*\|\s*0\s*\|", run.stdout), run.stdout[-3000:]
    server_errors = [line for line in server.log().splitlines() if re.search(r'" 5\d\d\b', line)]
    assert not server_errors, "\n".join(server_errors)
