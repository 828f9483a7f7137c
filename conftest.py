import os

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
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        django_settings.EVENTS_CHANNEL = f"{django_settings.EVENTS_CHANNEL}.{worker}"


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
