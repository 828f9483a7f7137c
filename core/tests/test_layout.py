"""The rooms and what may import what (docs/architecture.md), checked on the source."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "accounts", "realtime", "cafe"]


def imports(app: str) -> list[tuple[str, str]]:
    """(module file, imported module) for every import in an app's non-test code."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(str(relative), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found += [(str(relative), f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_the_checker_sees_imports():
    assert ("cafe/orders/services.py", "realtime.emit.emit") in imports("cafe")


@pytest.mark.parametrize("app", APPS)
def test_no_app_imports_the_roof(app):
    assert [(path, name) for path, name in imports(app) if name.split(".")[0] == "config"] == []


def test_the_domain_reaches_realtime_only_through_emit_and_the_catalogue():
    allowed = ("realtime.emit.", "realtime.catalogue.")
    assert [
        (path, name) for path, name in imports("cafe") if name.startswith("realtime") and not name.startswith(allowed)
    ] == []


@pytest.mark.parametrize("app", ["core", "accounts", "realtime"])
def test_nothing_below_the_domain_imports_it(app):
    assert [(path, name) for path, name in imports(app) if name.split(".")[0] == "cafe"] == []


def test_the_hub_reaches_sockets_only_through_subscriptions():
    assert [name for path, name in imports("realtime") if path == "realtime/hub.py" and "consumers" in name] == []
