"""The rooms and what may import what (docs/architecture.md, "What may import what"),
checked on the source of every app, so a new import that breaks a rule fails CI."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The apps from the bottom up: each may import the ones before it, never one after it.
APPS = ["core", "accounts", "realtime", "cafe", "webapp"]
# config (the roof) may import every app; bench is a harness that drives them.
ABOVE_THE_APPS = ["config", "bench"]
PROJECT = [*APPS, *ABOVE_THE_APPS]

# The cafe's areas and the areas each may import: bill → orders → floor, menu → shared;
# the storeroom (store) sits between orders and menu: orders take stock through it.
AREAS = {
    "shared": set(),
    "floor": {"shared"},
    "menu": {"shared"},
    "guests": {"shared"},
    "store": {"menu", "shared"},
    "purchasing": {"store", "menu", "shared"},
    "orders": {"floor", "menu", "guests", "store", "shared"},
    "bookings": {"orders", "floor", "guests", "shared"},
    "snapshot": {"orders", "floor", "menu", "guests", "shared"},
    "bill": {"orders", "floor", "menu", "guests", "store", "shared"},
    "timeclock": {"bill", "orders", "floor", "menu", "guests", "shared"},
}

# All the domain may use of realtime: emitting events, and declaring and registering
# its streams and event types. Never the hub, the consumers, the log reads, nor the
# catalogue's lookups (``CATALOGUE``, ``TYPES_BY_STREAM``...), which are realtime's.
REALTIME_FOR_THE_DOMAIN = {
    "realtime.emit": {"PendingEvent", "emit", "in_event_language", "EventTooLarge"},
    "realtime.catalogue": {"EventType", "event_type", "Narrowing", "register_stream", "register_events"},
}


def modules() -> list[tuple[str, str]]:
    """(file, dotted module name) of every non-test, non-migration module of the project."""
    found = []
    for top in PROJECT:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            parts = relative.with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((str(relative), name))
    return found


def is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: str, module: str) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import in a file, relative
    ones resolved, ``if TYPE_CHECKING`` ones included."""
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if is_module(f"{base}.{alias.name}"):
                    found.append((f"{base}.{alias.name}", None))
                else:
                    found.append((base, alias.name))
    return found


def imports(top: str) -> list[tuple[str, str, str | None]]:
    """(file, imported module, imported name or None) for every import under ``top``."""
    return [
        (path, imported, name)
        for path, module in modules()
        if module.split(".")[0] == top
        for imported, name in imports_of(path, module)
    ]


def first(dotted: str) -> str:
    return dotted.split(".")[0]


def test_the_checker_sees_imports():
    found = imports("cafe")
    assert ("cafe/floor/events.py", "realtime.emit", "PendingEvent") in found
    assert ("cafe/apps.py", "cafe.shared.events", "Stream") in found
    assert ("cafe/urls.py", "cafe.bill.api", None) not in found  # `from cafe.bill import api` would be
    assert is_module("cafe.orders.events")
    assert not is_module("cafe.orders.events.ORDER_CREATED")


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app):
    below = set(APPS[: APPS.index(app) + 1])
    assert [
        (path, imported)
        for path, imported, _name in imports(app)
        if first(imported) in PROJECT and first(imported) not in below
    ] == []


def test_core_and_accounts_go_one_way():
    """accounts builds on core (the error format, the API helpers); core knows no users."""
    assert [(path, imported) for path, imported, _name in imports("core") if first(imported) == "accounts"] == []


@pytest.mark.parametrize("area", AREAS)
def test_a_cafe_area_imports_only_the_areas_below_it(area):
    """Nor the app's own modules: ``cafe.models`` is Django's registry, ``cafe.urls``,
    ``cafe.admin`` and ``cafe.apps`` sit above the areas."""
    allowed = {f"cafe.{below}" for below in {area, *AREAS[area]}}
    found = [
        (path, imported)
        for path, imported, _name in imports("cafe")
        if path.startswith(f"cafe/{area}/") and first(imported) == "cafe"
    ]
    assert found, "the checker sees the area's own imports"
    assert [(path, imported) for path, imported in found if ".".join(imported.split(".")[:2]) not in allowed] == []


def test_every_cafe_package_is_an_area():
    packages = {path.parent.name for path in (ROOT / "cafe").glob("*/__init__.py")}
    assert packages - {"migrations", "management", "tests"} == set(AREAS)


def test_the_domain_reaches_realtime_only_through_emit_and_registration():
    used = [(path, imported, name) for path, imported, name in imports("cafe") if first(imported) == "realtime"]
    assert used
    assert [
        (path, imported, name)
        for path, imported, name in used
        if name not in REALTIME_FOR_THE_DOMAIN.get(imported, set())
    ] == []


def test_the_hub_reaches_sockets_only_through_subscriptions():
    assert [
        imported
        for path, imported, _name in imports("realtime")
        if path == "realtime/hub.py" and "consumers" in imported
    ] == []


@pytest.mark.parametrize("top", PROJECT)
def test_no_module_imports_another_modules_private_names(top):
    """``from x import _y`` and ``x._y`` on an imported module of the project: a
    helper another module needs is public, under a name that says what it does."""
    found = []
    for path, module in modules():
        if first(module) != top:
            continue
        for imported, name in imports_of(path, module):
            if first(imported) not in PROJECT:
                continue
            last = name if name is not None else imported.split(".")[-1]
            if last.startswith("_") and not last.startswith("__"):
                found.append((path, imported if name is None else f"{imported}.{name}"))
        # Names bound to a module of the project here (``from realtime import eventlog``).
        tree = ast.parse((ROOT / path).read_text())
        bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and first(node.module) in PROJECT:
                for alias in node.names:
                    if is_module(f"{node.module}.{alias.name}"):
                        bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                bound |= {
                    alias.asname: alias.name for alias in node.names if alias.asname and first(alias.name) in PROJECT
                }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in bound
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append((path, f"{bound[node.value.id]}.{node.attr}"))
    assert sorted(set(found)) == []
