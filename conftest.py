import contextlib
import fcntl
import os
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import tokens_for

pytest_plugins = ["cafe.tests.servers", "cafe.tests.matrix", "realtime.tests.event_schema"]


def pytest_configure(config):
    """Under pytest-xdist (``make test``) each worker has its own test database
    (pytest-django names it after the worker) and its own events channel, which the
    server processes it starts inherit (``cafe/tests/servers.py``): workers sharing
    one Redis never hear each other's events."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        # The run's id, known to the controller too: it names the run's database template.
        config.option.testrunuid = config.option.testrunuid or uuid.uuid4().hex
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        django_settings.EVENTS_CHANNEL = f"{django_settings.EVENTS_CHANNEL}.{worker}"


# The long work, handed out first and longest first (``--dist loadgroup`` hands out
# work in collection order, a group as one unit): the owner's schemathesis run (minutes
# of CPU), then the groups of tests on real server processes, each group one after
# another on one worker (its module-scoped Chromium launched once), then the slow tests.
_FIRST = "core/tests/apidocs/test_schemathesis.py::test_schemathesis_finds_no_server_error_and_no_schema_mismatch[owner"
_GROUPS = ("e2e", "browser", "delivery", "browser-offline", "browser-devices", "ops", "browser-views")

# Tests that each cost seconds (real server processes, fresh Python processes, the
# OpenAPI document, collectstatic, lock races), by module.
_SLOW_MODULES = (
    "accounts/tests/test_hostile_input.py",
    "cafe/tests/api/test_settings.py",
    "cafe/tests/races/test_move_races.py",
    "core/tests/test_serve.py",
    "realtime/tests/test_catalogue.py",
    "core/tests/apidocs/test_openapi.py",
    "webapp/tests/test_static.py",
    "webapp/tests/test_worker.py",
)


def _check_grouped(items) -> None:
    """pytest-xdist groups by a suffix it writes into each grouped test's id; a pytest
    that ignores the write (9.2, pytest-xdist#1386) spreads every group over the
    workers without a word. Said here instead of silently."""
    ungrouped = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if ungrouped:
        message = f"--dist loadgroup does not group {ungrouped[0]} (pytest-xdist#1386: pin pytest)"
        print(message, file=sys.stderr)  # xdist shows a worker's exception only as its crash
        raise pytest.UsageError(message)


def pytest_collection_modifyitems(config, items):
    """Under xdist, the long work is collected first (``_FIRST``, ``_GROUPS``, then the
    slow tests), so that it starts first and the run does not end waiting for one
    worker's long group while the others are idle. The order is the same on every
    worker; otherwise it is kept (the matrix's cells stay world by world)."""
    if not hasattr(config, "workerinput"):
        return
    if config.getvalue("loadgroup"):
        _check_grouped(items)

    def rank(item) -> tuple[int, int]:
        if item.nodeid.startswith(_FIRST):
            return (0, 0)
        if _unit(item) in _GROUPS:
            return (1, _GROUPS.index(_unit(item)))
        if "start_server" in getattr(item, "fixturenames", ()) or item.nodeid.startswith(_SLOW_MODULES):
            return (2, 0)
        return (3, 0)

    items.sort(key=rank)
    # xdist gives each worker one unit (a group, or a test of none), then a second one
    # to each worker whose first holds at most two tests, and a worker starts a test
    # only once it knows the next: the owner's run (one test) takes a second unit that
    # waits the whole run. Make that unit one short test, not a group.
    units = list(dict.fromkeys(map(_unit, items)))
    alone = [i for i, item in enumerate(items) if rank(item)[0] == 3 and _unit(item) == item.nodeid]
    workers = config.workerinput["workercount"]
    if alone and len(units) > workers:
        second = next(i for i, item in enumerate(items) if _unit(item) == units[workers])
        if alone[0] > second:
            items.insert(second, items.pop(alone[0]))


def _unit(item) -> str:
    """What xdist hands out as one: the test's group, or the test."""
    group = item.get_closest_marker("xdist_group")
    return group.args[0] if group and group.args else item.nodeid


def _share_whitenoise_file_table() -> None:
    """Every test client builds its own middleware chain, and WhiteNoise (serving the
    apps' static files, ``WHITENOISE_USE_FINDERS``) stats and reads the headers of
    every static file each time: most of a one-request test's cost. The table it
    builds from the finders depends only on the settings below and on the files, which
    no test changes, so it is built once per configuration of those and copied."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    build = WhiteNoiseMiddleware.add_files_from_finders
    tables: dict = {}
    SETTINGS = ("WHITENOISE_", "STATIC", "STORAGES", "INSTALLED_APPS", "DEBUG", "FORCE_SCRIPT_NAME")

    def add_files_from_finders(self) -> None:
        key = repr(
            [(name, getattr(django_settings, name)) for name in dir(django_settings) if name.startswith(SETTINGS)]
        )
        if key not in tables:
            before = self.files
            self.files = {}
            build(self)
            tables[key], self.files = self.files, before
        self.files.update(tables[key])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders


_share_whitenoise_file_table()


# Tables a flush keeps: filled by `migrate` (its post_migrate signal) and never by a test.
_KEPT_BY_FLUSH = {"django_content_type", "auth_permission"}


def _flush_by_delete() -> None:
    """A test with ``transaction=True`` (real server processes, sockets) is undone by
    emptying every table; Django does it with ``flush``: on PostgreSQL one TRUNCATE of
    every table, which makes new files for each table and index (about 0.2 s of
    PostgreSQL's CPU each time, most of PostgreSQL's share of the suite), and then the
    post_migrate signal writes the content types and permissions again. A few rows are
    deleted far cheaper: here one DELETE per table in one transaction (Django's foreign
    keys are deferred to the commit, so the order does not matter), keeping the two
    tables `migrate` filled, so nothing needs writing again. What the next test starts
    from is the same: the migrated, empty database."""
    from django.db import connections, transaction
    from django.test import TransactionTestCase

    tables: dict[str, list[str]] = {}

    def _fixture_teardown(self) -> None:
        for alias in self._databases_names(include_mirrors=False):
            connection = connections[alias]
            if alias not in tables:
                names = connection.introspection.django_table_names(only_existing=True, include_views=False)
                tables[alias] = [connection.ops.quote_name(name) for name in names if name not in _KEPT_BY_FLUSH]
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for table in tables[alias]:
                    cursor.execute(f"DELETE FROM {table}")

    TransactionTestCase._fixture_teardown = _fixture_teardown


_flush_by_delete()


# One migration per run: under pytest-xdist each worker has its own test database, and
# migrating one costs seconds of CPU. The first worker migrates its database as usual
# and copies it into a template for this run (PostgreSQL: a database, SQLite: a file);
# the others start from a copy of it (PostgreSQL's CREATE DATABASE … TEMPLATE, SQLite's
# backup into the in-memory database), on which `migrate` still runs and finds nothing to do.
# A template is never reused by another run (it carries the run's id) and the controller
# drops it when the run ends.


def _template_name(config) -> str | None:
    """This run's template for the worker's test database, or None outside xdist."""
    worker = getattr(config, "workerinput", None)
    if worker is None:
        return None
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return str(Path(tempfile.gettempdir()) / f"cafe-test-template-{worker['testrunuid']}.sqlite3")
    return db["TEST"]["NAME"].removesuffix(f"_{worker['workerid']}") + "_template"


def _pg_admin():
    import psycopg

    db = django_settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres", user=db["USER"], password=db.get("PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, autocommit=True,
    )  # fmt: skip


def _pg_template_run(name: str) -> str | None:
    with _pg_admin() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return row[0] if row else None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings):
    """Which template the worker starts from; the first worker of the run keeps the
    template's lock until it has made it (``django_db_setup``)."""
    name = _template_name(request.config)
    if name is None:
        return None
    run = request.config.workerinput["testrunuid"]
    db = django_settings.DATABASES["default"]
    postgres = db["ENGINE"] == "django.db.backends.postgresql"
    lock = open(Path(tempfile.gettempdir()) / f"{Path(name).name}.lock", "w")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    ready = _pg_template_run(name) == run if postgres else Path(name).exists()
    if ready:
        lock.close()
        if postgres:
            db["TEST"]["TEMPLATE"] = name
        else:
            _load_sqlite_template_before_migrate(name)
    return {"name": name, "run": run, "ready": ready, "postgres": postgres, "lock": lock}


def _load_sqlite_template_before_migrate(path: str) -> None:
    """Django's create_test_db calls ``migrate``: copy the template into the in-memory
    database first, so that it finds every migration applied."""
    from django.core import management
    from django.db import connection

    call_command = management.call_command

    def load_then(name, *args, **options):
        if name == "migrate":
            management.call_command = call_command
            connection.ensure_connection()
            with contextlib.closing(sqlite3.connect(path)) as template:
                template.backup(connection.connection)
        return call_command(name, *args, **options)

    management.call_command = load_then


@pytest.fixture(scope="session")
def django_db_setup(django_db_modify_db_settings, django_db_setup, django_db_blocker):
    template = django_db_modify_db_settings
    if template and not template["ready"]:
        from django.db import connection

        with django_db_blocker.unblock():
            if template["postgres"]:
                from psycopg import sql

                connection.close()
                connection.close_pool()  # the pool's idle connections are sessions on the source too
                name, source = sql.Identifier(template["name"]), sql.Identifier(connection.settings_dict["NAME"])
                with _pg_admin() as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
                    admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(name, source))
                    admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(template["run"])))
            else:
                connection.ensure_connection()
                with contextlib.closing(sqlite3.connect(template["name"] + ".part")) as copy:
                    connection.connection.backup(copy)
                os.replace(template["name"] + ".part", template["name"])
        template["lock"].close()
    return django_db_setup


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the run's template (the workers are done)."""
    config = session.config
    run = getattr(config.option, "testrunuid", None)
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None) or not run:
        return
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", ".lock"):
            Path(tempfile.gettempdir(), f"cafe-test-template-{run}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    name = (db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}") + "_template"
    with contextlib.suppress(Exception), _pg_admin() as admin:
        if _pg_template_run(name) == run:
            from psycopg import sql

            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Each test starts with no login failures counted, and clearing never touches
    # the Redis that server processes and the benchmark share.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Factories hash a password per user; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated as the given user (a real JWT, as devices send it)."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
        return client

    return make


def _services_missing() -> str | None:
    """Why PostgreSQL + Redis tests cannot run here, or None when they can."""
    import redis
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL is unreachable: {exc}"
    return None


@pytest.fixture
def services():
    """Marks a test that needs real PostgreSQL and Redis: skipped with the reason on a
    bare machine, a failure under CI=true (CI must never skip them)."""
    import os

    reason = _services_missing()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    if reason:
        pytest.skip(f"needs PostgreSQL and Redis: {reason}")
