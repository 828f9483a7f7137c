"""One settings module, read from the environment.

Every value has a safe local default, so `make run` works on a bare machine
(SQLite file, in-process fan-out): ``DEBUG`` is off unless asked for, and without
a ``SECRET_KEY`` each installation makes its own, once, in a file out of git.
Production settings: docs/security.md.
"""

import hashlib
import ipaddress
import os
import resource
import secrets
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
import phonenumbers
from django.core.exceptions import ImproperlyConfigured

from core.postgres import STATEMENT_MARGIN, bounded_connection_class

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def installation_secret_key(path: Path) -> str:
    """This installation's own signing key, made on first start and kept in ``path``.
    Concurrent first starts of several workers agree on one key: the file appears
    whole and only once (a hard link to a finished temporary file fails if another
    process got there first), and every process reads what is there."""
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key: delete it, or set SECRET_KEY.")
    return key


SECRET_KEY = env.str("SECRET_KEY", default="") or installation_secret_key(
    Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key")))
)
# Keys that were once published (sha256): whoever read them could sign any token.
PUBLISHED_KEYS = {"50f84007af9cd876e3d10d09c080aafa5959b0062cfdee270e8db98c08a5eb6c"}
if hashlib.sha256(SECRET_KEY.encode()).hexdigest() in PUBLISHED_KEYS:
    raise ImproperlyConfigured("SECRET_KEY is a published key: set a secret one, or unset it.")

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
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "core",
    "accounts",
    "realtime",
    "cafe",
    "webapp",
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID), the request's log line and its metrics.
    "core.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ (the API docs' Swagger UI and Redoc, the admin) from this
    # process, DEBUG or not: the docs load nothing from a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The answer's language from Accept-Language (README, "Languages").
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.throttle.ThrottledMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.errors.BackendUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

# `manage.py serve` (uvicorn); its command-line options override these.
SERVER_HOST = env.str("HOST", default="127.0.0.1")
SERVER_PORT = env.int("PORT", default=8000)
# Server processes; with several, set REDIS_URL so they share live events.
SERVER_WORKERS = env.int("WEB_CONCURRENCY", default=1)
# Trust X-Forwarded-For/-Proto from the proxy in front (only behind one).
SERVER_PROXY_HEADERS = env.bool("PROXY_HEADERS", default=False)

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
else:
    # An unreachable or frozen database answers 503 within seconds (see core/availability.py)
    # instead of hanging a request for libpq's and the pool's defaults (forever, 30 s).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    connect_timeout = options["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=3)  # libpq's min: 2
    statement_timeout = env.float("DATABASE_STATEMENT_TIMEOUT", default=30)  # seconds; 0 turns it off
    if statement_timeout:
        options["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    # A connection whose peer is gone (host down, network cut) is dropped within about this
    # many seconds: unacknowledged data (tcp_user_timeout), or an idle one's keepalives.
    tcp_timeout = env.int("DATABASE_TCP_TIMEOUT", default=10)  # 0: the system's defaults (hours)
    if tcp_timeout:
        options |= {
            "keepalives": 1,
            "keepalives_idle": max(tcp_timeout // 2, 1),
            "keepalives_interval": max(tcp_timeout // 6, 1),
            "keepalives_count": 3,
            "tcp_user_timeout": tcp_timeout * 1000,
        }
    # Each connection is checked before use, so the dead ones a database restart
    # leaves in the pool are replaced instead of failing requests.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_HEALTH_CHECKS", default=True)
    if env.bool("DATABASE_POOL", default=True):
        # Under ASGI, requests and sockets run in many threads: share a pool instead
        # of keeping one persistent connection per thread.
        options["pool"] = {
            "min_size": 2,
            "max_size": env.int("DATABASE_POOL_SIZE", default=20),
            # How long a request waits for a free connection before answering 503.
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5),
            # A frozen server acknowledges and never answers: the client gives up (core/postgres.py).
            "connection_class": bounded_connection_class(
                answer_timeout=statement_timeout + STATEMENT_MARGIN if statement_timeout else None,
                check_timeout=connect_timeout,
            ),
        }

# One Redis (redis://host:port/db) or a Redis Cluster (redis+cluster://host:port,host:port/),
# shared by every server process: live events, socket counts, request slots (core/redisclient.py).
REDIS_URL = env.str("REDIS_URL", default="")

# Mail (registration's welcome and "someone tried to register with your address"
# notices): EMAIL_URL as django-environ reads it, e.g. smtp+tls://user:password@host:587.
# By default mail is written to the server's log (console), for local use.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# A mail server that does not answer must not hold a registration for long.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=5)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cafe@localhost")

AUTH_USER_MODEL = "accounts.User"
# Every password check (API login and password change, the admin's login page)
# goes through the login throttle (accounts.throttle).
AUTHENTICATION_BACKENDS = ["accounts.authentication.ThrottledModelBackend"]
# Passwords are hashed with Django's PBKDF2 (`pbkdf2_sha256`), at PASSWORD_ITERATIONS for
# new hashes (Django 5.2's own count: about 0.4 s of one core); a stored hash keeps its
# count and is hashed again at the next login after the setting changed. Lower it only
# where passwords protect nothing (the test suite's server processes).
PASSWORD_ITERATIONS = env.int("PASSWORD_ITERATIONS", default=1_000_000)
if PASSWORD_ITERATIONS < 1000:
    raise ImproperlyConfigured("PASSWORD_ITERATIONS must be at least 1000.")
PASSWORD_HASHERS = [
    "accounts.passwords.PBKDF2PasswordHasher",
    # Django's others, so that a hash any of them made still checks (and is upgraded).
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Answers are in Russian unless a request asks for English (Accept-Language) or a
# socket does (`lang`); messages are written in English and translated by the
# catalogues in locale/ (`make messages`). See README, "Languages".
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ru")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` copies the files here (make run does); until then
# WhiteNoise serves them straight from the installed apps.
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
# Hashed, compressed names once collected (core/staticfiles.py; docs/web.md, "Caching").
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.HashedStaticStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Unused by the server today; were it used, Redis unreachable fails within a second (503).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        # Django's Redis cache knows no cluster; nothing in the server uses the cache.
        if REDIS_URL and not REDIS_URL.startswith("redis+cluster://")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TenantJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": env.int("PAGE_SIZE", default=50),
    # JSON only, in and out (forms still parse); see core/formats.py.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.formats.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.formats.JSONOnly",
    # OPTIONS: name, description, formats; the shapes are in the OpenAPI document.
    "DEFAULT_METADATA_CLASS": "core.formats.PlainMetadata",
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI document (/api/schema/), generated from the views' annotations.
SPECTACULAR_SETTINGS = {
    "TITLE": "Cafe real-time API",
    "DESCRIPTION": (
        "REST API of the cafe backend: accounts, tables, menu and orders. Every change is also pushed "
        "over WebSockets, described in the AsyncAPI document at /api/asyncapi.yaml (readable at "
        "/api/asyncapi/). Log in with POST /api/users/login/ and send the `access` token as "
        "`Authorization: Bearer <token>`."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documents are public and complete: no login, and a stale token does not get in the way.
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/",
    # In English whatever the request's language (README, "Languages").
    "DEFAULT_GENERATOR_CLASS": "core.schema.EnglishSchemaGenerator",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Bodies are JSON (the contract); the form parsers DRF also accepts are not advertised.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # A cash shift's status (open / closed), a subset of the order's: named apart.
    "ENUM_NAME_OVERRIDES": {
        "ShiftStatusEnum": ["open", "closed"],
        "DiscountKindEnum": "cafe.orders.models.DiscountKind",
        "CashMovementKindEnum": "cafe.bill.models.CashMovement.Kind",
        "ShiftReportKindEnum": ["x", "z"],
        "IngredientKindEnum": "cafe.store.models.IngredientKind",
        "MovementKindEnum": "cafe.store.models.MovementKind",
        "AbcClassEnum": ["A", "B", "C"],
        "DocumentKindEnum": "cafe.purchasing.models.DocumentKind",
        "DocumentStatusEnum": "cafe.purchasing.models.DocumentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.nullable_to_oas31",
        "core.schema.add_links",
    ],
    "TAGS": [
        {"name": "accounts", "description": "Log in, tokens, the caller, branches and staff."},
        {"name": "tables", "description": "The floor: tables and their status."},
        {"name": "menu", "description": "Categories and menu items."},
        {"name": "orders", "description": "Orders, their lines, closing and cancelling."},
        {"name": "guests", "description": "The guest book: guests by phone or name, history, export, erasure."},
        {"name": "storeroom", "description": "Ingredients, recipes, a branch's stock and its ledger."},
    ],
}

# Input limits (docs/security.md): the largest page a list answers (`?limit=` is
# capped to it), how deep a JSON body may nest, the highest menu price. With
# quantities up to 1000 a line total stays below 10^12 and always serialises.
PAGE_SIZE_MAX = env.int("PAGE_SIZE_MAX", default=200)
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
MENU_PRICE_MAX = Decimal(env.str("MENU_PRICE_MAX", default="1000000.00"))
if not Decimal(0) < MENU_PRICE_MAX <= Decimal("99999999.99"):
    raise ImproperlyConfigured("MENU_PRICE_MAX must be above 0 and fit the price column (at most 99999999.99).")

# The guest book (docs/floor.md, "Guests"): a phone given without "+" and a country code
# is read as a number of this region (ISO 3166 code: RU reads "8 916 123-45-67" as
# +79161234567); how many guests a company keeps, and a guest's tags.
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="RU").upper()
if PHONE_DEFAULT_REGION not in phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured("PHONE_DEFAULT_REGION must be a two-letter region code libphonenumber knows (RU, GB…).")
GUESTS_MAX_PER_COMPANY = env.int("GUESTS_MAX_PER_COMPANY", default=100_000)
GUEST_TAGS_MAX = env.int("GUEST_TAGS_MAX", default=20)
if min(GUESTS_MAX_PER_COMPANY, GUEST_TAGS_MAX) < 1:
    raise ImproperlyConfigured("GUESTS_MAX_PER_COMPANY and GUEST_TAGS_MAX must be at least 1.")

# Reports (docs/reports.md, "Limits"): how many report requests (daily or range,
# JSON or CSV) may run at once per user and per company, across every process
# (in Redis with REDIS_URL, else per process); one more answers 429. A slot is a
# lease: a process that dies mid-report leaves it to expire after REPORT_LEASE_SECONDS.
REPORT_CONCURRENCY_PER_USER = env.int("REPORT_CONCURRENCY_PER_USER", default=1)
REPORT_CONCURRENCY_PER_COMPANY = env.int("REPORT_CONCURRENCY_PER_COMPANY", default=4)
REPORT_LEASE_SECONDS = env.float("REPORT_LEASE_SECONDS", default=300)
# A branch's snapshot (GET /api/cafe/snapshot/, docs/snapshot.md) reads every table,
# item, open order and live portion of it: this many at once per company, over every
# process; one more answers 429 (a whole floor of tablets reloading after an outage
# queues instead of piling onto the database).
SNAPSHOT_CONCURRENCY_PER_COMPANY = env.int("SNAPSHOT_CONCURRENCY_PER_COMPANY", default=4)
SNAPSHOT_LEASE_SECONDS = env.float("SNAPSHOT_LEASE_SECONDS", default=60)
if min(REPORT_CONCURRENCY_PER_USER, REPORT_CONCURRENCY_PER_COMPANY) < 1 or REPORT_LEASE_SECONDS <= 0:
    raise ImproperlyConfigured("REPORT_CONCURRENCY_* must be at least 1 and REPORT_LEASE_SECONDS above 0.")

# Throttles (accounts.throttle; the policy is in docs/security.md). Failed password
# checks per window: one account from one address, one account from anywhere, one
# address for any account. Registrations: per client address.
LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_ACCOUNT_FAILURES_ALLOWED = env.int("LOGIN_ACCOUNT_FAILURES_ALLOWED", default=50)
LOGIN_ADDRESS_FAILURES_ALLOWED = env.int("LOGIN_ADDRESS_FAILURES_ALLOWED", default=50)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
REGISTRATIONS_ALLOWED = env.int("REGISTRATIONS_ALLOWED", default=10)
REGISTRATION_WINDOW = env.int("REGISTRATION_WINDOW_SECONDS", default=3600)
# Staff accounts an owner or admin may create (or emails they may set) per company
# per window: each attempt tells whether an email is taken, so it is bounded.
EMPLOYEE_EMAILS_ALLOWED = env.int("EMPLOYEE_EMAILS_ALLOWED", default=50)
EMPLOYEE_EMAIL_WINDOW = env.int("EMPLOYEE_EMAIL_WINDOW_SECONDS", default=3600)
# Registered devices and PINs (accounts.devices, docs/devices.md). Wrong PINs per
# window: one employee on one device, one device for any employee, one employee on
# any device; an employee's PIN locks after PIN_LOCKOUT_FAILURES wrong ones in a row
# until it is set again. A PIN opens a session of DEVICE_SESSION_SECONDS (an access
# token bound to the device, no refresh token); the app locks itself after
# DEVICE_IDLE_LOCK_SECONDS without a touch (it reads it from devices/me/).
COMPANY_MAX_DEVICES = env.int("COMPANY_MAX_DEVICES", default=100)
PIN_FAILURES_ALLOWED = env.int("PIN_FAILURES_ALLOWED", default=5)
PIN_DEVICE_FAILURES_ALLOWED = env.int("PIN_DEVICE_FAILURES_ALLOWED", default=20)
PIN_EMPLOYEE_FAILURES_ALLOWED = env.int("PIN_EMPLOYEE_FAILURES_ALLOWED", default=10)
PIN_FAILURE_WINDOW = env.int("PIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
PIN_LOCKOUT_FAILURES = env.int("PIN_LOCKOUT_FAILURES", default=10)
DEVICE_SESSION_SECONDS = env.int("DEVICE_SESSION_SECONDS", default=3600)
DEVICE_IDLE_LOCK_SECONDS = env.int("DEVICE_IDLE_LOCK_SECONDS", default=120)
if min(PIN_FAILURES_ALLOWED, PIN_LOCKOUT_FAILURES, DEVICE_SESSION_SECONDS, COMPANY_MAX_DEVICES) < 1:
    raise ImproperlyConfigured("PIN_* limits, DEVICE_SESSION_SECONDS and COMPANY_MAX_DEVICES must be at least 1.")
# An order queued offline carries the device's time (`taken_at`, docs/devices.md): at
# most this far ahead of the server's clock, and no older than this.
ORDER_TAKEN_AT_FUTURE_SECONDS = env.int("ORDER_TAKEN_AT_FUTURE_SECONDS", default=300)
ORDER_TAKEN_AT_MAX_AGE_SECONDS = env.int("ORDER_TAKEN_AT_MAX_AGE_SECONDS", default=24 * 3600)
# Password hashing (accounts.passwords): at most this many hashes at once per server
# process (login, password change, registration, new staff); a request waits at
# most LOGIN_QUEUE_SECONDS for a turn (or for the checks in flight on its throttle
# counters), then answers 503 with Retry-After. No connection is held meanwhile.
LOGIN_CONCURRENCY = env.int("LOGIN_CONCURRENCY", default=4)
LOGIN_QUEUE_SECONDS = env.float("LOGIN_QUEUE_SECONDS", default=3.0)
if LOGIN_CONCURRENCY < 1:
    raise ImproperlyConfigured("LOGIN_CONCURRENCY must be at least 1.")

# HTTPS. Behind a TLS-terminating proxy set HTTPS=true (every setting `manage.py
# check --deploy` asks for) and let the server see the original scheme and client
# address: PROXY_HEADERS=true with FORWARDED_ALLOW_IPS=<the proxy's address> (the
# server rewrites them from X-Forwarded-Proto/-For for that proxy only), or
# SECURE_PROXY_SSL_HEADER=true when the proxy always sets X-Forwarded-Proto.
HTTPS = env.bool("HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("ACCESS_TOKEN_LIFETIME", default=3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("REFRESH_TOKEN_LIFETIME", default=7 * 24 * 3600)),
    # A refresh answers a new refresh token and spends the old one (accounts.services.token_refresh).
    "ROTATE_REFRESH_TOKENS": env.bool("ROTATE_REFRESH_TOKENS", default=True),
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}

# Real-time delivery (see realtime/emit.py and realtime/hub.py).
EVENTS_CHANNEL = env.str("EVENTS_CHANNEL", default="cafe.events")
# Redis connections per server process: one pub/sub subscription for the hub,
# whatever the number of sockets, and this many for publishing from requests.
REDIS_PUBLISH_CONNECTIONS = env.int("REDIS_PUBLISH_CONNECTIONS", default=20)
EVENT_RETENTION = timedelta(hours=env.float("EVENT_RETENTION_HOURS", default=24))
IDEMPOTENCY_RETENTION = timedelta(hours=env.float("IDEMPOTENCY_RETENTION_HOURS", default=24))
# The answers kept for one user's Idempotency-Keys, in UTF-8 bytes of JSON: storing a
# new one drops the bodies of that user's oldest until it fits (core/idempotency.py;
# a retry of a dropped one answers 409). Twice EVENT_MAX_BYTES by default, so even the
# largest order's answer is kept.
IDEMPOTENCY_USER_BYTES = env.int("IDEMPOTENCY_USER_BYTES", default=1024 * 1024)
# How often each server process checks the event log and its sockets' rights.
HUB_POLL_SECONDS = env.float("HUB_POLL_SECONDS", default=1.0)

# The timer (core/ticks.py): each server process runs its time-driven jobs (bookings
# becoming no-shows, tables reserved ahead), exactly one process per tick. It starts
# with the ASGI lifespan (``manage.py serve``); tests send none, so it never runs there.
TICKS_ENABLED = env.bool("TICKS_ENABLED", default=True)
# How often each process looks for due jobs (seconds, on the clock's multiples of it).
TICK_SECONDS = env.float("TICK_SECONDS", default=15.0)
# Dotted paths of further core.ticks.Job objects (the end-to-end tests' own job).
TICK_JOBS_EXTRA = env.list("TICK_JOBS_EXTRA", default=[])

WEBSOCKET_MAX_FRAME = env.int("WEBSOCKET_MAX_FRAME", default=64 * 1024)
# Memory bounds (docs/security.md, "Sockets and memory"). An event (the JSON text
# written to the log and to sockets) is refused above EVENT_MAX_BYTES, well under
# the 1 MiB frame limit common clients have; an order holds at most ORDER_MAX_LINES
# lines, so that even its worst-case event (~1.4 KB a line) stays under it (lines
# with long notes and many modifiers can pass it: that change answers 409). An
# order has at most ORDER_MAX_PORTIONS portions in the kitchen: each is a kitchen
# task and a kitchen_task_created event, so one request sends at most that many.
# A socket with more than WEBSOCKET_OUTBOX_BYTES waiting for its client is closed 1013.
EVENT_MAX_BYTES = env.int("EVENT_MAX_BYTES", default=512 * 1024)
ORDER_MAX_LINES = env.int("ORDER_MAX_LINES", default=200)
ORDER_MAX_PORTIONS = env.int("ORDER_MAX_PORTIONS", default=500)
# One request (one transaction, however many times it emits) writes at most this
# many events and bytes of them (docs/security.md, "Input limits"). The largest
# legitimate ones: an order of ORDER_MAX_PORTIONS portions (one event each, plus
# the order's, its table's and its items' stop-list counts), and a change to a
# company-wide item of MENU_ITEM_MAX_MODIFIERS modifiers, one event for each of
# COMPANY_MAX_BRANCHES branches (about 1.8 MB with 25-character names; names of
# 120 characters JSON escapes to 6 bytes each can pass the bytes budget: 409).
EVENTS_MAX_PER_REQUEST = env.int("EVENTS_MAX_PER_REQUEST", default=2000)
EVENTS_MAX_BYTES_PER_REQUEST = env.int("EVENTS_MAX_BYTES_PER_REQUEST", default=8 * 1024 * 1024)
COMPANY_MAX_BRANCHES = env.int("COMPANY_MAX_BRANCHES", default=100)
MENU_ITEM_MAX_MODIFIERS = env.int("MENU_ITEM_MAX_MODIFIERS", default=100)
ORDER_LINE_MAX_QUANTITY = env.int("ORDER_LINE_MAX_QUANTITY", default=100)
# The floor (docs/floor.md, docs/security.md "Input limits"): halls per branch, tables
# per hall, weekly opening intervals and dated exceptions per branch. Each is counted
# with the branch's (or the hall's) row locked, so concurrent writes cannot pass it.
BRANCH_MAX_ZONES = env.int("BRANCH_MAX_ZONES", default=50)
ZONE_MAX_TABLES = env.int("ZONE_MAX_TABLES", default=300)
BRANCH_MAX_OPENING_HOURS = env.int("BRANCH_MAX_OPENING_HOURS", default=28)
BRANCH_MAX_OPENING_EXCEPTIONS = env.int("BRANCH_MAX_OPENING_EXCEPTIONS", default=400)
if not 1 <= ORDER_LINE_MAX_QUANTITY <= 1000:
    raise ImproperlyConfigured("ORDER_LINE_MAX_QUANTITY must be from 1 to 1000 (the quantity a line's input takes).")
# The storeroom's documents (docs/inventory.md): lines of a purchase, write-off,
# transfer or count; the ABC analysis's date range, in days; how many ingredients
# (semi-finished goods included) and suppliers a company keeps.
STOCK_DOCUMENT_MAX_LINES = env.int("STOCK_DOCUMENT_MAX_LINES", default=200)
ABC_MAX_DAYS = env.int("ABC_MAX_DAYS", default=92)
INGREDIENTS_MAX_PER_COMPANY = env.int("INGREDIENTS_MAX_PER_COMPANY", default=5000)
SUPPLIERS_MAX_PER_COMPANY = env.int("SUPPLIERS_MAX_PER_COMPANY", default=1000)
if min(STOCK_DOCUMENT_MAX_LINES, ABC_MAX_DAYS, INGREDIENTS_MAX_PER_COMPANY, SUPPLIERS_MAX_PER_COMPANY) < 1:
    raise ImproperlyConfigured(
        "STOCK_DOCUMENT_MAX_LINES, ABC_MAX_DAYS, INGREDIENTS_MAX_PER_COMPANY and SUPPLIERS_MAX_PER_COMPANY"
        " must be at least 1."
    )
# A portion of an item sold by weight weighs 0.001 kg (one gram) up to this many kg
# (docs/weighed.md); its price, weight × the price of a kilogram, must fit a line's price.
ORDER_LINE_MAX_WEIGHT = Decimal(env.str("ORDER_LINE_MAX_WEIGHT", default="50.000"))
if not Decimal("0.001") <= ORDER_LINE_MAX_WEIGHT <= Decimal("99.999") or ORDER_LINE_MAX_WEIGHT.as_tuple().exponent < -3:  # type: ignore[operator]
    raise ImproperlyConfigured("ORDER_LINE_MAX_WEIGHT must be from 0.001 to 99.999 kg, in whole grams.")
# The book (docs/floor.md, "Bookings"; docs/security.md): a branch takes at most
# BOOKINGS_MAX_PER_DAY bookings starting on one of its local days (cancelled ones
# included, so a client cannot churn past it), a booking holds at most
# BOOKING_MAX_TABLES tables and is made at most BOOKING_MAX_DAYS_AHEAD days ahead.
BOOKINGS_MAX_PER_DAY = env.int("BOOKINGS_MAX_PER_DAY", default=500)
BOOKING_MAX_TABLES = env.int("BOOKING_MAX_TABLES", default=8)
BOOKING_MAX_DAYS_AHEAD = env.int("BOOKING_MAX_DAYS_AHEAD", default=366)
WEBSOCKET_OUTBOX_BYTES = env.int("WEBSOCKET_OUTBOX_BYTES", default=1024 * 1024)
if WEBSOCKET_OUTBOX_BYTES < 2 * EVENT_MAX_BYTES:
    raise ImproperlyConfigured("WEBSOCKET_OUTBOX_BYTES must be at least twice EVENT_MAX_BYTES.")
# Off by default: compressing each event once per socket costs more CPU than the
# bandwidth of ~1 KiB events is worth on a cafe's network.
WEBSOCKET_PER_MESSAGE_DEFLATE = env.bool("WEBSOCKET_PER_MESSAGE_DEFLATE", default=False)
# The ASGI server pings every socket at the protocol level this often, and closes one
# whose client answers none within the timeout (1011, as RFC 6455 servers do): a tab
# frozen or a link dead without a FIN stops holding a slot. uvicorn's defaults.
WEBSOCKET_PING_INTERVAL = env.float("WEBSOCKET_PING_INTERVAL", default=20.0)
WEBSOCKET_PING_TIMEOUT = env.float("WEBSOCKET_PING_TIMEOUT", default=20.0)

# The ASGI server (`manage.py serve`, core/server.py).
SERVER_HOST = env.str("HOST", default="127.0.0.1")
SERVER_PORT = env.int("PORT", default=8000)
SERVER_WORKERS = env.int("WEB_CONCURRENCY", default=1)
# Behind a reverse proxy: trust X-Forwarded-For/-Proto from these addresses.
SERVER_PROXY_HEADERS = env.bool("PROXY_HEADERS", default=False)
SERVER_FORWARDED_ALLOW_IPS = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1"])
# A request head (and a WebSocket's acceptance) must be complete this many seconds
# after the connection opened or its previous response ended; else it is closed.
HTTP_HEADER_TIMEOUT = env.float("HTTP_HEADER_TIMEOUT", default=10.0)
# A request body must be complete this many seconds after its head; else the request
# is answered 408 and the connection closed.
HTTP_BODY_TIMEOUT = env.float("HTTP_BODY_TIMEOUT", default=20.0)
# Open connections (HTTP and WebSocket) per server process. It must stay below the
# process's open-file limit, so by default it leaves 200 of those for the database
# pool, Redis and logs. See docs/security.md.
_OPEN_FILES = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
MAX_CONNECTIONS = env.int(
    "MAX_CONNECTIONS", default=100_000 if _OPEN_FILES == resource.RLIM_INFINITY else max(_OPEN_FILES - 200, 100)
)

# Sockets per tenant (realtime/admission.py, docs/security.md "Sockets per tenant"): open
# sockets per user and per company over every server process (in Redis with REDIS_URL),
# and the share of one process's MAX_CONNECTIONS one company's sockets may take, so the
# other companies still get in. A slot in Redis expires WEBSOCKET_SLOT_SECONDS after its
# process last renewed it (a killed process's slots come back by then).
WEBSOCKET_MAX_PER_USER = env.int("WEBSOCKET_MAX_PER_USER", default=30)
WEBSOCKET_MAX_PER_COMPANY = env.int("WEBSOCKET_MAX_PER_COMPANY", default=2000)
WEBSOCKET_COMPANY_SHARE = env.float("WEBSOCKET_COMPANY_SHARE", default=0.5)
WEBSOCKET_SLOT_SECONDS = env.float("WEBSOCKET_SLOT_SECONDS", default=60.0)
# Replays of the event log (a join with `since` behind the latest event, a `resume`)
# per sliding minute: per socket, and per user over every process.
WEBSOCKET_REPLAYS_PER_SOCKET = env.int("WEBSOCKET_REPLAYS_PER_SOCKET", default=5)
WEBSOCKET_REPLAYS_PER_USER = env.int("WEBSOCKET_REPLAYS_PER_USER", default=30)
if min(WEBSOCKET_MAX_PER_USER, WEBSOCKET_MAX_PER_COMPANY, WEBSOCKET_REPLAYS_PER_SOCKET, WEBSOCKET_REPLAYS_PER_USER) < 1:
    raise ImproperlyConfigured("The WEBSOCKET_MAX_PER_* and WEBSOCKET_REPLAYS_PER_* limits must be at least 1.")
if not 0 < WEBSOCKET_COMPANY_SHARE <= 1 or WEBSOCKET_SLOT_SECONDS < 3:
    raise ImproperlyConfigured("WEBSOCKET_COMPANY_SHARE must be in (0, 1] and WEBSOCKET_SLOT_SECONDS at least 3.")

# Metrics at /metrics (core/ops.py; docs/deploy.md, "Metrics"). Off (404) unless a
# bearer token or the networks allowed to scrape are set (with DEBUG on: loopback);
# with both set, a scrape needs both. Each process labels the cafe's counters with at
# most METRICS_BRANCH_LABELS branch ids, the rest as "other".
# With several workers each writes its figures to files in PROMETHEUS_MULTIPROC_DIR
# (`manage.py serve` sets a temporary one unless it is set); made here if missing, as
# prometheus-client opens its files when the first metric is defined.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
METRICS_BRANCH_LABELS = env.int("METRICS_BRANCH_LABELS", default=500)
try:
    for _network in METRICS_ALLOWED_NETWORKS:
        ipaddress.ip_network(_network, strict=False)
except ValueError as exc:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {exc}") from None
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters.")

# One level for the project and the server's own logs. LOG_FORMAT=json writes one JSON
# object a line (the default with DEBUG off; docs/deploy.md, "Logs"): each request's
# line carries its id, user, company, route, status and duration, and uvicorn's own
# request lines are left out. LOG_FORMAT=plain writes text, uvicorn's request lines
# included. Tokens, passwords, PINs and phone numbers are redacted either way.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "core.logging.RedactTokens"},
        "request_context": {"()": "core.logging.RequestContext"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "uvicorn": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # In JSON the request line is core.requestlog's, with the request id and the user.
        "uvicorn.access": {
            "handlers": ["console"],
            "level": LOG_LEVEL if LOG_FORMAT == "plain" else "WARNING",
            "propagate": False,
        },
        # core.requestlog's request lines: in plain text uvicorn's access line says it.
        "cafe.requests": {
            "handlers": ["console"],
            "level": LOG_LEVEL if LOG_FORMAT == "json" else "WARNING",
            "propagate": False,
        },
    },
}
