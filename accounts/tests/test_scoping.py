"""Tenant scoping cannot be forgotten: ``Model.objects`` of a tenant-owned model
refuses to read, ``tenant.scope(Model)`` is the one way in, and the few modules
that read across tenants (``Model.unscoped``) are listed here by name."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import ProtectedError

from accounts.models import Branch, User
from accounts.scoping import ScopedManager, UnscopedQuery, tenant_where
from accounts.tenancy import tenant_for
from cafe.floor.models import Table
from cafe.menu.models import Category, MenuItem
from cafe.orders.models import Order, OrderItem
from cafe.tests.factories import (
    BranchFactory,
    CategoryFactory,
    MenuItemFactory,
    TableFactory,
    order_for,
    owner_of,
    staff_of,
)

ROOT = Path(settings.BASE_DIR)

SCOPED_MODELS = [
    model for model in apps.get_models() if isinstance(model._meta.managers_map.get("objects"), ScopedManager)
]

# Rows with a company that are deliberately not behind ``ScopedManager``, and why.
NOT_SCOPED = {
    # Signing in and checking a token find a user before any tenant exists; other
    # reads use tenant.scope(User), and USER_LOOKUPS below keeps User.objects in bounds.
    "accounts.User": "identity",
    # The event log: written by realtime.emit, read by the hub by the company id
    # of an authorised socket (realtime.access), every query keyed by company.
    "realtime.Event": "event log",
}

# Modules that may read across tenants, and why. A new selector or service that
# needs one of these is almost certainly wrong: start from tenant.scope(Model).
UNSCOPED_ALLOWED = {
    "realtime/access.py": "the hub re-checks the branches of every connected socket at once",
    "accounts/display.py": "a display token's key alone names its company and branch",
    "cafe/orders/pickup.py": "the pickup board reads the branch its display token names",
    "accounts/devices.py": "a device's key alone names its company and branch; the hub re-checks devices at once",
    "cafe/floor/services.py": "locks and caps counted on a branch or hall the tenant's scope already found",
    "bench/availbench.py": "the availability benchmark's set-up",
    "cafe/bookings/timer.py": "the timer acts for every company at once, with no user",
    "cafe/bookings/services.py": "the timer's table locks and releases, by the company of the booking at hand",
    "cafe/management/commands/seed_demo.py": "loads the demo company, idempotently",
    "cafe/purchasing/services.py": "a manager's transfer names a destination branch of the company outside their own",
    "bench/eventbudget.py": "the events-per-request benchmark's set-up and figures",
    "bench/report_cost.py": "the report benchmark's set-up (a company of 400 branches)",
}

# Modules that may look users up without a tenant (User.objects).
USER_LOOKUPS = {
    "accounts/devices.py": "the staff a device may sign in, and PINs set on the user's own row",
    "cafe/timeclock/services.py": "locks the clocking user's own row, so one clock-in wins",
    "accounts/authentication.py": "a token names a user id",
    "accounts/services.py": "signing in, and email addresses are unique across companies",
    "accounts/tokens.py": "a refresh token names a user id",
    "realtime/access.py": "the hub re-checks the users of every connected socket at once",
    "cafe/management/commands/seed_demo.py": "loads the demo logins",
    "bench/project_setup.py": "the benchmark's set-up",
    "bench/orderbench.py": "the per-order benchmark's set-up",
    "bench/orderhttp.py": "the per-order HTTP benchmark's set-up",
    "bench/eventbudget.py": "the events-per-request benchmark's set-up",
    "bench/report_cost.py": "the report benchmark's set-up",
}

UNSCOPED_NAMES = {"unscoped", "_default_manager", "_base_manager"}
# ``objects`` of a scoped model may only insert; everything else raises UnscopedQuery.
INSERTS = {"create", "bulk_create"}


def _project_modules() -> list[Path]:
    skip = {".venv", "tests", "migrations", "node_modules", ".git"}
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not skip.intersection(path.relative_to(ROOT).parts) and not path.name.startswith(("test_", "conftest"))
    )


def _uses() -> dict[str, set[str]]:
    """What each project module (tests and migrations aside) does with managers."""
    scoped_names = {model.__name__ for model in SCOPED_MODELS}
    found: dict[str, set[str]] = {}
    for path in _project_modules():
        module = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(), filename=module)
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            if node.attr in UNSCOPED_NAMES:
                found.setdefault("unscoped", set()).add(module)
            elif node.attr == "for_tenant" and module != "accounts/tenancy.py":
                found.setdefault("for_tenant", set()).add(f"{module}:{node.lineno}")
            elif node.attr == "objects" and isinstance(node.value, ast.Name):
                parent = parents.get(node)
                if node.value.id == "User":
                    found.setdefault("user", set()).add(module)
                elif node.value.id in scoped_names and not (
                    isinstance(parent, ast.Attribute) and parent.attr in INSERTS
                ):
                    found.setdefault("objects", set()).add(f"{module}:{node.lineno}")
    return found


USES = _uses()


# The check: a new selector or service that reads a tenant model unscoped fails here.


def test_no_module_reads_a_tenant_model_through_objects():
    """``Model.objects.filter(...)`` on a tenant-owned model raises at run time;
    this finds it even on a path no test runs. Use ``tenant.scope(Model)``."""
    assert sorted(USES.get("objects", ())) == []


def test_tenant_scope_is_the_only_caller_of_for_tenant():
    assert sorted(USES.get("for_tenant", ())) == []


def test_only_listed_modules_read_across_tenants():
    """``Model.unscoped`` (or Django's ``_default_manager``) sees every company: only the
    modules in UNSCOPED_ALLOWED may name it, and the list holds nothing stale."""
    assert sorted(USES.get("unscoped", ())) == sorted(UNSCOPED_ALLOWED)


def test_only_listed_modules_look_users_up_without_a_tenant():
    assert sorted(USES.get("user", ())) == sorted(USER_LOOKUPS)


def test_the_check_sees_the_project():
    """Guards the scan itself: it reads the services and selectors it is meant to police."""
    modules = {str(path.relative_to(ROOT)) for path in _project_modules()}
    assert {"cafe/orders/selectors.py", "cafe/orders/services.py", "accounts/services.py"} <= modules
    assert not any("/tests/" in module or "/migrations/" in module for module in modules)


def test_every_model_with_a_company_is_scoped_or_listed():
    """A new tenant-owned model (kitchen tasks, bills...) derives from TenantOwned."""
    with_company = {
        model._meta.label
        for model in apps.get_models()
        if any(field.name == "company" and field.is_relation for field in model._meta.fields)
    }
    scoped = {model._meta.label for model in SCOPED_MODELS}
    assert with_company - scoped == set(NOT_SCOPED)
    assert {"accounts.Branch", "cafe.Table", "cafe.Category", "cafe.MenuItem", "cafe.Order"} <= scoped
    assert "cafe.OrderItem" in scoped


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
def test_scoped_models_declare_their_branch_and_keep_a_plain_default_manager(model):
    assert hasattr(model, "tenant_branch_field")
    assert model._default_manager is model.unscoped
    assert not isinstance(model._base_manager, ScopedManager)


# Run time: an unscoped read fails loudly.


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
@pytest.mark.parametrize(
    "read",
    [
        lambda manager: manager.all(),
        lambda manager: manager.filter(pk=None),
        lambda manager: manager.count(),
        lambda manager: manager.get(pk=None),
        lambda manager: manager.exists(),
        lambda manager: manager.select_for_update(),
        lambda manager: manager.values_list("pk"),
        lambda manager: manager.get_or_create(pk=None),
        lambda manager: manager.update(),
        lambda manager: list(manager.iterator()),
    ],
    ids=["all", "filter", "count", "get", "exists", "select_for_update", "values_list", "get_or_create", "update",
         "iterator"],
)  # fmt: skip
def test_an_unscoped_read_raises(model, read):
    with pytest.raises(UnscopedQuery, match=rf"tenant\.scope\({model.__name__}\)"):
        read(model.objects)


@pytest.fixture
def world(db):
    """Two branches of one company, each with a table, an order and its own menu item,
    a company-wide menu item, and a stranger company with the same."""
    here = BranchFactory()
    there = BranchFactory(company=here.company)
    category = CategoryFactory(company=here.company)
    shared = MenuItemFactory(category=category)
    orders = {}
    for branch in (here, there):
        item = MenuItemFactory(category=category, branch=branch)
        orders[branch] = order_for(staff_of(branch), TableFactory(branch=branch), [(shared, 1), (item, 2)])
    stranger = BranchFactory()
    stranger_item = MenuItemFactory(category=CategoryFactory(company=stranger.company))
    order_for(staff_of(stranger), TableFactory(branch=stranger), [(stranger_item, 1)])
    return {"here": here, "there": there, "orders": orders, "shared": shared}


def _seen(tenant, model) -> set:
    return set(tenant.scope(model).values_list("pk", flat=True))


def test_company_wide_tenants_see_their_company(world):
    tenant = tenant_for(owner_of(world["here"].company))
    company = world["here"].company
    for model in (Table, Category, MenuItem, Order, OrderItem, Branch):
        expected = set(model.unscoped.filter(company=company).values_list("pk", flat=True))
        assert _seen(tenant, model) == expected != set()
    assert _seen(tenant, User) == set(User.objects.filter(company=company).values_list("pk", flat=True))


def test_branch_staff_see_their_branch(world):
    here, there = world["here"], world["there"]
    waiter = staff_of(here)
    tenant = tenant_for(waiter)
    order = world["orders"][here]
    assert _seen(tenant, Branch) == {here.pk}
    assert _seen(tenant, Table) == {order.table_id}
    assert _seen(tenant, Order) == {order.pk}
    assert _seen(tenant, OrderItem) == {item.pk for item in order.items.all()}
    # The menu: the branch's own items and the company-wide ones; categories are company-wide.
    assert _seen(tenant, MenuItem) == set(MenuItem.unscoped.filter(branch=here).values_list("pk", flat=True)) | {
        world["shared"].pk
    }
    assert _seen(tenant, Category) == {world["shared"].category_id}
    assert _seen(tenant, User) == {waiter.pk, *User.objects.filter(branch=here).values_list("pk", flat=True)}
    assert there.pk not in _seen(tenant, Branch)


@pytest.mark.parametrize("who", ["owner", "waiter here", "waiter there", "stranger"])
def test_the_sql_of_a_scope_selects_what_the_scope_does(world, who):
    """``tenant_where`` (the hand-written locks of the order kernel) is ``tenant.scope``
    as SQL: the same rows of each model with a branch column of its own, a branch's
    staff seeing only theirs (and the company-wide menu items), a stranger nothing."""
    users = {
        "owner": lambda: owner_of(world["here"].company),
        "waiter here": lambda: staff_of(world["here"]),
        "waiter there": lambda: staff_of(world["there"]),
        "stranger": lambda: owner_of(BranchFactory().company),
    }
    tenant = tenant_for(users[who]())
    for model in (Table, Order, MenuItem, Category):
        condition, params = tenant_where(model, tenant, "default")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {connection.ops.quote_name('id')} FROM {model._meta.db_table} WHERE {condition}", params
            )
            found = {model._meta.pk.to_python(row[0]) for row in cursor.fetchall()}
        assert found == _seen(tenant, model), model


def test_related_objects_work_without_a_scope(world):
    """Django's own paths start from a row already read through a scope."""
    tenant = tenant_for(owner_of(world["here"].company))
    order = (
        tenant.scope(Order)
        .select_related("table", "branch")
        .prefetch_related("items")
        .get(pk=world["orders"][world["here"]].pk)
    )
    assert len(order.items.all()) == 2
    assert order.table.orders.get() == order
    assert order.items.first().order == order
    assert order.items.first().menu_item.category.items.count() == 3
    assert order.branch.tables.count() == 1
    order.refresh_from_db()
    order.guests = 3
    order.save()
    assert tenant.scope(Order).get(pk=order.pk).guests == 3


def test_protected_rows_still_refuse_deletion(world):
    tenant = tenant_for(owner_of(world["here"].company))
    with pytest.raises(ProtectedError):
        tenant.scope(MenuItem).get(pk=world["shared"].pk).delete()


def test_inserts_need_no_scope(world):
    branch = world["here"]
    table = Table.objects.create(company=branch.company, branch=branch, number=99)
    Branch.objects.bulk_create([Branch(company=branch.company, name="Annex")])
    tenant = tenant_for(owner_of(branch.company))
    assert table.pk in _seen(tenant, Table)
    assert tenant.branches().filter(name="Annex").exists()
