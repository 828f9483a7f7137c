"""One settings module, read from the environment.

Every value has a safe local default, so `make run` works on a bare machine
(SQLite file, in-process fan-out). With ``DEBUG`` off the server refuses to
start without a real ``SECRET_KEY``.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Browser origins allowed to open WebSockets: host names (any port), ".example.com"
# for subdomains, or full "https://app.example.com". Clients that send no Origin
# (Postman, command-line tools, native apps) are let in: the token authenticates.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=ALLOWED_HOSTS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "channels",
    "core",
    "accounts",
    "realtime",
    "cafe",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file, not the shared in-memory database: its table locks ignore the timeout,
    # so concurrent test writers would fail with "database table is locked". One file
    # per test process, so parallel runs do not clobber each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"cafe-test-{os.getpid()}.sqlite3")}
elif env.bool("DATABASE_POOL", default=True):
    # Under ASGI, requests and sockets run in many threads: share a pool instead
    # of keeping one persistent connection per thread.
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": env.int("DATABASE_POOL_SIZE", default=20)}}

REDIS_URL = env.str("REDIS_URL", default="")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TenantJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("ACCESS_TOKEN_LIFETIME", default=3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("REFRESH_TOKEN_LIFETIME", default=7 * 24 * 3600)),
    "ROTATE_REFRESH_TOKENS": env.bool("ROTATE_REFRESH_TOKENS", default=False),
    "UPDATE_LAST_LOGIN": False,
}

# Real-time delivery (see realtime/emit.py and realtime/hub.py).
EVENTS_CHANNEL = env.str("EVENTS_CHANNEL", default="cafe.events")
# Redis connections per server process: one pub/sub subscription for the hub,
# whatever the number of sockets, and this many for publishing from requests.
REDIS_PUBLISH_CONNECTIONS = env.int("REDIS_PUBLISH_CONNECTIONS", default=20)
EVENT_RETENTION = timedelta(hours=env.float("EVENT_RETENTION_HOURS", default=24))
IDEMPOTENCY_RETENTION = timedelta(hours=env.float("IDEMPOTENCY_RETENTION_HOURS", default=24))
# How often each server process checks the event log and its sockets' rights.
HUB_POLL_SECONDS = env.float("HUB_POLL_SECONDS", default=1.0)
WEBSOCKET_MAX_FRAME = env.int("WEBSOCKET_MAX_FRAME", default=64 * 1024)
# Memory bounds (docs/security.md, "Sockets and memory"). An event (the JSON text
# written to the log and to sockets) is refused above EVENT_MAX_BYTES, well under
# the 1 MiB frame limit common clients have; an order holds at most ORDER_MAX_LINES
# lines, so that even its worst-case event (~1.4 KB a line) stays under it. A socket
# with more than WEBSOCKET_OUTBOX_BYTES waiting for its client is closed 1013.
EVENT_MAX_BYTES = env.int("EVENT_MAX_BYTES", default=512 * 1024)
ORDER_MAX_LINES = env.int("ORDER_MAX_LINES", default=200)
WEBSOCKET_OUTBOX_BYTES = env.int("WEBSOCKET_OUTBOX_BYTES", default=1024 * 1024)
if WEBSOCKET_OUTBOX_BYTES < 2 * EVENT_MAX_BYTES:
    raise ImproperlyConfigured("WEBSOCKET_OUTBOX_BYTES must be at least twice EVENT_MAX_BYTES.")
# Off by default: compressing each event once per socket costs more CPU than the
# bandwidth of ~1 KiB events is worth on a cafe's network.
WEBSOCKET_PER_MESSAGE_DEFLATE = env.bool("WEBSOCKET_PER_MESSAGE_DEFLATE", default=False)

# One level for the project and the server's own logs (uvicorn logs each request and
# each WebSocket open and close at INFO).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.logging.RedactTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "uvicorn": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
